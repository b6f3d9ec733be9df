"""Cluster throughput: pages/s of 1 and of 2 cluster workers crawling the same archive.

    .venv/bin/python -m bench.cluster [--questions 600] [--rounds 5]

Builds a WARC of a small ask.39.net (tests.minisite: the category index, paged lists of 20,
`--questions` question pages made from the fixture page, each linking a related question),
starts a redis-server on a free port, and then, rounds alternating 1 and 2 workers: clears
Redis, starts the workers (`scrapy crawl ask39 -a replay=…` in cluster mode: no network, no
politeness, items pushed to Redis), waits until each one reads seeds, pushes the index
(`medcrawl seed --default-start`) and times until the crawl is finished (the crawl record
says so: no seed, nothing queued or in flight); the workers then exit by themselves. Process
start-up is outside the timing. Prints, for each worker count, the median pages/s with the
spread (min–max) over the rounds, and the ratio 2 workers / 1 worker of each pair of rounds
run back to back (median, min–max): a figure robust to a machine shared with others.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import redis

from medcrawl import cli
from medcrawl.cluster import Keys, project_settings
from medcrawl.cluster.state import CrawlRecord
from tests.minisite import ROOT, demo_site, write_archive
from tests.servers import redis_server

PER_PAGE = 20
CATEGORIES = (3166, 237, 52)


def build(folder: Path, questions: int) -> tuple[Path, int]:
    """The archive and how many pages a crawl of it fetches (index, lists, questions)."""
    lists = max(1, questions // (PER_PAGE * len(CATEGORIES)))
    pages, by_category = demo_site({c: lists for c in CATEGORIES}, per_page=PER_PAGE)
    fetched = 1 + lists * len(CATEGORIES) + sum(len(ids) for ids in by_category.values())
    return write_archive(pages, folder / "site.warc.gz"), fetched


def start_worker(name: str, archive: Path, redis_url: str, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "scrapy", "crawl", "ask39", "-a", f"replay={archive}"]
    for setting in (f"REDIS_URL={redis_url}", f"MEDCRAWL_WORKER_ID={name}", "LOG_LEVEL=INFO"):
        command += ["-s", setting]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"))


@dataclass
class Round:
    """One timed crawl: wall seconds, and CPU seconds of the workers and of redis-server."""

    seconds: float
    worker_cpu: float
    redis_cpu: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crawl(workers: int, archive: Path, pages: int, redis_url: str, folder: Path) -> Round:
    """Time `workers` workers, already started, crawling the whole archive."""
    db = redis.Redis.from_url(redis_url)
    db.flushdb()
    redis_pid = db.info("server")["process_id"]
    keys = Keys.of(project_settings(), "ask39")
    logs = [folder / f"w{n}.log" for n in range(workers)]
    procs = [start_worker(f"w{n}", archive, redis_url, log) for n, log in enumerate(logs)]
    try:
        while not all("Reading seeds from Redis" in log.read_text() for log in logs):
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"a worker died: see {folder}")
            time.sleep(0.05)
        pids = [p.pid for p in procs]
        cpu_before = [sum(cpu_seconds(pid) for pid in pids), cpu_seconds(redis_pid)]
        began = time.monotonic()
        with redirect_stdout(io.StringIO()):
            cli.main(["seed", "--spider", "ask39", "--redis-url", redis_url, "--default-start"])
        while not finished(db, keys):
            if any(p.poll() is not None for p in procs) or time.monotonic() - began > 600:
                raise RuntimeError(f"the crawl stopped short of {pages} pages: see {folder}")
            time.sleep(0.01)
        seconds = time.monotonic() - began
        worker_cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before[0]
        if db.scard(keys.dupefilter) < pages:
            raise RuntimeError(f"the crawl finished short of {pages} pages: see {folder}")
        return Round(seconds, worker_cpu, cpu_seconds(redis_pid) - cpu_before[1])
    finally:
        stop(procs, folder)


def stop(procs: list[subprocess.Popen], folder: Path) -> None:
    """The workers exit by themselves once the crawl is finished; one that does not in a
    minute is killed, with the others, and the round fails."""
    try:
        for proc in procs:
            if proc.wait(timeout=60) != 0:
                raise RuntimeError(f"a worker failed: see {folder}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def finished(db: redis.Redis, keys: Keys) -> bool:
    """The crawl is finished: no seed, nothing queued, no worker with pages in flight."""
    crawl = CrawlRecord.read(db, keys)
    return crawl is not None and crawl.finished


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=600, help="question pages (600)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each (5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive, pages = build(folder, args.questions)
        rounds: dict[int, list[Round]] = {1: [], 2: []}
        with redis_server(folder) as url:
            for _ in range(args.rounds):
                for workers, runs in rounds.items():
                    runs.append(crawl(workers, archive, pages, url, folder))
    report(rounds, pages)
    return 0


def report(rounds: dict[int, list[Round]], pages: int) -> None:
    """Per worker count: the median round, pages/s median (min–max), CPU per page; and the
    ratio 2 workers / 1 worker of each pair of rounds (median, min–max)."""
    print(f"{pages} pages, {os.cpu_count()} cores, {len(rounds[1])} rounds; CPU in ms per page")
    header = f"{'workers':<9}{'pages/s median':>15}{'min–max':>15}{'workers CPU':>13}"
    print(f"{header}{'redis CPU':>11}{'cores used':>12}")
    for workers, runs in rounds.items():
        rates = sorted(pages / r.seconds for r in runs)
        mid = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
        per_page = (1000 * mid.worker_cpu / pages, 1000 * mid.redis_cpu / pages)
        cores = (mid.worker_cpu + mid.redis_cpu) / mid.seconds
        spread = f"{rates[0]:.1f}–{rates[-1]:.1f}"
        print(
            f"{workers:<9}{median(rates):>15.1f}{spread:>15}"
            f"{per_page[0]:>13.1f}{per_page[1]:>11.2f}{cores:>12.2f}"
        )
    ratios = sorted(one.seconds / two.seconds for one, two in zip(*rounds.values(), strict=True))
    print(
        f"2 workers / 1 worker: {median(ratios):.2f}x "
        f"(min–max {ratios[0]:.2f}–{ratios[-1]:.2f}x over {len(ratios)} pairs of rounds)"
    )


if __name__ == "__main__":
    sys.exit(main())
