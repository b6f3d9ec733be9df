"""Every page accounted for: a page too large to parse, or one whose parse raises, is a reject.

Without this, an exception in a callback is only Scrapy's `Spider error processing` log line:
the page is in neither the files nor `rejects.jsonl`. Here it becomes a `parse_error` reject
(the exception's type and message; the traceback at DEBUG), and a page over
`MEDCRAWL_MAX_PAGE_BYTES` a `too_large` reject before anything parses it. Both count as
failed pages in the run checks' error rate (`medcrawl.contract.monitors`).

The spider middleware closest to the spider, so the reject passes validation and the
incremental middleware like any other. A spider without `reject()` (not a medcrawl spider) is
left to Scrapy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response

from medcrawl.crawl.redirect import requested_url

logger = logging.getLogger(__name__)

#: The longest exception message kept in a reject's detail.
MAX_DETAIL_CHARS = 300


class PageTooLarge(IgnoreRequest):
    """A response over `MEDCRAWL_MAX_PAGE_BYTES`: not parsed (reason `too_large`)."""

    reason = "too_large"


def describe(exception: BaseException) -> str:
    """`RecursionError: maximum recursion depth exceeded`, at most MAX_DETAIL_CHARS long."""
    text = f"{type(exception).__name__}: {exception}"
    return text if len(text) <= MAX_DETAIL_CHARS else f"{text[: MAX_DETAIL_CHARS - 1]}…"


class PageFaultsMiddleware:
    """`too_large` before the callback; `parse_error` for an exception the callback raised."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_bytes = crawler.settings.getint("MEDCRAWL_MAX_PAGE_BYTES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageFaultsMiddleware:
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        """Raise PageTooLarge for a page over the limit: the request's errback (the spider's
        `on_error`) makes it a `too_large` reject, as it does for download failures."""
        size = len(response.body)
        if self.max_bytes and size > self.max_bytes:
            raise PageTooLarge(f"{size} bytes > MEDCRAWL_MAX_PAGE_BYTES ({self.max_bytes})")

    def process_spider_exception(
        self, response: Response, exception: Exception
    ) -> Iterable[Any] | None:
        spider = self.crawler.spider
        if isinstance(exception, CloseSpider) or not hasattr(spider, "reject"):
            return None  # Scrapy's to handle: a stop, or a spider of no site
        url = requested_url(response.request) if response.request else response.url
        if isinstance(exception, PageTooLarge):  # a request without an errback
            return [spider.reject(url, exception.reason, str(exception))]
        if isinstance(exception, IgnoreRequest):  # HttpError and kin: Scrapy's middlewares'
            return None
        logger.debug("Parse error on %s", url, exc_info=exception)
        return [spider.reject(url, "parse_error", describe(exception))]
