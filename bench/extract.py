"""`medcrawl extract` speed: one job beside two, beside the lxml floor and the parse bench.

    .venv/bin/python -m bench.extract [--pages 2000] [--rss-pages 20000]

Writes a gzipped WARC of `--pages` question pages (the fixture pages of every site, cycled,
each under its own question id, with the headers they were served with), then in one run:

- **floor** — `lxml.html.fromstring` of the same pages' bodies, in this process;
- **parse** — `bench.parse`'s medcrawl path (the spider's callback, no I/O) over the
  fixture pages, ms a page: what extraction costs without reading an archive or writing files;
- **jobs 1**, **jobs 2** — `medcrawl extract ARCHIVE --out DIR --jobs N`, each in its own
  process, wall time over the pages;
- **jobs 1 ×N** — the same over `--rss-pages` pages, for peak RSS (memory flat in the
  archive's size).

Targets: `--jobs 2` ≥ 1.8× `--jobs 1` (on 2 cores); jobs 1 ≤ 1.5× the parse bench a page;
peak RSS of the big run ≤ 1.3× the small one.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html
from warcio.warcwriter import WARCWriter

from bench.parse import fixture_pages, measure
from bench.parse import medcrawl as medcrawl_callback
from medcrawl.archive.warc import write_capture

ROOT = Path(__file__).resolve().parent.parent
FIRST_ID = 20_000_000
MIN_SPEEDUP = 1.8
MAX_TIMES_PARSE = 1.5
MAX_RSS_GROWTH = 1.3


def write_archive(path: Path, pages: int) -> list[bytes]:
    """A WARC of `pages` question pages; returns their bodies (for the floor)."""
    fixtures = [p for p in fixture_pages() if p.page_class.site.is_question_url(p.url)]
    bodies = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(pages):
            page = fixtures[n % len(fixtures)]
            site = page.page_class.site
            url = numbered_url(page.url, site, FIRST_ID + n)
            headers = [(k, v) for k, v in page.headers.items() if k != "Date"]
            headers = headers or [("Content-Type", "text/html")]
            when = datetime.fromisoformat("2026-11-20T08:00:00+00:00")
            write_capture(writer, url, page.body, date=when, headers=headers)
            bodies.append(page.body)
    return bodies


def numbered_url(url: str, site: Any, number: int) -> str:
    """The fixture page's URL under another question id: the last number in it replaced
    (a site may address a question by more than its id, e.g. by day and id)."""
    digits = list(re.finditer(r"\d+", url))[-1]
    numbered = site.canonical_url(url[: digits.start()] + str(number) + url[digits.end() :])
    if not site.is_question_url(numbered):
        raise ValueError(f"{url}: no question URL with another id")
    return numbered


def floor_ms(bodies: list[bytes]) -> float:
    """CPU ms a page of `lxml.html.fromstring` over the archive's bodies."""
    start = time.thread_time()
    for body in bodies:
        lxml.html.fromstring(body)
    return (time.thread_time() - start) * 1000 / len(bodies)


def parse_ms(rounds: int = 5) -> float:
    """bench.parse's medcrawl path, mean over the fixture pages, ms a page."""
    pages = fixture_pages()
    medians = measure(pages, {"medcrawl": medcrawl_callback}, rounds)["medcrawl"]
    return sum(medians.values()) * 1000 / len(medians)


def run_extract(archive: Path, out: Path, jobs: int) -> tuple[float, float, float, float]:
    """Wall and CPU seconds (the command, not the interpreter's start), CPU seconds of the
    main process alone, and peak RSS (MB, of the largest process) of one `medcrawl extract`,
    in a process of its own."""
    command = [sys.executable, "-m", "bench.extract", "--child", str(archive), str(out), str(jobs)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"extract --jobs {jobs} failed:\n{done.stderr[-3000:]}")
    wall, cpu, own, rss = map(float, done.stdout.strip().splitlines()[-1].split())
    return wall, cpu, own, rss


def scan_seconds(archive: Path) -> float:
    """CPU seconds of scanning the archive (one task: it is one file)."""
    from medcrawl.archive.reextract import scan

    start = time.thread_time()
    scan(0, str(archive))
    return time.thread_time() - start


def cpu_seconds(who: int | None = None) -> float:
    """CPU time (user + system) of this process and its finished workers, or of `who` only."""
    kinds = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) if who is None else (who,)
    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, kinds))


def child(archive: str, out: str, jobs: str) -> None:
    """Run `medcrawl extract` here (its own parser: `medcrawl`'s imports every command, the
    corpus tools' scipy too); print wall and CPU seconds and the peak RSS."""
    from medcrawl.cli import extract as command

    parser = argparse.ArgumentParser()
    command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["extract", archive, "--out", out, "--jobs", jobs])
    start, cpu_start = time.perf_counter(), cpu_seconds()
    own_start = cpu_seconds(resource.RUSAGE_SELF)
    status = args.func(args)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    own = cpu_seconds(resource.RUSAGE_SELF) - own_start
    if status not in (0, 3):  # 3: the run checks judged the fixture mix, the run is whole
        sys.exit(status)
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(seconds, cpu, own, peak / 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="question pages (default 2000)")
    parser.add_argument(
        "--rss-pages", type=int, default=20000, help="pages of the RSS run (0: skip)"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    os.chdir(ROOT)
    print(f"{args.pages} question pages in one WARC, {os.cpu_count()} cores\n")
    with tempfile.TemporaryDirectory(prefix="medcrawl-bench-extract-") as tmp:
        tmp_path = Path(tmp)
        bodies = write_archive(tmp_path / "small.warc.gz", args.pages)
        floor = floor_ms(bodies)
        parse = parse_ms()
        rows = {}
        serial = bound = 0.0
        for jobs in (1, 2):
            wall, cpu, own, rss = run_extract(
                tmp_path / "small.warc.gz", tmp_path / f"out{jobs}", jobs
            )
            rows[f"jobs {jobs}"] = (wall * 1000 / args.pages, cpu * 1000 / args.pages, rss)
            if jobs == 2:  # the main process (plan, merge) and the scan of the one file
                serial = own + scan_seconds(tmp_path / "small.warc.gz")
                bound = cpu / (serial + (cpu - serial) / 2)
        if args.rss_pages:
            write_archive(tmp_path / "big.warc.gz", args.rss_pages)
            wall, cpu, _, rss = run_extract(tmp_path / "big.warc.gz", tmp_path / "big", 1)
            big = f"jobs 1 ×{args.rss_pages // args.pages}"
            rows[big] = (wall * 1000 / args.rss_pages, cpu * 1000 / args.rss_pages, rss)
    print(f"{'what':<16}{'wall ms/page':>14}{'CPU ms/page':>13}{'CPU × floor':>13}{'RSS MB':>9}")
    print(f"{'lxml floor':<16}{'':>14}{floor:>13.3f}{1:>13.1f}")
    print(f"{'parse bench':<16}{'':>14}{parse:>13.3f}{parse / floor:>13.1f}")
    for name, (wall_ms, cpu_ms, rss) in rows.items():
        print(f"{name:<16}{wall_ms:>14.3f}{cpu_ms:>13.3f}{cpu_ms / floor:>13.1f}{rss:>9.0f}")
    one, two = rows["jobs 1"][0], rows["jobs 2"][0]
    per_page = rows["jobs 1"][1]
    checks = [
        (
            f"jobs 2 / jobs 1 speed (wall): {one / two:.2f}x (target >= {MIN_SPEEDUP})",
            one / two >= MIN_SPEEDUP,
        ),
        (
            f"jobs 1 / parse bench, CPU a page: {per_page / parse:.2f}x "
            f"(target <= {MAX_TIMES_PARSE})",
            per_page / parse <= MAX_TIMES_PARSE,
        ),
    ]
    if args.rss_pages:
        growth = rows[f"jobs 1 ×{args.rss_pages // args.pages}"][2] / rows["jobs 1"][2]
        checks.append(
            (
                f"peak RSS {args.rss_pages} / {args.pages} pages: {growth:.2f}x "
                f"(target <= {MAX_RSS_GROWTH})",
                growth <= MAX_RSS_GROWTH,
            )
        )
    cpu_two = rows["jobs 2"][1] * args.pages / 1000
    print(
        f"jobs 2: {serial:.2f} of its {cpu_two:.2f} CPU s serial (plan, merge, the scan): "
        f"at most {bound:.2f}x on 2 idle cores (Amdahl)"
    )
    print()
    for text, ok in checks:
        print(f"{text} {'met' if ok else 'MISSED'}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
