"""Politeness that holds across workers: a per-host rate limit kept in Redis, taken at the
moment a request is sent and released only once its answer is in.

Where it is taken matters. Scrapy applies `DOWNLOAD_DELAY` and AutoThrottle in the
downloader's per-host slot queue, *after* the downloader middlewares: a token taken in a
middleware is spent 0.3–1.6 s before the request really leaves, so two workers could send
requests 20 ms apart. A download handler is the last step before the network: this one
wraps the http/https handlers (Scrapy's, or any configured) and takes the host's token right
before handing the request to them.

When it is given back matters too. Even there, the bytes leave a moment later — after a new
connection's handshake, or whenever a busy machine gets to it: tens of ms that differ from one
request to the next, so a token that merely expired after the interval let two requests reach
the site less than the interval apart. The one moment a client knows its request has reached
the site is when the answer (or the failure) is in: the token is held until then, and lasts
the interval from there. So the site sees requests at least the interval apart — one at a
time — whatever the delays on the way. Replayed pages never get here (the replay middleware
answers them first), so they never wait.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from typing import ClassVar

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

from medcrawl.cluster import WRAPPED_HANDLERS
from medcrawl.cluster.link import RedisLink

logger = logging.getLogger(__name__)

KEY = "medcrawl:politeness:%s"
#: Seconds a token outlives its request's download timeout: what a worker killed mid-request
#: costs the others (its token expires by itself).
HOLD_SLACK = 5.0

# KEYS: the host's token. ARGV: this request's holder id, milliseconds to hold it at most.
# 0 when the token was taken, else the milliseconds until it may be free.
_TAKE_TOKEN = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
return math.max(redis.call('PTTL', KEYS[1]), 1)
"""

# KEYS: the host's token. ARGV: holder id, interval in milliseconds. The answer is in: the
# token lasts the interval from now (unless it expired and another request holds it).
_RELEASE_TOKEN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
"""

#: Longest sleep between two looks at a token (a stopping worker notices within it).
LONGEST_WAIT = 0.5


class WorkerStopping(Exception):
    """A request the worker took from the shared queue and had not sent when it was told to
    stop: `RequeueOnStop` gives it back to the queue."""


class SharedRateHandler:
    """Download handler for http and https in cluster mode: one request at a time to a host,
    each sent at least `MEDCRAWL_DOMAIN_INTERVAL` seconds after the previous one's answer,
    from all workers together.

    Before handing a request to the wrapped handler it takes the host's token — a Redis key
    set with `NX` (Redis's clock, so the workers' clocks don't matter); when the answer or the
    failure is in, the key is set to expire after the interval. While another request holds
    it, a request waits without blocking the crawl (stat `medcrawl/politeness/delayed`); while
    Redis does not answer it waits too, never failing as the site's fault. A worker told to
    stop gives back the requests it took and has not sent (`WorkerStopping`).

    It adds to each worker's own politeness (`DOWNLOAD_DELAY`, AutoThrottle, one request at
    a time per host). `MEDCRAWL_DOMAIN_INTERVAL = 0`: no shared limit.
    """

    lazy = False

    _of: ClassVar[weakref.WeakKeyDictionary[Crawler, SharedRateHandler]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # The wrapped handlers are made now, not at the first request: their first-use cost
        # would fall between taking a token and sending.
        wrapped = crawler.settings.getdict(WRAPPED_HANDLERS)
        made = {path: build_from_crawler(load_object(path), crawler) for path in wrapped.values()}
        self.handlers = {scheme: made[path] for scheme, path in wrapped.items()}
        self.interval_ms = round(crawler.settings.getfloat("MEDCRAWL_DOMAIN_INTERVAL") * 1000)
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        self.link = RedisLink.of(crawler)
        self._take = self.link.server.register_script(_TAKE_TOKEN)
        self._release = self.link.server.register_script(_RELEASE_TOKEN)
        self.closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRateHandler:
        """One handler for both schemes (Scrapy asks once per scheme)."""
        if crawler not in cls._of:
            cls._of[crawler] = cls(crawler)
        return cls._of[crawler]

    async def download_request(self, request: Request) -> Response:
        handler = self.handlers[urlparse_cached(request).scheme]
        if self.interval_ms <= 0:
            return await handler.download_request(request)
        key = KEY % (urlparse_cached(request).hostname or "")
        holder = f"{self.link.worker}/{uuid.uuid4().hex}"
        await self.take(key, holder, request)
        try:
            return await handler.download_request(request)
        finally:
            args = [holder, self.interval_ms]
            self.link.write(lambda: self._release(keys=[key], args=args))

    async def take(self, key: str, holder: str, request: Request | None = None) -> None:
        """Wait until `holder` holds the token `key` (or raise WorkerStopping for a request
        from the shared queue when the worker is stopping)."""
        timeout = (request.meta.get("download_timeout") if request else None) or self.timeout
        args = [holder, round((timeout + HOLD_SLACK) * 1000) + self.interval_ms]
        delayed = False
        while True:
            if request in self.link.inflight and self.stopping():
                raise WorkerStopping(request.url)  # type: ignore[union-attr]
            wait_ms = self.link.read(lambda: self._take(keys=[key], args=args), None)
            if wait_ms == 0:
                return
            if wait_ms is not None and not delayed:
                delayed = True
                self.crawler.stats.inc_value("medcrawl/politeness/delayed")
            wait = self.link.backoff if wait_ms is None else wait_ms / 1000
            await asyncio.sleep(min(max(wait, 0.001), LONGEST_WAIT))

    def stopping(self) -> bool:
        """The engine is shutting down (Ctrl-C, SIGTERM)."""
        engine = self.crawler.engine
        return engine is not None and not engine.running

    async def close(self) -> None:
        if self.closed:  # asked once per scheme
            return
        self.closed = True
        for handler in {id(h): h for h in self.handlers.values()}.values():
            await handler.close()


class RequeueOnStop:
    """Downloader middleware (closest to the downloader): a request a stopping worker had not
    sent goes back to the shared queue for another worker (`medcrawl/cluster/requeued`),
    instead of failing as a page. So a stopping worker is quick — it sends nothing more —
    and loses nothing."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequeueOnStop:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if not isinstance(exception, WorkerStopping):
            return None
        self.stats.inc_value("medcrawl/cluster/requeued")
        return request.replace(dont_filter=True)  # already seen: it must get past the filter
