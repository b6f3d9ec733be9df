"""`medcrawl extract ARCHIVE… --out DIR`: re-extract WARC archives into a run folder, without
the Scrapy engine, on every core (or a Dask cluster).

    medcrawl extract warc/ --out output/<site>/reextracted
    medcrawl extract a.warc.gz b.warc --out DIR --jobs 2 --site <site>
    medcrawl extract warc/ --out DIR --dask tcp://scheduler:8786

The records are those a replay crawl of the same archive writes (`medcrawl.archive.reextract`).
Exit status: 0, or 3 when the run failed its checks (as `scrapy crawl`); 2 for a mistake in
the command, before anything starts.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from medcrawl.archive.reextract import Extraction, extract_chunk, scan
from medcrawl.archive.warc import warc_files
from medcrawl.contract.items import OUTPUT_FILES
from medcrawl.contract.manifest import MANIFEST_NAME
from medcrawl.crawl.progress import ITEMS_PREFIX, SKIPPED_PREFIX, counts
from medcrawl.sites import sites

EXIT_FAILED_CHECKS = 3


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="re-extract WARC archives into a run folder, on every core",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("archives", nargs="+", metavar="ARCHIVE", help="WARC files or folders")
    parser.add_argument("--out", "-o", type=Path, required=True, help="the run folder to write")
    parser.add_argument(
        "--jobs", "-j", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)"
    )
    parser.add_argument("--site", help="the site the pages are of (default: by their URLs)")
    parser.add_argument(
        "--dask", metavar="SCHEDULER_ADDRESS", help="run on this Dask cluster (`dask` extra)"
    )
    parser.set_defaults(func=run)


def mistake(message: str) -> int:
    print(f"medcrawl: {message}", file=sys.stderr)
    return 2


def check(args: argparse.Namespace) -> str | None:
    """What is wrong with the command, before anything starts; None when nothing is."""
    if args.jobs < 1:
        return f"--jobs takes a positive number, not {args.jobs}"
    if args.site and args.site not in sites():
        return f"no site {args.site!r}; known: {', '.join(sorted(sites()))}"
    for archive in args.archives:
        try:
            warc_files(archive)
        except FileNotFoundError as error:
            return str(error)
    taken = [n for n in (*(f"{s}.jsonl" for s in OUTPUT_FILES.values()), MANIFEST_NAME)]
    if args.out.is_dir() and any((args.out / name).exists() for name in taken):
        return f"{args.out} already holds a run's files; give another --out folder"
    if args.out.exists() and not args.out.is_dir():
        return f"--out {args.out} is a file, not a folder"
    return None


class ProgressLine:
    """A progress line on stderr every few seconds, and the last one when done."""

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self.started = self.shown = time.monotonic()

    def __call__(self, done: int, total: int, stats: dict[str, Any], last: bool = False) -> None:
        now = time.monotonic()
        if not last and now - self.shown < self.every:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        print(
            f"Extract: {done}/{total} pages ({rate:.0f}/s) | written: "
            f"{counts(stats, ITEMS_PREFIX, ('rejects',))} | skipped: "
            f"{counts(stats, SKIPPED_PREFIX)}",
            file=sys.stderr,
            flush=True,
        )


def run(args: argparse.Namespace) -> int:
    problem = check(args)
    if problem:
        return mistake(problem)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    arguments = {"archives": args.archives, "jobs": args.jobs, "site": args.site}
    if args.dask:
        arguments["dask"] = args.dask
    extraction = Extraction(args.archives, args.out, args.site, arguments)
    try:
        passed = extract(extraction, args)
    except OSError as error:  # a full disk, a folder not writable: the run is not whole
        print(f"medcrawl: the run folder could not be written: {error}", file=sys.stderr)
        return 1
    stats = extraction.stats.get_stats()
    print(f"Run folder: {args.out}", file=sys.stderr)
    if not passed:
        failures = "; ".join(stats.get("medcrawl/monitors/failures", [])) or "no verdict"
        print(f"medcrawl: the run failed its checks: {failures}", file=sys.stderr)
        return EXIT_FAILED_CHECKS
    return 0


def extract(extraction: Extraction, args: argparse.Namespace) -> bool:
    """Run the extraction on a Dask cluster, in a process pool or in this process; True
    when the run checks passed."""
    progress = ProgressLine()
    if args.dask:
        from medcrawl.archive.dask_extract import dask_maps

        with dask_maps(args.dask) as (map_scan, map_chunks):
            passed = extraction.run(map_scan, map_chunks, progress)
    elif args.jobs == 1:
        passed = extraction.run(in_process_scan, in_process_chunks, progress)
    else:
        with ProcessPoolExecutor(args.jobs, mp_context=get_context("fork")) as pool:
            passed = extraction.run(
                lambda files: pool.map(_scan, files),
                lambda paths, work: pool.map(partial(extract_chunk, paths), work),
                progress,
            )
    progress(extraction.done, extraction.pages, extraction.stats.get_stats(), last=True)
    return passed


def _scan(numbered: tuple[int, str]) -> Any:
    return scan(*numbered)


def in_process_scan(files: list[tuple[int, str]]) -> Any:
    return map(_scan, files)


def in_process_chunks(paths: list[str], work: list[Any]) -> Any:
    return (extract_chunk(paths, chunk) for chunk in work)
