"""`RedisLink`, a worker's link to Redis, against a fake Redis that goes down and comes back:
writes are never lost nor reordered, reads answer their default while Redis is down, nothing
is tried before the backoff has passed, and a reconnect runs its callbacks before any other
command."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.settings import Settings

from medcrawl.cluster import Keys
from medcrawl.cluster import link as link_module
from medcrawl.cluster.link import RedisLink


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeRedis:
    """Executes `write(x)` by appending to `log`, unless it is down; counts every call."""

    def __init__(self) -> None:
        self.down = False
        self.log: list[Any] = []
        self.calls = 0

    def _call(self) -> None:
        self.calls += 1
        if self.down:
            raise redis.ConnectionError("Connection refused")

    def ping(self) -> bool:
        self._call()
        return True

    def get(self) -> str:
        self._call()
        return "read"

    def write(self, value: Any) -> int:
        self._call()
        self.log.append(value)
        return len(self.log)


class Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(link_module.time, "monotonic", fake)
    return fake


def make_link() -> tuple[RedisLink, FakeRedis, Stats]:
    server, stats = FakeRedis(), Stats()
    return RedisLink(server, Keys.of(Settings(), "site"), "w1", stats), server, stats


def test_writes_wait_in_order_and_reads_answer_their_default(clock):
    link, server, stats = make_link()
    assert link.write(lambda: server.write("a")) == 1
    server.down = True
    assert link.write(lambda: server.write("b")) is None  # kept
    assert link.write(lambda: server.write("c")) is None
    assert link.read(lambda: server.write("read"), "default") == "default"
    assert stats.values["medcrawl/cluster/redis_outages"] == 1
    server.down = False
    calls = server.calls
    assert link.read(lambda: server.write("read"), "default") == "default"  # in backoff
    assert server.calls == calls  # nothing tried before the backoff has passed
    clock.now += link.MAX_BACKOFF
    reconciled: list[list[Any]] = []
    link.on_reconnect.append(lambda: reconciled.append(list(server.log)))
    assert link.read(lambda: server.write("read"), "default") == 4
    assert server.log == ["a", "b", "c", "read"]
    assert reconciled == [["a"]]  # after the PING, before any other command
    assert link.down_since is None and not link.pending


def test_backoff_doubles_up_to_its_ceiling(clock):
    link, server, _ = make_link()
    server.down = True
    waits = []
    for _ in range(6):
        link.flush()
        link.write(lambda: server.write("x"))
        waits.append(round(link.retry_at - clock.now, 2))
        clock.now = link.retry_at
    assert waits == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["write", "down", "up", "tick", "read"]), max_size=60))
def test_no_write_is_lost_or_reordered(steps):
    """Any sequence of writes, reads and outages: once Redis is up and the link flushed,
    Redis holds every write once, in the order written."""
    clock = Clock()
    link_module.time.monotonic, saved = clock, link_module.time.monotonic
    try:
        link, server, _ = make_link()
        written = 0
        for step in steps:
            if step == "write":
                link.write(lambda n=written: server.write(n))
                written += 1
            elif step == "down":
                server.down = True
            elif step == "up":
                server.down = False
            elif step == "tick":
                clock.now += 1.0
            else:
                answer = link.read(server.get, "default")
                assert answer == "default" if server.down else answer in ("read", "default")
        server.down = False
        clock.now += link.MAX_BACKOFF
        assert link.flush()
        assert server.log == list(range(written))
    finally:
        link_module.time.monotonic = saved
