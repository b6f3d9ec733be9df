"""Each doctor, drug, encyclopedia entry or question written once per run.

They repeat across pages (the same recommended doctor on many questions); items link to them
by id. Two of every three items a question page yields are such repeats, so they are dropped
as they leave the spider middlewares (`DedupeMiddleware`), before the engine sends them
through the item pipelines, the `item_scraped` signal and the feed exports only to drop them
there.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response

from medcrawl.contract.items import OUTPUT_FILES
from medcrawl.contract.runs import written_ids
from medcrawl.logs import heard

logger = logging.getLogger(__name__)


class DedupeMiddleware:
    """Drop an item whose id this run has passed on already, as a pipeline's `DropItem`
    would: counted in `medcrawl/deduped/<file>` (`doctors` …), the `item_dropped` signal
    sent (Scrapy's `item_dropped_count`; the page ledgers of `medcrawl.contract.commit` and
    the incremental middleware), a DEBUG line.

    A spider middleware on the engine side of the incremental one (100), which must see a
    page whole to hash it, and of validation (950): an invalid repeat is rejected, never
    dropped silently. Cluster workers leave dedupe to the collector (`medcrawl.cluster`).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupeMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self) -> None:
        """A resumed run appends to its folder: what the folder holds is written already."""
        spider = self.crawler.spider
        if getattr(spider, "continues_run", False):
            self.seen.update((OUTPUT_FILES[c], i) for c, i in written_ids(spider.run_dir))

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for entry in result:
            if isinstance(entry, Request) or not self.repeat(entry, response):
                yield entry

    def repeat(self, item: Any, response: Response | None) -> bool:
        """True (and the drop told) when `item` is a repeat; else it is seen from now on."""
        item_id = getattr(item, "id", None)  # every medcrawl item is a dataclass with an id
        kind = OUTPUT_FILES.get(type(item))
        if item_id is None or kind is None:
            return False
        key = (kind, item_id)
        if key not in self.seen:
            self.seen.add(key)
            return False
        self.stats.inc_value(f"medcrawl/deduped/{kind}")
        drop = DropItem(f"duplicate {kind} {item_id}", log_level="DEBUG")
        if heard(logger, logging.DEBUG):
            logger.debug("Dropped: %s", drop)
        self.crawler.signals.send_catch_log(
            signals.item_dropped,
            item=item,
            response=response,
            spider=self.crawler.spider,
            exception=drop,
        )
        return True
