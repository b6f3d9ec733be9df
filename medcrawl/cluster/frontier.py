"""The shared frontier: scrapy-redis's scheduler and dupefilter, plus what a cluster of
Scrapy 2.19 workers needs on top — an async `start()` that reads seeds from Redis, seeds
that go through the dupefilter, and in-flight ledgers so a killed worker loses nothing.

Guarantee (at least once): a request or seed a worker takes from Redis moves, in the same
atomic step, to the worker's ledger, and leaves it only when Scrapy's engine is done with
it — downloaded, parsed, its items pushed to Redis and the requests it found queued. A
worker that starts under the same `MEDCRAWL_WORKER_ID` puts its ledger back in the queue
first, so the pages in flight when it died are fetched again (items may then be pushed
twice; `medcrawl collect` writes each id once).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from medcrawl.cluster import Keys, inflight_key, worker_id
from medcrawl.scrapy_internals import requests_in_progress, wake_engine

logger = logging.getLogger(__name__)

# Take the first request of the queue into the ledger, keeping its score (priority).
_TAKE = """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
redis.call('ZADD', KEYS[2], first[2], first[1])
return first[1]
"""

# Record the fingerprint and queue the request in one step, or neither if already seen.
_PUSH_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""


class LedgerQueue(PriorityQueue):
    """scrapy-redis's priority queue; taking a request moves it to this worker's ledger
    (`<queue key>:inflight:<worker>`), `done()` removes it from there."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.ledger = inflight_key(self.key, worker_id(spider.settings))
        self.inflight: dict[Request, bytes] = {}
        self._take = server.register_script(_TAKE)
        self._push_unseen = server.register_script(_PUSH_UNSEEN)

    def push_unseen(self, request: Request, seen_key: str, fingerprint: str) -> bool:
        """Queue `request` unless its fingerprint is in `seen_key`; False if it was."""
        args = [fingerprint, -request.priority, self._encode_request(request)]
        return bool(self._push_unseen(keys=[seen_key, self.key], args=args))

    def pop(self, timeout: int = 0) -> Request | None:
        data = self._take(keys=[self.key, self.ledger])
        if data is None:
            return None
        request = self._decode_request(data)
        self.inflight[request] = data
        return request

    def done(self, requests: Iterable[Request]) -> None:
        """Remove finished requests from the ledger."""
        finished = [self.inflight.pop(request) for request in list(requests)]
        if finished:
            self.server.zrem(self.ledger, *finished)

    def recover(self) -> int:
        """Put back in the queue what this worker had in flight when it last stopped (no
        other worker writes this ledger: it is named after this one)."""
        taken = dict(self.server.zrange(self.ledger, 0, -1, withscores=True))
        if taken:
            with self.server.pipeline() as pipe:  # MULTI: both or neither
                pipe.zadd(self.key, taken)
                pipe.delete(self.ledger)
                pipe.execute()
        return len(taken)


class Scheduler(RedisScheduler):
    """scrapy-redis's scheduler (persistent; `RFPDupeFilter`) on a `LedgerQueue`.

    Differences: seeing a fingerprint and queueing its request are one atomic step (a kill
    in between would mark a page seen that no one fetches); requests leave the ledger once
    the engine is done with them; no `spider=` in stats calls nor `Spider.log()`, both
    deprecated in Scrapy 2.19.
    """

    queue: LedgerQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Scheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        key = self.queue_key % {"spider": spider.name}
        self.queue = LedgerQueue(self.server, spider, key, self.serializer)
        self.df = self.df or load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        recovered = self.queue.recover()
        if recovered:
            logger.warning("Took back %d requests in flight when this worker stopped", recovered)
            self.stats.inc_value("medcrawl/cluster/recovered", recovered)
        logger.info("Shared queue %s: %d requests", key, len(self.queue))

    def enqueue_request(self, request: Request) -> bool:
        if request.dont_filter:
            self.queue.push(request)
        elif not self.queue.push_unseen(request, self.df.key, self.df.request_fingerprint(request)):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        held = requests_in_progress(self.crawler)
        self.queue.done(r for r in self.queue.inflight if r not in held)
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> None:
        # The engine closes the scheduler only after every request it took is done.
        self.queue.done(self.queue.inflight)
        super().close(reason)


class RedisSeeds:
    """Cluster mode's `start()`: seeds taken from `<spider>:start_urls` — JSON
    `{"url": …, "meta": {…}}`, a plain URL or a question id — while the shared queue runs
    short, until the whole cluster has had nothing to do for `MEDCRAWL_CLUSTER_IDLE_CLOSE`
    seconds (0: the worker waits for seeds for ever).

    scrapy-redis's `RedisSpider` cannot do this on Scrapy ≥ 2.16: its `start_requests()` is
    never called (only its `spider_idle` hook seeds, a batch per idle tick), and it marks
    seeds `dont_filter`, so a seed another page links to is fetched twice. Upstream:
    rmax/scrapy-redis#305 (async `start()`), open PR #316. Here seeds are ordinary requests
    (`spider.follow`): the shared dupefilter drops one that a page or worker got to first.

    The spider's own seeds (`-a start=…`, its default start page) are not used: every worker
    would add them. Push them with `medcrawl seed` (`--default-start` for the start page).
    """

    #: Seconds between looks at Redis while there is nothing to take.
    POLL = 0.25

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)
        self.worker = worker_id(crawler.settings)
        self.idle_close = crawler.settings.getfloat("MEDCRAWL_CLUSTER_IDLE_CLOSE")
        self.queue_low = crawler.settings.getint("CONCURRENT_REQUESTS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisSeeds:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        self.keys = Keys.of(self.crawler.settings, spider.name)
        key = self.keys.start
        given = sorted(set(getattr(spider, "arguments", {})) & {"start", "question", "urls"})
        if given:
            logger.warning(
                "Cluster mode ignores -a %s: push seeds with `medcrawl seed`", ", ".join(given)
            )
        ledger = inflight_key(key, self.worker)
        while self.server.lmove(ledger, key, "RIGHT", "LEFT"):  # seeds of a killed run
            pass
        logger.info("Reading seeds from Redis key %s", key)
        idle_since: float | None = None
        while True:
            data = self.server.lmove(key, ledger, "LEFT", "RIGHT") if self._wants_seeds() else None
            if data is not None:
                idle_since = None
                yield self.seed(spider, data, key)
                self.server.lrem(ledger, 1, data)  # the engine has scheduled or written it
                continue
            if self.crawler.engine.scheduler.has_pending_requests():  # type: ignore[union-attr]
                idle_since = None
                wake_engine(self.crawler)  # take them now
            elif self._work_left():
                idle_since = None
            else:
                idle_since = idle_since or time.monotonic()
                if self.idle_close and time.monotonic() - idle_since >= self.idle_close:
                    logger.info("Nothing to do in the cluster for %ss: closing", self.idle_close)
                    return
            await asyncio.sleep(self.POLL)

    def seed(self, spider: Any, data: bytes, key: str) -> object:
        """The request for one seed, or a `bad_seed` reject saying what is wrong with it (not
        UTF-8, broken JSON, `meta` not an object, not a URL of the site or a question id):
        either way it leaves the ledger, so a bad seed cannot stop the worker for good."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", "backslashreplace")
            return spider.reject(text, "bad_seed", f"{key}: not UTF-8")
        if not text.lstrip().startswith("{"):
            seed: dict[str, Any] = {"url": text}
        else:
            try:
                seed = json.loads(text)
            except json.JSONDecodeError as error:
                return spider.reject(text, "bad_seed", f"{key}: not JSON ({error})")
        meta = seed.get("meta") or {}
        if not isinstance(meta, dict):
            return spider.reject(text, "bad_seed", f"{key}: meta is not a JSON object")
        url = seed.get("url")
        url = spider.seed_url(url) if isinstance(url, str) else None
        if url is None:
            return spider.reject(
                text, "bad_seed", f"{key}: not a URL of this site or a question id"
            )
        request = spider.follow(url)
        request.meta.update(meta)
        return request

    def _wants_seeds(self) -> bool:
        """Seeds are taken while the shared queue runs short, so it stays small."""
        return len(self.crawler.engine.scheduler) < self.queue_low  # type: ignore[arg-type]

    def _work_left(self) -> bool:
        """Requests in progress here or in any worker's ledger: a worker that died keeps the
        others waiting until it is started again and finishes its pages."""
        if requests_in_progress(self.crawler):
            return True
        patterns = (inflight_key(self.keys.queue, "*"), inflight_key(self.keys.start, "*"))
        ledgers = (key for pattern in patterns for key in self.server.scan_iter(pattern))
        return next(ledgers, None) is not None  # Redis drops a ledger once it is empty
