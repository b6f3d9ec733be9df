"""Cluster output: workers push items to one Redis list, one collector writes the files.

Why not a run folder per worker: a SIGKILLed worker loses what its feed files held in
memory, while its ledger says those pages are done; and each worker would write the
doctors, drugs and diseases that every page repeats. An item pushed to Redis is stored
before its page leaves the ledger (both through the worker's `RedisLink`, in order, also
across a Redis outage), and the one collector writes each id once, into one run folder laid
out exactly like a single-process run's.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.serialize import ScrapyJSONEncoder

from medcrawl.cluster.link import RedisLink
from medcrawl.contract.items import OUTPUT_FILES


class ItemPush:
    """Pushes each scraped item to `<spider>:items` as `{"file": "questions", "item": {…}}`
    — on `item_scraped`, where Scrapy's feed exports write, so after every pipeline."""

    def __init__(self, crawler: Crawler) -> None:
        self.link = RedisLink.of(crawler)
        self.stats = crawler.stats
        self.encoder = ScrapyJSONEncoder(ensure_ascii=False)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemPush:
        return cls(crawler)

    def item_scraped(self, item: Any) -> None:
        stem = OUTPUT_FILES.get(type(item), type(item).__name__.lower())
        entry = self.encoder.encode({"file": stem, "item": ItemAdapter(item).asdict()})
        server, key = self.link.server, self.link.keys.items
        self.link.write(lambda: server.rpush(key, entry))
        self.stats.inc_value("medcrawl/cluster/items_pushed")
