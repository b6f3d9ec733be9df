"""A worker's link to Redis that outlives a Redis outage.

A worker must never lose a write — the links a page found, its items, the note that the page
is done — and must never block its event loop waiting for Redis. So every write goes through
`RedisLink.write()`: sent at once while Redis answers; while it does not, kept in memory in
order and sent, in the same order, once it answers again (polled with backoff, never in a
tight loop). A page leaves its ledger only by a write queued after its links and items, so
whatever a worker holds in memory is also still in its ledger in Redis: killed during an
outage, the worker loses nothing that its next start does not fetch again.

Reads (`read()`) answer a default while Redis is unreachable: no request is taken, no token
granted, nothing decided. Commands written here are idempotent or deduplicated downstream, so
one that failed mid-way (sent, but its reply lost) is safely sent again.

The commands (`medcrawl seed`, `collect`, `requeue`) are plain processes: `retrying()` waits
Redis out for them, with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import redis
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings

from medcrawl.cluster import Keys, worker_id

logger = logging.getLogger(__name__)

T = TypeVar("T")
#: Errors that mean "Redis is not answering now" (refused, reset, timed out, loading its data
#: after a restart: `BusyLoadingError` is a `ConnectionError`), not a bug in a command.
TRANSIENT = (redis.ConnectionError, redis.TimeoutError)


class RedisLink:
    """One worker's Redis client with an ordered outbox for writes (see the module doc)."""

    #: Seconds before the first try after a failure; doubled up to MAX_BACKOFF.
    FIRST_BACKOFF = 0.25
    #: At most this long after Redis is back, every worker has written again what it holds.
    MAX_BACKOFF = 2.0

    _of: ClassVar[weakref.WeakKeyDictionary[Crawler, RedisLink]] = weakref.WeakKeyDictionary()

    def __init__(self, server: Any, keys: Keys, worker: str, stats: Any) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self.stats = stats
        self.pending: deque[Callable[[], Any]] = deque()
        self.down_since: float | None = None
        self.backoff = 0.0
        self.retry_at = 0.0
        #: Called once Redis answers again after an outage (to reconcile ledgers).
        self.on_reconnect: list[Callable[[], None]] = []
        #: The crawl this worker joined (`state.CrawlRecord.id`), once it has.
        self.crawl_id: str | None = None
        #: Requests this worker took from the shared queue and has not finished, with their
        #: ledger entry (`frontier.LedgerQueue` keeps it).
        self.inflight: dict[Any, tuple[bytes, float]] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> RedisLink:
        """The crawler's one link, shared by the scheduler, seeds, items and politeness."""
        if crawler not in cls._of:
            settings = crawler.settings
            keys = Keys.of(settings, crawler.spidercls.name)
            server = get_redis_from_settings(settings)
            cls._of[crawler] = cls(server, keys, worker_id(settings), crawler.stats)
        return cls._of[crawler]

    def join(self, crawl_id: bytes | str | None) -> None:
        """This worker takes part in crawl `crawl_id` (from the record, when it took work or
        saw the crawl under way): it stops when that crawl is finished."""
        if isinstance(crawl_id, bytes):
            crawl_id = crawl_id.decode("utf-8")
        if crawl_id and crawl_id != self.crawl_id:
            self.crawl_id = crawl_id
            logger.info("Joined crawl %s", crawl_id)

    def write(self, command: Callable[[], T]) -> T | None:
        """Run a write that must not be lost, after those still waiting; its result, or None
        when it waits for Redis."""
        if not self.pending and self._reachable():
            try:
                return command()
            except TRANSIENT as error:
                self._failed(error)
        self.pending.append(command)
        return None

    def flush(self) -> bool:
        """Send the writes that wait, in order; False while Redis does not answer."""
        if not self._reachable():
            return False
        while self.pending:
            try:
                self.pending[0]()
            except TRANSIENT as error:
                self._failed(error)
                return False
            self.pending.popleft()
        return True

    def read(self, command: Callable[[], T], default: T) -> T:
        """`command()` once the waiting writes are sent; `default` while Redis does not
        answer (never blocks for longer than one try)."""
        if not self.flush():
            return default
        try:
            return command()
        except TRANSIENT as error:
            self._failed(error)
            return default

    async def drain(self, timeout: float) -> int:
        """Try to send what waits for up to `timeout` seconds; how many writes are left."""
        deadline = time.monotonic() + timeout
        while not self.flush() and time.monotonic() < deadline:
            await asyncio.sleep(max(0.05, min(self.retry_at, deadline) - time.monotonic()))
        return len(self.pending)

    def _reachable(self) -> bool:
        """Whether to send commands now: Redis is up, or (once the backoff has passed) answers
        a PING again — then the `on_reconnect` callbacks run first, before any other command."""
        if self.down_since is None:
            return True
        if time.monotonic() < self.retry_at:
            return False
        try:
            self.server.ping()
        except TRANSIENT as error:
            self._failed(error)
            return False
        self._recovered()
        return self.down_since is None  # (a callback may have found it gone again)

    def _failed(self, error: Exception) -> None:
        now = time.monotonic()
        if self.down_since is None:
            self.down_since = now
            self.backoff = self.FIRST_BACKOFF
            self.stats.inc_value("medcrawl/cluster/redis_outages")
            logger.warning(
                "Redis does not answer (%s): keeping the pages in flight and %d writes until "
                "it does; retrying with backoff",
                error,
                len(self.pending),
            )
        else:
            self.backoff = min(self.backoff * 2, self.MAX_BACKOFF)
        self.retry_at = now + self.backoff

    def _recovered(self) -> None:
        logger.warning("Redis answers again after %.1fs", time.monotonic() - self.down_since)  # type: ignore[operator]
        self.down_since = None
        for callback in self.on_reconnect:
            callback()


def retrying(call: Callable[[], T], first: float = 0.5, most: float = 10.0) -> T:
    """`call()`, retried with backoff while Redis does not answer (logged once an outage)."""
    delay = 0.0
    while True:
        try:
            result = call()
        except TRANSIENT as error:
            if not delay:
                logger.warning("Redis does not answer (%s): retrying with backoff", error)
            delay = min(delay * 2, most) if delay else first
            time.sleep(delay)
            continue
        if delay:
            logger.warning("Redis answers again")
        return result
