"""Politeness that holds across workers: a per-domain rate limit kept in Redis."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.connection import get_redis_from_settings

from medcrawl.cluster import worker_id

KEY = "medcrawl:politeness:%s"


class DomainRateLimit:
    """At most one request per `MEDCRAWL_DOMAIN_INTERVAL` seconds to a host, whichever
    worker sends it: before each download a worker takes the host's token, a Redis key set
    with `NX` that expires after the interval (Redis's clock, so workers' clocks don't
    matter); while another worker holds it, the request waits without blocking the crawl.

    It adds to each worker's own politeness (`DOWNLOAD_DELAY`, AutoThrottle, one request
    at a time per domain), so N workers are never less polite than the interval allows.
    Replayed requests never reach it (the replay middleware answers them first).
    """

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.server = get_redis_from_settings(crawler.settings)
        self.interval_ms = max(1, round(interval * 1000))
        self.worker = worker_id(crawler.settings)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DomainRateLimit:
        interval = crawler.settings.getfloat("MEDCRAWL_DOMAIN_INTERVAL")
        if interval <= 0:
            raise NotConfigured("MEDCRAWL_DOMAIN_INTERVAL is 0: no shared rate limit")
        return cls(crawler, interval)

    async def process_request(self, request: Request) -> None:
        await self.take(urlparse_cached(request).hostname or "")

    async def take(self, host: str) -> None:
        """Wait until this worker holds `host`'s token."""
        key = KEY % host
        if self.server.set(key, self.worker, nx=True, px=self.interval_ms):
            return
        self.stats.inc_value("medcrawl/politeness/delayed")
        while not self.server.set(key, self.worker, nx=True, px=self.interval_ms):
            await asyncio.sleep(max(self.server.pttl(key), 1) / 1000)
