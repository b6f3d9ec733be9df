"""One progress line every `LOGSTATS_INTERVAL` seconds (the summary at the end is
`medcrawl.crawl.summary`'s).

Replaces Scrapy's LogStats (pages and items per minute only): the line also says which kinds
of items were written, what was skipped or retried and why, and how much is queued::

    Progress: 1520 pages (312/min) | written: questions 1490, answers 3020, … |
    skipped: removed 4, challenge 1 | retried: http_503 6 | queue 2380 (+1 in flight)
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from medcrawl.scrapy_internals import downloads_in_flight

logger = logging.getLogger(__name__)

ITEMS_PREFIX = "medcrawl/items/"
SKIPPED_PREFIX = "medcrawl/skipped/"
RETRIED_PREFIX = "medcrawl/retried/"


def counts(stats: dict[str, Any], prefix: str, leave_out: tuple[str, ...] = ()) -> str:
    """`medcrawl/skipped/removed: 4, …` → `removed 4, …` (largest first), or `none`."""
    found = [
        (key[len(prefix) :], value)
        for key, value in stats.items()
        if key.startswith(prefix) and key[len(prefix) :] not in leave_out
    ]
    found.sort(key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{name} {value}" for name, value in found) or "none"


class ProgressLog:
    """Logs progress from the crawl stats. Written items by kind are the `medcrawl/items/<file
    stem>` counts of `medcrawl.contract.coverage.FieldCoverage` (rejects show as skipped)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.pages_before = 0
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        interval = crawler.settings.getfloat("LOGSTATS_INTERVAL")
        if not interval:
            raise NotConfigured("LOGSTATS_INTERVAL is 0")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.task = create_looping_call(self.log_progress)
        self.task.start(self.interval, now=False)

    def queue(self) -> str:
        engine = self.crawler.engine
        try:
            queued = len(engine.scheduler)  # type: ignore[arg-type]
        except TypeError:  # a scheduler without a length
            queued = "?"
        return f"queue {queued} (+{downloads_in_flight(self.crawler)} in flight)"

    def log_progress(self) -> None:
        stats = self.crawler.stats.get_stats()
        pages = stats.get("response_received_count", 0)
        rate = (pages - self.pages_before) * 60.0 / self.interval
        self.pages_before = pages
        logger.info(
            "Progress: %d pages (%d/min) | written: %s | skipped: %s | retried: %s | %s",
            pages,
            rate,
            counts(stats, ITEMS_PREFIX, ("rejects",)),
            counts(stats, SKIPPED_PREFIX),
            counts(stats, RETRIED_PREFIX),
            self.queue(),
        )

    def spider_closed(self) -> None:
        """The end of the run is `medcrawl.crawl.summary`'s to tell."""
        if self.task is not None and self.task.running:
            self.task.stop()
