"""Replay: answer every request from a WARC archive instead of the network."""

from __future__ import annotations

from email.utils import format_datetime

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from medcrawl.archive.warc import Capture, WarcIndex

#: Links to pages the archive does not hold, counted by the spider: in a partial archive they
#: are expected, and not pages of the run (no rejects).
NOT_ARCHIVED_STAT = "medcrawl/replay/not_archived"


class ReplayMiddleware:
    """Answer every request from a WARC archive (`MEDCRAWL_REPLAY`, or `-a replay=PATH`).

    A URL the archive does not hold gets a 404 — the network is never used. Archived
    redirects and error statuses are replayed as they were. A capture without a `Date`
    header gets its WARC-Date, so relative dates on the page count from the capture.
    """

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.stats = crawler.stats
        self.index = WarcIndex(path)
        if self.index.lost:
            self.stats.set_value("medcrawl/replay/lost_records", self.index.lost)
        crawler.signals.connect(self.index.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        path = crawler.settings.get("MEDCRAWL_REPLAY")
        if not path:
            # Off in an ordinary run: no message, so Scrapy logs no warning about it.
            raise NotConfigured
        return cls(crawler, path)

    def process_request(self, request: Request, spider: Spider | None = None) -> Response:
        capture = self.index.get(request.url)
        if capture is None:
            self.stats.inc_value("medcrawl/replay/miss")
            return Response(request.url, status=404, request=request, flags=["replay-miss"])
        self.stats.inc_value("medcrawl/replay/hit")
        return replayed(capture, request)


def replayed(capture: Capture, request: Request) -> Response:
    """The response a crawl gets for `request` from the archive's `capture`: under the URL
    asked for, with the capture's `WARC-Date` as its `Date` when it has none (relative dates
    on the page count from the capture)."""
    headers = Headers(capture.headers)
    if b"Date" not in headers and capture.date:
        headers[b"Date"] = format_datetime(capture.date, usegmt=True)
    cls = responsetypes.from_args(headers=headers, url=request.url, body=capture.body)
    return cls(
        url=request.url,
        status=capture.status,
        headers=headers,
        body=capture.body,
        request=request,
        flags=["replay"],
    )
