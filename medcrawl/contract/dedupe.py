"""Item pipelines shared by every site. Field cleaning is done by the loaders; the files
are written by Scrapy's feed exports (see FEEDS in settings)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from medcrawl.contract.items import OUTPUT_FILES
from medcrawl.contract.runs import written_ids


class DedupePipeline:
    """Write each doctor, drug, encyclopedia entry or question once per run.

    They repeat across pages (the same recommended doctor on many questions); items link to
    them by id. A repeat is dropped quietly and counted in `medcrawl/deduped/<file>` (`doctors` …).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        """A resumed run appends to its folder: what the folder holds is written already."""
        spider = self.crawler.spider
        if getattr(spider, "continues_run", False):
            self.seen.update((OUTPUT_FILES[c], i) for c, i in written_ids(spider.run_dir))

    def process_item(self, item: Any) -> Any:
        item_id = getattr(item, "id", None)  # every medcrawl item is a dataclass with an id
        if item_id is None:
            return item
        kind = OUTPUT_FILES[type(item)]
        key = (kind, item_id)
        if key in self.seen:
            self.stats.inc_value(f"medcrawl/deduped/{kind}")
            raise DropItem(f"duplicate {kind} {item_id}", log_level="DEBUG")
        self.seen.add(key)
        return item
