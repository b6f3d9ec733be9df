"""What every Q&A spider shares: arguments, the run folder, question pages, rejects."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from medcrawl.items import Reject
from medcrawl.pages.base import QuestionPage

#: Settings for a crawl that reads an archive instead of the network: no politeness needed.
REPLAY_SETTINGS = {
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
}


def split_arg(value: str | None) -> list[str]:
    """`-a start=a,b` → `["a", "b"]`."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def fetched_at(response: Response) -> datetime:
    """When the page was fetched: the response's `Date` header (an archived page keeps its
    capture date), else now. Relative dates on the page (`3天前`) count from here."""
    header = response.headers.get(b"Date")
    if header:
        try:
            return parsedate_to_datetime(header.decode("latin-1")).astimezone(timezone.utc)
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc).replace(microsecond=0)


class QASpider(scrapy.Spider):
    """Base for Q&A site spiders. Subclasses set `name`, `page_class`, `default_start` and
    route in `parse`.

    Arguments: `-a start=URL[,URL…]` (list or question pages), `-a replay=PATH` (answer
    requests from a WARC file or folder, never the network), `-a run_id=ID`.
    """

    page_class: ClassVar[type[QuestionPage]]
    default_start: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *args: Any,
        start: str | None = None,
        replay: str | None = None,
        run_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        given = {"start": start, "replay": replay, "run_id": run_id, **kwargs}
        self.arguments = {k: v for k, v in given.items() if v is not None}  # for the manifest
        self.start_urls = split_arg(start) or list(self.default_start)
        self.replay = replay
        self.run_id = run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> QASpider:
        if kwargs.get("replay"):
            crawler.settings.set("MEDCRAWL_REPLAY", kwargs["replay"], priority="spider")
            crawler.settings.setdict(REPLAY_SETTINGS, priority="spider")
        spider = super().from_crawler(crawler, *args, **kwargs)
        root = Path(crawler.settings.get("MEDCRAWL_OUTPUT_DIR", "output"))
        spider.run_dir = str(root / spider.name / spider.run_id)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield scrapy.Request(url, errback=self.on_error)

    def follow(self, url: str, callback: Any = None) -> scrapy.Request:
        """A request to a discovered link that records its failure instead of losing it."""
        return scrapy.Request(url, callback=callback or self.parse, errback=self.on_error)

    def parse_question(self, response: Response) -> Iterator[object]:
        """Items of one question page, or one reject saying why the page holds none."""
        if not isinstance(response, TextResponse) or not response.body.strip():
            yield self.reject(response.url, "empty")
            return
        page = self.page_class(response, fetched_at(response))
        reason = page.problem()
        if reason:
            yield self.reject(response.url, reason)
            return
        self.crawler.stats.inc_value("medcrawl/pages/question")
        yield from page.items()

    def on_error(self, failure: Failure) -> Iterator[Reject]:
        """A request that failed for good (HTTP error, DNS, timeout) becomes a reject."""
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        reason = f"http_{response.status}" if response is not None else "download_error"
        yield self.reject(request.url, reason, failure.getErrorMessage())

    def reject(self, url: str, reason: str, detail: str | None = None) -> Reject:
        """Log, count and record a page that yields no items."""
        self.logger.warning("Skipped %s: %s%s", url, reason, f" ({detail})" if detail else "")
        self.crawler.stats.inc_value(f"medcrawl/skipped/{reason}")
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        return Reject(url=url, reason=reason, detail=detail, at=now)
