"""The shared frontier: scrapy-redis's scheduler and dupefilter, plus what a cluster of
Scrapy 2.19 workers needs on top — an async `start()` that reads seeds from Redis and ends
when the crawl is finished, seeds that go through the dupefilter, in-flight ledgers so a
killed worker loses nothing, and writes that survive a Redis outage (`link.RedisLink`).

Guarantee (at least once): a request or seed a worker takes from Redis moves, in the same
atomic step, to the worker's ledger, and leaves it only when Scrapy's engine is done with
it — downloaded, parsed, its items pushed to Redis and the requests it found queued. A
worker that starts under the same `MEDCRAWL_WORKER_ID` puts its ledger back in the queue
first, so the pages in flight when it died are fetched again (items may then be pushed
twice; `medcrawl collect` writes each id once). `medcrawl requeue --worker W` does the same
for a worker that will not come back.
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
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.defer import Deferred

from medcrawl.cluster import state
from medcrawl.cluster.link import RedisLink
from medcrawl.cluster.worker import WorkerSession
from medcrawl.scrapy_internals import requests_in_progress, wake_engine

logger = logging.getLogger(__name__)

# KEYS: queue, ledger, workers, crawl. ARGV: worker. Take the first request of the queue into
# the ledger, keeping its score (priority); the worker is registered, so its ledger counts.
# Returns [request, the crawl's id] — the crawl the worker now takes part in.
_TAKE = """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
redis.call('ZADD', KEYS[2], first[2], first[1])
redis.call('SADD', KEYS[3], ARGV[1])
return {first[1], redis.call('HGET', KEYS[4], 'id') or ''}
"""

# KEYS: seen set, queue. ARGV: fingerprint, score, request. Record the fingerprint and queue
# the request in one step, or neither if already seen.
_PUSH_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: queue, ledger, workers. ARGV: worker, then score, request pairs: what the worker
# holds. Makes the ledger exactly that — entries it does not hold (taken when a reply was
# lost) go back to the queue; entries Redis lost (a restart without persistence) are added.
_RECONCILE = """
local held = {}
for i = 2, #ARGV, 2 do
  held[ARGV[i + 1]] = true
  redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
end
local back = 0
local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do
  if not held[entries[i]] then
    redis.call('ZREM', KEYS[2], entries[i])
    redis.call('ZADD', KEYS[1], entries[i + 1], entries[i])
    back = back + 1
  end
end
if #ARGV > 1 then redis.call('SADD', KEYS[3], ARGV[1]) end
return back
"""

# KEYS: seeds, seed ledger, workers, crawl. ARGV: worker. Take the first seed into the ledger;
# [seed, the crawl's id].
_TAKE_SEED = """
local seed = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
if not seed then return false end
redis.call('SADD', KEYS[3], ARGV[1])
return {seed, redis.call('HGET', KEYS[4], 'id') or ''}
"""

#: Seconds a closing worker keeps trying to send what waits for Redis.
CLOSE_WAIT = 30.0


def waiting_in_downloader(crawler: Crawler) -> int:
    """Requests the downloader holds and has not started sending: in its middlewares (one
    waiting for robots.txt) or its slot queues (waiting for the download delay or a free
    connection)."""
    downloader = crawler.engine.downloader  # type: ignore[union-attr]
    sending = sum(len(slot.transferring) for slot in downloader.slots.values())
    return len(downloader.active) - sending


class LedgerQueue(PriorityQueue):
    """scrapy-redis's priority queue; taking a request moves it to this worker's ledger
    (`<queue key>:inflight:<worker>`), `done()` removes it from there. Every write goes
    through the worker's `RedisLink`."""

    def __init__(self, link: RedisLink, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(link.server, spider, key, serializer)
        self.link = link
        self.ledger = link.keys.ledgers(link.worker)[0]
        self.inflight = link.inflight
        self.last_length = 0
        self._take = link.server.register_script(_TAKE)
        self._push_unseen = link.server.register_script(_PUSH_UNSEEN)
        self._reconcile = link.server.register_script(_RECONCILE)

    def __len__(self) -> int:
        self.last_length = self.link.read(lambda: self.server.zcard(self.key), self.last_length)
        return self.last_length

    def push(self, request: Request) -> None:
        data, score = self._encode_request(request), -request.priority
        self.link.write(lambda: self.server.zadd(self.key, {data: score}))

    def push_unseen(self, request: Request, seen_key: str, fingerprint: str) -> bool:
        """Queue `request` unless its fingerprint is in `seen_key`; False if it was (a push
        waiting for Redis counts as queued)."""
        args = [fingerprint, -request.priority, self._encode_request(request)]
        pushed = self.link.write(lambda: self._push_unseen(keys=[seen_key, self.key], args=args))
        return pushed is None or bool(pushed)

    def pop(self, timeout: int = 0) -> Request | None:
        keys = [self.key, self.ledger, self.link.keys.workers, self.link.keys.crawl]
        taken = self.link.read(lambda: self._take(keys=keys, args=[self.link.worker]), None)
        if taken is None:
            return None
        data, crawl = taken
        self.link.join(crawl)
        request = self._decode_request(data)
        self.inflight[request] = (data, -request.priority)
        return request

    def done(self, requests: Iterable[Request]) -> None:
        """Remove finished requests from the ledger (after the writes they caused)."""
        finished = [self.inflight.pop(request)[0] for request in list(requests)]
        if finished:
            self.link.write(lambda: self.server.zrem(self.ledger, *finished))

    def recover(self) -> int:
        """Put back in the queue what this worker had in flight when it last stopped (no
        other worker writes this ledger: it is named after this one)."""
        return self._reconcile(
            keys=[self.key, self.ledger, self.link.keys.workers], args=[self.link.worker]
        )

    def reconcile(self) -> None:
        """After an outage: the ledger holds exactly what this worker holds (a take whose
        reply was lost goes back to the queue; entries Redis lost are written again)."""
        held = [value for data, score in self.inflight.values() for value in (score, data)]
        keys = [self.key, self.ledger, self.link.keys.workers]
        back = self.link.read(lambda: self._reconcile(keys=keys, args=[self.link.worker, *held]), 0)
        if back:
            logger.warning("Put back %d requests taken while Redis did not answer", back)


class Scheduler(RedisScheduler):
    """scrapy-redis's scheduler (persistent; `RFPDupeFilter`) on a `LedgerQueue`.

    Differences: seeing a fingerprint and queueing its request are one atomic step (a kill
    in between would mark a page seen that no one fetches); requests leave the ledger once
    the engine is done with them; a worker takes a request only while its downloader has
    none waiting for the download delay (a polite worker holds one or two pages, not
    `CONCURRENT_REQUESTS`, and can stop at once); no `spider=` in stats calls nor
    `Spider.log()`, both deprecated in Scrapy 2.19.
    """

    queue: LedgerQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Scheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.link = RedisLink.of(self.crawler)
        key = self.queue_key % {"spider": spider.name}
        self.queue = LedgerQueue(self.link, spider, key, self.serializer)
        self.df = self.df or load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        recovered = self.queue.recover()
        if recovered:
            logger.warning("Took back %d requests in flight when this worker stopped", recovered)
            self.stats.inc_value("medcrawl/cluster/recovered", recovered)
        self.link.on_reconnect.append(self.queue.reconcile)
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
        self.release_done()
        if waiting_in_downloader(self.crawler):
            return None
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def release_done(self) -> None:
        """Take the requests the engine is done with out of the ledger."""
        held = requests_in_progress(self.crawler)
        self.queue.done(r for r in self.queue.inflight if r not in held)

    def close(self, reason: str) -> Deferred[None]:
        # The engine closes the scheduler only after every request it took is done.
        self.queue.done(self.queue.inflight)
        return deferred_from_coro(self._drain())

    async def _drain(self) -> None:
        left = await self.link.drain(CLOSE_WAIT)
        if left:
            self.stats.set_value("medcrawl/cluster/unsaved", left)
            logger.error(
                "Redis did not answer for %.0fs: %d writes are lost. The pages they came from "
                "stay in this worker's ledger in Redis; start the worker again under its name "
                "(or `medcrawl requeue --worker %s`) once Redis is back to fetch them again",
                CLOSE_WAIT,
                left,
                self.link.worker,
            )


class RedisSeeds:
    """Cluster mode's `start()`: seeds taken from `<spider>:start_urls` — JSON
    `{"url": …, "meta": {…}}`, a plain URL or a question id — while the shared queue runs
    short, until the crawl is finished (`state.finish_if_done`) — any crawl but one already
    finished when the worker started; while there is no crawl the worker waits, as a service.

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
        self.link = RedisLink.of(crawler)
        self.server = self.link.server
        self.queue_low = crawler.settings.getint("CONCURRENT_REQUESTS")
        self.told: set[str] = set()  # log lines said once
        self._take_seed = self.server.register_script(_TAKE_SEED)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisSeeds:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        keys = self.link.keys
        given = sorted(set(getattr(spider, "arguments", {})) & {"start", "question", "urls"})
        if given:
            logger.warning(
                "Cluster mode ignores -a %s: push seeds with `medcrawl seed`", ", ".join(given)
            )
        self.ledger = keys.ledgers(self.link.worker)[1]
        self._return_seeds()  # seeds of a killed run
        self.link.on_reconnect.append(self._return_seeds)
        # A crawl already finished when this worker started is not the one it works for.
        before = self.link.read(lambda: state.CrawlRecord.read(self.server, keys), None)
        self.finished_before = before.id if before is not None and before.finished else None
        session = WorkerSession.of(self.crawler)
        scheduler = self.crawler.engine.scheduler  # type: ignore[union-attr]
        logger.info("Reading seeds from Redis key %s", keys.start)
        while True:
            scheduler.release_done()
            if self.link.flush():
                session.tick()
                data = self._take() if self._wants_seeds() else None
                if data is not None:
                    yield self.seed(spider, data, keys.start)
                    await self._items_processed()
                    self.link.write(lambda d=data: self.server.lrem(self.ledger, 1, d))
                    continue
                if self._finished():
                    return
            if scheduler.has_pending_requests():
                wake_engine(self.crawler)  # take them now
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
        request = spider.follow(url) if url is not None else None
        if request is None:
            return spider.reject(
                text, "bad_seed", f"{key}: not a URL of this site or a question id"
            )
        request.meta.update(meta)
        return request

    def _take(self) -> bytes | None:
        keys = [self.link.keys.start, self.ledger, self.link.keys.workers, self.link.keys.crawl]
        taken = self.link.read(lambda: self._take_seed(keys=keys, args=[self.link.worker]), None)
        if taken is None:
            return None
        data, crawl = taken
        self.link.join(crawl)
        return data

    def _return_seeds(self) -> None:
        """Seeds in this worker's ledger go back to the seed list (a killed run's, or taken
        when a reply was lost); the dupefilter drops any that was already followed."""
        start = self.link.keys.start
        while self.link.read(lambda: self.server.lmove(self.ledger, start, "RIGHT", "LEFT"), None):
            pass

    async def _items_processed(self, timeout: float = 5.0) -> None:
        """Wait until an item yielded from `start()` (a `bad_seed` reject) went through the
        pipelines to Redis: Scrapy processes those without waiting, and the seed must not
        leave the ledger before its reject is stored."""
        slot = self.crawler.engine.scraper.slot  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        while slot is not None and slot.itemproc_size and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    def _wants_seeds(self) -> bool:
        """Seeds are taken while the shared queue runs short, so it stays small."""
        return len(self.crawler.engine.scheduler) < self.queue_low  # type: ignore[arg-type]

    def _finished(self) -> bool:
        """Whether the crawl this worker joined is finished (marking it so, when nothing is
        left anywhere and this worker holds nothing either)."""
        if requests_in_progress(self.crawler) or self.link.pending or self.link.inflight:
            return False
        found = self.link.read(lambda: state.finish_if_done(self.server, self.link.keys), ())
        if found == ():  # Redis did not answer
            return False
        if found is None:
            if self.link.crawl_id:
                self._once(
                    f"The record of crawl {self.link.crawl_id} ({self.link.keys.crawl}) is gone: "
                    "did Redis lose its data? See README, 'Redis outages'",
                    logging.WARNING,
                )
            else:
                self._once("Waiting for a crawl: push seeds with `medcrawl seed`")
            return False
        crawl_id, status = found
        if status != "finished":
            self.link.join(crawl_id)
            return False
        if crawl_id != self.finished_before:  # (joined or not: it may have had no work)
            self.link.join(crawl_id)
            logger.info("Crawl %s is finished: no seed, nothing queued or in flight", crawl_id)
            return True
        self._once(f"Crawl {crawl_id} is finished: waiting for the next (`medcrawl seed --reset`)")
        return False

    def _once(self, message: str, level: int = logging.INFO) -> None:
        if message not in self.told:
            self.told.add(message)
            logger.log(level, message)
