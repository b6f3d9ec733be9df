"""Parse cost per page: our spider callback path beside the lxml floor and trafilatura.

    .venv/bin/python -m bench.parse [--repeat N] [--profile]

Over the fixture pages (tests/fixtures/<site>/*.html, raw bytes), in one run, each measured
`--repeat` times in interleaved rounds (so a busy machine slows every method alike), median
CPU time of the thread per page (time other processes hold the core is not counted):

- **lxml floor** — `lxml.html.fromstring(bytes)`: parsing the page and nothing else.
- **medcrawl** — what the spider does with a downloaded page, without I/O: build the
  `HtmlResponse` (through the encoding middleware), its `Selector` (the parse), then the
  page class's `problem()` and every item of `items()` (selectors, loaders, cleaning, dates).
  Shown split into *parse* (HtmlResponse + Selector) and *extract* (the rest).
- **trafilatura** — `trafilatura.extract(bytes)`: a generic main-text extractor (the
  `bench` extra), defaults.

Targets: medcrawl ≤ 5× the lxml floor and ≥ 10× faster than trafilatura. `--profile` runs
cProfile over the medcrawl path and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import lxml.html
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from medcrawl import settings
from medcrawl.crawl.encoding import EncodingFallbackMiddleware
from medcrawl.sites import page_classes
from medcrawl.sites.spider import fetched_at

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
PAGE_CLASSES = page_classes()
MAX_TIMES_FLOOR = 5.0
#: CPU time of this thread: on a shared machine, time other processes hold the core is not
#: the page's (wall-clock medians of millisecond calls swing with the load average).
CLOCK = time.thread_time
MIN_TIMES_FASTER_THAN_TRAFILATURA = 10.0


@dataclass
class Page:
    name: str  # `<site>/<fixture>`: fixture names are only unique within a site
    url: str
    body: bytes
    headers: dict[str, str]
    page_class: type


def fixture_pages() -> list[Page]:
    """Every fixture page of every site, as raw bytes with the headers it was served with."""
    pages = []
    for site, page_class in PAGE_CLASSES.items():
        for meta_path in sorted((FIXTURES / site).glob("*.json")):
            html = meta_path.with_suffix(".html")
            if not html.exists():
                continue
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            when = datetime.fromisoformat(meta["fetched_at"])
            headers = {"Date": format_datetime(when, usegmt=True), **meta.get("headers", {})}
            name = f"{site}/{meta_path.stem}"
            pages.append(Page(name, meta["url"], html.read_bytes(), headers, page_class))
    return pages


_ENCODING = EncodingFallbackMiddleware.from_crawler(
    get_crawler(settings_dict={"MEDCRAWL_FALLBACK_ENCODING": settings.MEDCRAWL_FALLBACK_ENCODING})
)


def response(page: Page) -> HtmlResponse:
    """The page as the spider's callback gets it: an `HtmlResponse` that went through the
    project's EncodingFallbackMiddleware (which settles undeclared GBK pages)."""
    raw = HtmlResponse(page.url, body=page.body, headers=page.headers)
    return _ENCODING.process_response(Request(page.url), raw)


def lxml_floor(page: Page) -> object:
    return lxml.html.fromstring(page.body)


def medcrawl_parse(page: Page) -> object:
    return response(page).selector


def medcrawl(page: Page) -> list[object]:
    resp = response(page)
    question = page.page_class(resp, fetched_at(resp))
    return [] if question.problem() else list(question.items())


def trafilatura_extract(page: Page) -> object:
    import trafilatura

    return trafilatura.extract(page.body, url=page.url)


METHODS: dict[str, Callable[[Page], object]] = {
    "lxml floor": lxml_floor,
    "medcrawl parse": medcrawl_parse,
    "medcrawl": medcrawl,
    "trafilatura": trafilatura_extract,
}


def available_methods() -> dict[str, Callable[[Page], object]]:
    """All methods; trafilatura only when the `bench` extra is installed."""
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        return {k: v for k, v in METHODS.items() if k != "trafilatura"}
    return dict(METHODS)


def measure(
    pages: list[Page], methods: dict[str, Callable[[Page], object]], repeat: int
) -> dict[str, dict[str, float]]:
    """Median seconds per (method, page) over `repeat` interleaved rounds, after a warm-up
    call of each (dateparser and trafilatura load their data on first use)."""
    for fn in methods.values():
        for page in pages:
            fn(page)
    samples: dict[str, dict[str, list[float]]] = {m: {p.name: [] for p in pages} for m in methods}
    gc_was_enabled = gc.isenabled()
    gc.disable()  # collect between calls, not inside the timed ones
    try:
        for _ in range(repeat):
            for name, fn in methods.items():
                for page in pages:
                    start = CLOCK()
                    fn(page)
                    samples[name][page.name].append(CLOCK() - start)
                gc.collect()
    finally:
        if gc_was_enabled:
            gc.enable()
    return {
        m: {p: statistics.median(s) for p, s in by_page.items()} for m, by_page in samples.items()
    }


def report(pages: list[Page], medians: dict[str, dict[str, float]]) -> dict[str, float]:
    """Print ms/page per page and method, the mean over pages, and the ratios; return means."""
    methods = list(medians)
    print(f"{'page':<34}{'KB':>6}" + "".join(f"{m:>16}" for m in methods))
    for page in pages:
        row = "".join(f"{medians[m][page.name] * 1000:>16.2f}" for m in methods)
        print(f"{page.name:<34}{len(page.body) / 1024:>6.1f}{row}")
    sites = sorted({page.name.split("/", 1)[0] for page in pages})
    for site in sites if len(sites) > 1 else ():
        names = [p.name for p in pages if p.name.startswith(f"{site}/")]
        site_means = {m: statistics.fmean(medians[m][n] for n in names) * 1000 for m in methods}
        row = "".join(f"{site_means[m]:>16.2f}" for m in methods)
        ratio = site_means["medcrawl"] / site_means["lxml floor"]
        print(f"{f'mean ms/page, {site} ({len(names)})':<40}{row}   medcrawl/floor {ratio:.1f}x")
    means = {m: statistics.fmean(medians[m].values()) * 1000 for m in methods}
    print(f"{'mean ms/page':<40}" + "".join(f"{means[m]:>16.2f}" for m in methods))
    floor, ours = means["lxml floor"], means["medcrawl"]
    parse = means["medcrawl parse"]
    print()
    print(f"medcrawl: {ours:.2f} ms/page = parse {parse:.2f} + extract {ours - parse:.2f}")
    times_floor = ours / floor
    verdict = "ok" if times_floor <= MAX_TIMES_FLOOR else "MISSED"
    print(f"medcrawl / lxml floor: {times_floor:.1f}x (target <= {MAX_TIMES_FLOOR:.0f}x) {verdict}")
    if "trafilatura" in means:
        faster = means["trafilatura"] / ours
        verdict = "ok" if faster >= MIN_TIMES_FASTER_THAN_TRAFILATURA else "MISSED"
        target = MIN_TIMES_FASTER_THAN_TRAFILATURA
        print(f"trafilatura / medcrawl: {faster:.1f}x (target >= {target:.0f}x) {verdict}")
    else:
        print("trafilatura: not installed (pip install -e '.[bench]')")
    return means


def profile(pages: list[Page], rounds: int = 50, top: int = 25) -> None:
    """cProfile of the medcrawl path: the functions with the most own time, and cumulative."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for page in pages:
            medcrawl(page)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="rounds per method and page")
    parser.add_argument("--profile", action="store_true", help="cProfile the medcrawl path")
    args = parser.parse_args(argv)
    pages = fixture_pages()
    methods = available_methods()
    print(f"{len(pages)} fixture pages, {args.repeat} rounds, median per page\n")
    report(pages, measure(pages, methods, args.repeat))
    if args.profile:
        profile(pages)


if __name__ == "__main__":
    main()
