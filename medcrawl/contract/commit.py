"""A page's records reach the files together: after a kill -9 every output file holds whole
lines up to the last finished page, and every id those lines link is there.

`PageCommitMiddleware` (a spider middleware on the engine side) passes a page's items on
together once its callback is done and counts them through the pipelines (`PageLedger`);
when no page is half through, every file's waiting lines are written and flushed
(`medcrawl.contract.feeds.commit_pages`, parent files first).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from medcrawl.contract.feeds import commit_pages
from medcrawl.contract.pages import requests_holding_page_async


@dataclass
class _Page:
    size: int
    left: int
    done: Callable[[], None] | None


class PageLedger:
    """Which pages have all their items through the pipelines (written, dropped or failed).
    Items are known by identity: the same object goes from the spider to the signals."""

    def __init__(self) -> None:
        self.items: dict[int, tuple[Any, _Page]] = {}  # id(item) → (item, its page)
        self.half_written = 0  # pages with some but not all items through

    def __len__(self) -> int:
        """Items on their way."""
        return len(self.items)

    def add(self, items: list[Any], done: Callable[[], None] | None = None) -> None:
        """A page's items, on their way to the pipelines; `done()` once all are through."""
        page = _Page(size=len(items), left=len(items), done=done)
        for item in items:
            self.items[id(item)] = (item, page)

    def item_done(self, item: Any) -> bool:
        """Count `item` through; False when it is not one of the ledger's."""
        entry = self.items.pop(id(item), None)
        if entry is None or entry[0] is not item:
            return False
        page = entry[1]
        page.left -= 1
        if page.left == page.size - 1 and page.left:
            self.half_written += 1
        elif not page.left:
            if page.size > 1:
                self.half_written -= 1
            if page.done is not None:
                page.done()
        return True


class PageCommitMiddleware:
    """See the module docstring. Off without FEEDS (cluster workers write no files)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ledger = PageLedger()
        for signal in (signals.item_scraped, signals.item_error):
            crawler.signals.connect(self.item_done, signal)
        crawler.signals.connect(self.item_dropped, signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageCommitMiddleware:
        if not crawler.settings.getdict("FEEDS"):
            raise NotConfigured
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        page: list[Any] = []
        async for request in requests_holding_page_async(result, page):
            yield request
        self.ledger.add(page)
        for item in page:
            yield item

    def item_done(self, item: Any) -> None:
        self.ledger.item_done(item)
        if not self.ledger.half_written:
            commit_pages(self.crawler)

    def item_dropped(self, item: Any) -> None:
        """A dropped item wrote nothing: only one of a page changes what may be committed
        (a repeat dropped by `medcrawl.contract.dedupe` never reached the ledger)."""
        if self.ledger.item_done(item) and not self.ledger.half_written:
            commit_pages(self.crawler)
