"""Whole-crawl speed: the ask39 spider beside the engine's floor, against nginx on 127.0.0.1.

    .venv/bin/python -m bench.crawl [--pages 2000] [--rss-pages 20000] [--profile]

Needs nginx (Debian: `apt-get install nginx-light`). The bench writes a docroot of a small
ask.39.net — the category index, paged category lists (20 questions a page, dated) and
`--pages` question pages with distinct ids (the fixture pages, each with related links;
nginx maps an id to one of them by its last digit, so the docroot stays small) — and starts
nginx on a free port with a generated config. Each crawl runs in its own process, politeness
off (no delay, no AutoThrottle, 16 requests at a time), every request routed to nginx by
tests.minisite.LocalSiteHandler, the project's settings otherwise (middlewares, validation,
feeds, checks):

- **floor** — the same pages (index, lists, questions) requested by a spider whose callback
  does nothing: what Scrapy, the handler and nginx cost.
- **medcrawl** — `scrapy crawl ask39` from the category index: lists, questions, items,
  related links (duplicates, dropped by the dupefilter), six JSONL files.
- **medcrawl ×N** — the same crawl of `--rss-pages` questions, for peak RSS.
- **replay floor** / **medcrawl replay** — the same two crawls answered from a WARC of the
  same site (`-a replay=`): no network at all, so the engine and the extraction are all
  that is left.

Targets: medcrawl ≥ 50% of the floor's pages/s, from nginx and in replay; peak RSS of the
big crawl ≤ 1.3× the small.
`--profile` runs the medcrawl crawl under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "ask39"
FIRST_ID = 10_000_000
CATEGORIES = 10
PER_PAGE = 20
RELATED = 10
MIN_SHARE_OF_FLOOR = 0.5
MAX_RSS_GROWTH = 1.3

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {run}/body;
    types {{ text/html html; text/plain txt; }}
    default_type text/html;
    sendfile on;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        root {docroot};
        location ~ "^/question/\\d*(\\d)\\.html$" {{ try_files /q/$1.html =404; }}
    }}
}}
"""


# --- the site -------------------------------------------------------------------------------


def question_ids(pages: int) -> list[int]:
    return list(range(FIRST_ID, FIRST_ID + pages))


def category_ids() -> list[int]:
    return [100 + n for n in range(CATEGORIES)]


def build_docroot(docroot: Path, pages: int) -> list[str]:
    """Write the site; return every URL the crawl fetches (index, lists, questions)."""
    from tests.minisite import index_page, list_page, question_page

    ids = question_ids(pages)
    (docroot / "q").mkdir(parents=True)
    (docroot / "news").mkdir()
    (docroot / "browse").mkdir()
    (docroot / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    fixtures = sorted(FIXTURES.glob("*.html"))
    for digit in range(10):
        raw = fixtures[digit % len(fixtures)].read_bytes()
        related = [ids[(digit * 97 + n * 31) % len(ids)] for n in range(RELATED)]
        try:
            body = question_page(related, html=raw.decode("utf-8"))
        except UnicodeDecodeError:  # a GBK page: served as it is
            body = raw
        (docroot / "q" / f"{digit}.html").write_bytes(body)
    urls = ["https://ask.39.net/browse/jibing.html"]
    (docroot / "browse" / "jibing.html").write_bytes(index_page(category_ids()))
    for c, class_id in enumerate(category_ids()):
        mine = ids[c::CATEGORIES]
        last = max(1, -(-len(mine) // PER_PAGE))
        for page in range(1, last + 1):
            chunk = mine[(page - 1) * PER_PAGE : page * PER_PAGE]
            items = [(q, date(2026, 1, 1) - timedelta(days=(q - FIRST_ID) // 50)) for q in chunk]
            body = list_page(class_id, page, last, items)
            (docroot / "news" / f"{class_id}-{page}.html").write_bytes(body)
            urls.append(f"https://ask.39.net/news/{class_id}-{page}.html")
    urls += [f"https://ask.39.net/question/{q}.html" for q in ids]
    return urls


def build_archive(docroot: Path, urls: list[str], path: Path) -> Path:
    """The same site as a WARC (each URL's docroot file, as nginx serves it): what the
    replay floor and the replay crawl read."""
    from warcio.warcwriter import WARCWriter

    from medcrawl.archive.warc import write_capture

    when = datetime.fromisoformat("2026-01-02T00:00:00+00:00")
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url in urls:
            local = url.split("ask.39.net/", 1)[1]
            if local.startswith("question/"):
                local = f"q/{local.split('.')[0][-1]}.html"
            body = (docroot / local).read_bytes()
            write_capture(writer, url, body, date=when, headers=[("Content-Type", "text/html")])
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx serving `docroot` on a free port of 127.0.0.1, until stop()."""

    def __init__(self, docroot: Path, run: Path) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            sys.exit("nginx not found: apt-get install nginx-light")
        self.port = free_port()
        (run / "body").mkdir(parents=True, exist_ok=True)
        conf = run / "nginx.conf"
        conf.write_text(NGINX_CONF.format(run=run, port=self.port, docroot=docroot))
        self.process = subprocess.Popen([binary, "-c", str(conf), "-p", str(run), "-e", "stderr"])
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        sys.exit(f"nginx did not start: {(run / 'error.log').read_text(errors='replace')}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# --- one crawl, in a child process -------------------------------------------------------------


def crawl_settings(site: str, out: str) -> dict[str, Any]:
    handler = "tests.minisite.LocalSiteHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "MINISITE_URL": site,
        "MEDCRAWL_OUTPUT_DIR": out,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "LOGSTATS_INTERVAL": 0,
    }


def child(job: dict[str, Any]) -> dict[str, Any]:
    """Run one crawl in this process; return its figures."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from medcrawl.sites.ask39.spider import Ask39Spider

    class FloorSpider(scrapy.Spider):
        name = "floor"

        async def start(self) -> Any:
            for url in job["urls"]:
                yield scrapy.Request(url, callback=self.nothing)

        def nothing(self, response: Any) -> None:
            return None

    from medcrawl.sites.spider import REPLAY_SETTINGS

    settings = get_project_settings()
    settings.setdict(crawl_settings(job["site"], job["out"]), priority="cmdline")
    if job.get("replay"):  # the floor spider is no QASpider: give it replay's settings too
        settings.setdict({**REPLAY_SETTINGS, "MEDCRAWL_REPLAY": job["replay"]}, priority="cmdline")
    settings.setdict(job.get("settings", {}), priority="cmdline")
    process = CrawlerProcess(settings)
    floor = job["mode"].endswith("floor")
    crawler = process.create_crawler(FloorSpider if floor else Ask39Spider)
    process.crawl(crawler, **({} if floor else {"run_id": "bench"}))
    profiler = None
    if job.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    process.start()
    if profiler is not None:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        if os.environ.get("BENCH_CALLERS"):
            stats.print_callers(os.environ["BENCH_CALLERS"])
    stats = crawler.stats.get_stats()
    seconds = (stats["finish_time"] - stats["start_time"]).total_seconds()
    return {
        "mode": job["mode"],
        "pages": stats.get("response_received_count", 0),
        "questions": stats.get("medcrawl/pages/question", 0),
        "items": stats.get("item_scraped_count", 0),
        "seconds": seconds,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ok": stats.get("downloader/response_status_count/200", 0),
        "finish_reason": stats.get("finish_reason"),
    }


def run_child(job: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.crawl", "--child", json.dumps(job)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if job.get("profile"):
        print(done.stderr)
    if done.returncode != 0 or not done.stdout.strip():
        sys.exit(f"{job['mode']} crawl failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the bench -------------------------------------------------------------------------------


def measure(
    pages: int,
    modes: list[str],
    profile: bool = False,
    overrides: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Each mode's crawl of one generated site: `floor` and `medcrawl` from nginx,
    `replay floor` and `replay` from a WARC of the same site."""
    with tempfile.TemporaryDirectory(prefix="medcrawl-bench-") as tmp:
        tmp_path = Path(tmp)
        tmp_path.chmod(0o755)  # nginx's workers run as another user
        urls = build_docroot(tmp_path / "docroot", pages)
        archive = None
        if any(mode.startswith("replay") for mode in modes):
            archive = build_archive(tmp_path / "docroot", urls, tmp_path / "site.warc.gz")
        server = Nginx(tmp_path / "docroot", tmp_path / "nginx")
        try:
            results = []
            for mode in modes:
                replay = mode.startswith("replay")
                job = {
                    "mode": mode,
                    "site": server.url,
                    "out": str(tmp_path / f"out-{mode}"),
                    "urls": urls if mode.endswith("floor") else [],
                    "profile": profile and mode in ("medcrawl", "replay"),
                    "replay": str(archive) if replay else None,
                    "settings": overrides or {},
                }
                result = run_child(job)
                expected = len(urls) + (0 if replay else 1)  # + robots.txt (off in replay)
                if result["ok"] != expected:
                    sys.exit(f"{mode}: {result['ok']} of {expected} pages answered 200")
                result["pages_per_s"] = result["pages"] / result["seconds"]
                results.append(result)
            return results
        finally:
            server.stop()


def report(rows: list[dict[str, Any]]) -> None:
    head = ("pages", 8), ("questions", 11), ("items", 9), ("s", 8), ("pages/s", 9), ("RSS MB", 9)
    print(f"{'crawl':<18}" + "".join(f"{name:>{width}}" for name, width in head))
    for r in rows:
        print(
            f"{r['label']:<18}{r['pages']:>8}{r['questions']:>11}{r['items']:>9}"
            f"{r['seconds']:>8.1f}{r['pages_per_s']:>9.1f}{r['maxrss_mb']:>9.0f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="question pages (default 2000)")
    parser.add_argument(
        "--rss-pages", type=int, default=20000, help="question pages of the RSS crawl (0: skip)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the medcrawl crawl")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="a setting for both crawls, e.g. --set 'FEEDS={}' (to see what a part costs)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    os.chdir(ROOT)
    print(f"{args.pages} question pages from nginx on 127.0.0.1, politeness off\n")
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = json.loads(value)
    modes = ["floor", "medcrawl", "replay floor", "replay"]
    floor, ours, replay_floor, replayed = measure(args.pages, modes, args.profile, overrides)
    floor["label"], ours["label"] = "floor", "medcrawl"
    replay_floor["label"], replayed["label"] = "replay floor", "medcrawl replay"
    rows = [floor, ours, replay_floor, replayed]
    if args.rss_pages:
        (big,) = measure(args.rss_pages, ["medcrawl"], overrides=overrides)
        big["label"] = f"medcrawl ×{args.rss_pages // args.pages}"
        rows.append(big)
    report(rows)
    share = ours["pages_per_s"] / floor["pages_per_s"]
    replay_share = replayed["pages_per_s"] / replay_floor["pages_per_s"]
    ok = share >= MIN_SHARE_OF_FLOOR and replay_share >= MIN_SHARE_OF_FLOOR
    print()
    for name, value in (("medcrawl / floor", share), ("replay / replay floor", replay_share)):
        verdict = "met" if value >= MIN_SHARE_OF_FLOOR else "MISSED"
        print(f"{name}: {value:.0%} (target >= {MIN_SHARE_OF_FLOOR:.0%}) {verdict}")
    if args.rss_pages:
        growth = rows[-1]["maxrss_mb"] / ours["maxrss_mb"]
        grew_ok = growth <= MAX_RSS_GROWTH
        ok = ok and grew_ok
        print(
            f"peak RSS {args.rss_pages} / {args.pages} pages: {growth:.2f}x "
            f"(target <= {MAX_RSS_GROWTH}x) {'met' if grew_ok else 'MISSED'}"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
