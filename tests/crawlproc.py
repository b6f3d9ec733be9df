"""Crawls of the mini site (tests/minisite.py) in a subprocess that a test can interrupt:
started in the background, stopped with Ctrl-C (SIGINT) or killed (SIGKILL) once the site
has served enough question pages, and read back from their run folders."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.minisite import FAST_SETTINGS, ROOT, MiniSite, crawl_settings

QUESTION_PATH = "ask.39.net/question/"


@dataclass
class Crawl:
    """A crawl running in the background; its log goes to a file (a pipe nobody reads would
    fill up and stall it)."""

    process: subprocess.Popen[str]
    log_path: Path

    def wait(self, timeout: float = 60) -> str:
        """Wait for the end; the log."""
        self.process.wait(timeout=timeout)
        return self.log_path.read_text(encoding="utf-8")


def start_crawl(
    site: MiniSite,
    out_dir: Path,
    *arguments: str,
    settings: dict[str, Any] | None = None,
    stats_file: Path | None = None,
) -> Crawl:
    """`scrapy crawl ask39 <arguments>` against `site`, in the background."""
    merged = {
        **FAST_SETTINGS,
        "MEDCRAWL_OUTPUT_DIR": str(out_dir),
        **crawl_settings(site, stats_file),
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "ask39", *arguments]
    for name, value in merged.items():
        text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        command += ["-s", f"{name}={text}"]
    log_path = out_dir / f"crawl-{time.monotonic_ns()}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log, text=True)
    return Crawl(process, log_path)


def question_hits(site: MiniSite, since: int = 0) -> list[str]:
    """Native ids of the question pages the site served (from hit number `since` on)."""
    return [
        hit.key[len(QUESTION_PATH) :].removesuffix(".html")
        for hit in site.hits[since:]
        if hit.key.startswith(QUESTION_PATH)
    ]


def interrupt(crawl: Crawl, site: MiniSite, after: int, how: signal.Signals) -> str:
    """Send `how` once the site has served `after` question pages; wait for the end; the log."""
    deadline = time.monotonic() + 60
    while len(question_hits(site)) < after:
        if crawl.process.poll() is not None or time.monotonic() > deadline:
            crawl.process.kill()  # a stalled crawl must not outlive the test
            raise AssertionError(f"crawl ended or stalled before {after} pages:\n{crawl.wait()}")
        time.sleep(0.02)
    crawl.process.send_signal(how)
    return crawl.wait()


def records(run_dir: Path, stem: str, suffix: str = ".jsonl") -> list[dict]:
    """The records of one output file of a run folder (none when it is absent)."""
    path = run_dir / f"{stem}{suffix}"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def ids(run_dir: Path, stem: str) -> list[str]:
    return [r["id"] for r in records(run_dir, stem)]
