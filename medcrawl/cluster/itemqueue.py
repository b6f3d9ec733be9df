"""Cluster output: workers push items to one Redis list, one collector writes the files.

Why not a run folder per worker: a SIGKILLed worker loses what its feed files held in
memory, while its ledger says those pages are done; and each worker would write the
doctors, drugs and diseases that every page repeats. An item pushed to Redis is stored
before its page leaves the ledger, and the one collector writes each id once, into one
run folder laid out exactly like a single-process run's.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.serialize import ScrapyJSONEncoder
from scrapy_redis.connection import get_redis_from_settings

from medcrawl.cluster import Keys
from medcrawl.contract.items import OUTPUT_FILES


class ItemPush:
    """Pushes each scraped item to `<spider>:items` as `{"file": "questions", "item": {…}}`
    — on `item_scraped`, where Scrapy's feed exports write, so after every pipeline."""

    def __init__(self, crawler: Crawler) -> None:
        self.settings = crawler.settings
        self.server = get_redis_from_settings(crawler.settings)
        self.stats = crawler.stats
        self.encoder = ScrapyJSONEncoder(ensure_ascii=False)
        self.key = ""
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemPush:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.key = Keys.of(self.settings, spider.name).items

    def item_scraped(self, item: Any) -> None:
        stem = OUTPUT_FILES.get(type(item), type(item).__name__.lower())
        entry = {"file": stem, "item": ItemAdapter(item).asdict()}
        self.server.rpush(self.key, self.encoder.encode(entry))
        self.stats.inc_value("medcrawl/cluster/items_pushed")
