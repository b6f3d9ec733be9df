"""A worker's session in the cluster: its heartbeat, the crawl it joined, and its stats.

- The heartbeat, `<spider>:crawl:alive:<worker>`, expires `ALIVE_TTL` seconds after the last
  beat: `medcrawl seed --reset` and `medcrawl requeue` refuse to pull the ground from under a
  worker that runs, and the collector knows which sessions can still report.
- The stats, one entry per worker start in `<spider>:sessions`, are written every
  `HEARTBEAT` seconds and when the worker stops, with how it stopped. `medcrawl collect`
  merges the sessions of a crawl into the run folder's manifest; a killed worker's last
  snapshot stands in for its final stats.
"""

from __future__ import annotations

import json
import logging
import time
import weakref
from datetime import datetime, timezone
from typing import Any, ClassVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from medcrawl.cluster.link import RedisLink
from medcrawl.cluster.state import CrawlRecord
from medcrawl.contract.manifest import recorded_settings

logger = logging.getLogger(__name__)

#: Settings a session record leaves out: a Redis URL may hold a password.
PRIVATE_SETTINGS = frozenset({"REDIS_URL"})


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class WorkerSession:
    """Extension: this worker's heartbeat and stats in Redis (see the module doc)."""

    #: Seconds between heartbeats and stats snapshots.
    HEARTBEAT = 5.0
    #: Seconds a heartbeat lasts.
    ALIVE_TTL = 30

    _of: ClassVar[weakref.WeakKeyDictionary[Crawler, WorkerSession]] = weakref.WeakKeyDictionary()

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.link = RedisLink.of(crawler)
        self.started = datetime.now(timezone.utc)
        self.name = f"{self.link.worker}/{self.started:%Y%m%dT%H%M%S.%fZ}"
        self.last_beat = float("-inf")
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def of(cls, crawler: Crawler) -> WorkerSession:
        if crawler not in cls._of:
            cls._of[crawler] = cls(crawler)
        return cls._of[crawler]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerSession:
        return cls.of(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.tick()

    def tick(self) -> None:
        """Every HEARTBEAT seconds: beat, join the crawl under way, save the stats."""
        if time.monotonic() - self.last_beat < self.HEARTBEAT:
            return
        self.last_beat = time.monotonic()
        link, keys = self.link, self.link.keys
        link.read(lambda: link.server.set(keys.alive(link.worker), self.name, ex=self.ALIVE_TTL), 0)
        crawl = link.read(lambda: CrawlRecord.read(link.server, keys), None)
        if crawl is not None and not crawl.finished:
            link.join(crawl.id)
        self.save()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        link, keys = self.link, self.link.keys
        if not self.save(reason) and link.crawl_id:
            logger.warning("Redis did not answer: the stats of session %s are not saved", self.name)
        link.read(lambda: link.server.delete(keys.alive(link.worker)), 0)

    def save(self, reason: str | None = None) -> bool:
        """Write this session's stats (final when the worker stopped for `reason`); False when
        Redis did not answer. Nothing before the worker joined a crawl."""
        if not self.link.crawl_id:
            return True
        record = {
            "worker": self.link.worker,
            "session": self.name,
            "crawl_id": self.link.crawl_id,
            "started_at": self.started.isoformat(),
            "finished_at": datetime.now(timezone.utc).isoformat() if reason else None,
            "finish_reason": reason,
            "final": reason is not None,
            "settings": {
                k: v
                for k, v in recorded_settings(self.crawler.settings).items()
                if k not in PRIVATE_SETTINGS
            },
            "stats": self.crawler.stats.get_stats(),
        }
        text = json.dumps(record, default=_json, ensure_ascii=False)
        server, key = self.link.server, self.link.keys.sessions
        return self.link.read(lambda: server.hset(key, self.name, text) is not None, False)
