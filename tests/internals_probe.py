"""A tiny real crawl that exercises every function of `medcrawl.scrapy_internals` and writes
what it saw as JSON, for tests/test_scrapy_internals.py (a crawl needs a fresh reactor: it runs
in a subprocess).

    python -m tests.internals_probe OUT.json

A server on 127.0.0.1 answers every path with a small page and notes when each was asked
for. Three crawls run in one process: the probe, a spider with a JOBDIR, and a spider that
cannot start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.asyncio import call_later
from twisted.python.failure import Failure

from medcrawl.cli.commands.crawl import Command as CrawlCommand
from medcrawl.scrapy_internals import (
    bootstrap_failed,
    close_spider_soon,
    command_crawler,
    disk_queue_dir,
    download_slots,
    downloads_in_flight,
    fail_request,
    hold_download_slot,
    pop_scheduled,
    requests_in_progress,
    seen_by_dupefilter,
    take_waiting_downloads,
    wake_engine,
)

HOLD = 0.6  # hold_download_slot: seconds the slot is held
DELAY = 0.5  # a raised slot delay: the requests behind it wait in the slot's queue
TAKE_AFTER = 0.2  # when they are taken back, well before the delay ends

SETTINGS = {
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "RETRY_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "SPIDER_MODULES": [],
    "EXTENSIONS": {"spidermon.contrib.scrapy.extensions.Spidermon": None},
}


class Stopped(Exception):
    """The failure given to requests taken back."""


class Site(ThreadingHTTPServer):
    """Every path → 200 `ok`; `hits` holds (path, monotonic time) per request."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, float]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def first_hit(self, path: str) -> float | None:
        return next((at for hit, at in self.hits if hit == path), None)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits.append((self.path, time.monotonic()))  # type: ignore[attr-defined]
        body = b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class ProbeSpider(scrapy.Spider):
    """Each callback tries one or two functions of the shim; `seen` collects the results."""

    name = "probe"

    def __init__(self, base: str, seen: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base
        self.seen = seen
        self.callbacks_done = asyncio.Event()
        self.woken = asyncio.Event()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ProbeSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(spider.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider.closed_with, signal=signals.spider_closed)
        return spider

    def url(self, path: str) -> str:
        return self.base + path

    async def start(self):
        yield Request(self.url("/a"), callback=self.parse_a)
        await asyncio.wait_for(self.callbacks_done.wait(), 10)
        self.scheduler_taken_back()
        await asyncio.sleep(0.3)  # the engine has nothing to do: only its heartbeat wakes it
        scheduler = self.crawler.engine.scheduler
        scheduler.enqueue_request(Request(self.url("/w"), callback=self.parse_w))
        self.seen["woken_at"] = time.monotonic()
        wake_engine(self.crawler)
        with contextlib.suppress(asyncio.TimeoutError):  # the test says it was not woken
            await asyncio.wait_for(self.woken.wait(), 3)
        close_spider_soon(self.crawler, "probe_closed")
        await asyncio.sleep(10)  # cancelled when the spider closes

    def parse_a(self, response):
        self.seen["in_progress_during_callback"] = response.request in requests_in_progress(
            self.crawler
        )
        slots = download_slots(self.crawler)
        self.seen["slots"] = {
            key: [type(slot.delay).__name__, type(slot.queue).__name__]
            for key, slot in slots.items()
        }
        self.slot_key = response.meta["download_slot"]
        self.seen["held_at"] = time.monotonic()
        hold_download_slot(self.crawler, slots[self.slot_key], HOLD)
        yield Request(self.url("/b"), callback=self.parse_b)

    def parse_b(self, response):
        download_slots(self.crawler)[self.slot_key].delay = DELAY
        for n in (1, 2, 3):
            yield Request(self.url(f"/c{n}"), callback=self.parse_c, errback=self.taken_back)
        call_later(TAKE_AFTER, self.take_back)

    def take_back(self) -> None:
        taken = list(take_waiting_downloads(self.crawler))
        self.seen["taken"] = [request.url.removeprefix(self.base) for request, _ in taken]
        download_slots(self.crawler)[self.slot_key].delay = 0
        self.seen["errbacks"] = []
        for n, (request, deferred) in enumerate(taken):
            if n == 1:  # sent back to the scheduler, as another request
                deferred.callback(Request(self.url("/d"), callback=self.parse_d, dont_filter=True))
            else:
                deferred.errback(Failure(Stopped(f"taken back: {request.url}")))

    def parse_c(self, response):
        self.seen.setdefault("c_parsed", []).append(response.url.removeprefix(self.base))

    def taken_back(self, failure):
        self.seen["errbacks"].append(failure.request.url.removeprefix(self.base))

    def parse_d(self, response):
        scheduler = self.crawler.engine.scheduler
        self.seen["dupefilter"] = [
            seen_by_dupefilter(scheduler, Request(self.url("/a"))),
            seen_by_dupefilter(scheduler, Request(self.url("/fresh"))),
            seen_by_dupefilter(scheduler, Request(self.url("/fresh"))),
        ]
        never = Request(self.url("/never"), errback=self.failed)
        fail_request(self.crawler, never, Failure(Stopped("failed without a download")))

    def failed(self, failure):
        self.seen["fail_request_errback"] = [
            failure.request.url.removeprefix(self.base),
            type(failure.value).__name__,
        ]
        yield {"from": "fail_request"}

    def item_scraped(self, item: dict) -> None:
        self.seen.setdefault("items", []).append(item)
        self.callbacks_done.set()

    def scheduler_taken_back(self) -> None:
        """pop_scheduled on a paused engine, which takes nothing from the scheduler itself."""
        engine = self.crawler.engine
        engine.pause()
        for path, priority in (("/p1", 0), ("/p2", 5), ("/p3", 1)):
            engine.scheduler.enqueue_request(Request(self.url(path), priority=priority))
        self.seen["popped"] = [
            r.url.removeprefix(self.base) for r in pop_scheduled(engine.scheduler)
        ]
        self.seen["disk_queue_dir"] = disk_queue_dir(engine.scheduler)
        engine.unpause()

    def parse_w(self, response):
        self.seen["woken_fetched_at"] = time.monotonic()
        self.seen["in_flight_after"] = downloads_in_flight(self.crawler)
        self.woken.set()

    def reached(self, request, spider) -> None:
        self.seen.setdefault("in_flight_when_reached", []).append(downloads_in_flight(self.crawler))

    def closed_with(self, spider, reason) -> None:
        self.seen["finish_reason"] = reason


class JobSpider(scrapy.Spider):
    """A crawl with a JOBDIR: its scheduler keeps its queue on disk."""

    name = "job"

    def __init__(self, seen: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen = seen

    async def start(self):
        self.seen["job_disk_queue_dir"] = disk_queue_dir(self.crawler.engine.scheduler)
        return
        yield


class BrokenSpider(scrapy.Spider):
    """A spider that cannot start."""

    name = "broken"

    def __init__(self, **kwargs: Any) -> None:
        raise ValueError("this spider cannot start")


def probe(out: Path) -> None:
    site = Site()
    threading.Thread(target=site.serve_forever, daemon=True).start()
    seen: dict[str, Any] = {}
    with TemporaryDirectory() as jobdir:
        process = CrawlerProcess(SETTINGS)
        command = CrawlCommand()
        command.crawler_process = process
        crawler = command_crawler(command, ProbeSpider)
        seen["command_crawler"] = type(crawler).__name__
        process.crawl(crawler, base=site.url, seen=seen)
        JobSpider.custom_settings = {"JOBDIR": jobdir}
        process.crawl(JobSpider, seen=seen)
        seen["bootstrap_failed_before"] = bootstrap_failed(process)
        process.crawl(BrokenSpider)
        process.start()
        seen["bootstrap_failed_after"] = bootstrap_failed(process)
        seen["jobdir"] = jobdir
    site.shutdown()
    seen["hits"] = site.hits
    seen["b_hit"] = site.first_hit("/b")
    out.write_text(json.dumps(seen, indent=1), encoding="utf-8")


if __name__ == "__main__":
    probe(Path(sys.argv[1]))
