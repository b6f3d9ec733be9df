"""Throwaway servers on 127.0.0.1 for tests and benchmarks: a free port, a redis-server."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server on a free port of 127.0.0.1, working in `folder`. Without `appendonly`
    it saves nothing (a restart loses everything); with it, every write goes to an
    append-only file (fsynced every second, Redis's default) that a restart reloads."""

    def __init__(self, folder: Path, appendonly: bool = False) -> None:
        self.folder = folder
        self.appendonly = appendonly
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--dir", str(self.folder)]
        command += ["--appendonly", "yes" if self.appendonly else "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:  # refused, or still loading its data
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        """SIGTERM: a clean shutdown (as `systemctl stop`); SIGKILL: a crash."""
        if self.process is not None:
            self.process.send_signal(how)
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def running_redis(folder: Path, appendonly: bool = False) -> Iterator[RedisServer]:
    server = RedisServer(folder, appendonly).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server on a free port, working in `folder`, saving nothing; its URL."""
    with running_redis(folder) as server:
        yield server.url
