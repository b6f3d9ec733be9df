"""When the site answers with bot challenges: slow down, and past a limit, stop.

The spider recognises a challenge (that is site knowledge, in the page class; a redirect to the
bot check is recognised before it is followed, `medcrawl.crawl.redirect`) and sends the
`challenge_seen` signal; this extension decides what the crawl does about it.
"""

from __future__ import annotations

import logging
import math
from collections import deque

from scrapy import Request, Spider, signals
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from twisted.python.failure import Failure

from medcrawl.scrapy_internals import (
    close_spider_soon,
    disk_queue_dir,
    download_slots,
    fail_request,
    pop_scheduled,
    seen_by_dupefilter,
    take_waiting_downloads,
)

logger = logging.getLogger(__name__)

#: Signal sent by the spider for every page that turned out to be a bot challenge
#: (arguments: `url`, the URL asked for).
challenge_seen = object()

#: The finish reason of a crawl stopped by too many challenges.
FINISH_REASON = "challenged"


class CrawlStopped(IgnoreRequest):
    """A request dropped from a download queue because the crawl is stopping."""

    reason = "stopped"


class Challenged(IgnoreRequest):
    """A request answered by a redirect to the bot check, which is not followed."""

    reason = "challenge"


class ChallengeGuard:
    """Raise the download delay when challenges pile up; stop the crawl after a limit.

    When at least `MEDCRAWL_CHALLENGE_RATE` of the last `MEDCRAWL_CHALLENGE_WINDOW` responses
    were challenges, every download slot's delay goes up — to `MEDCRAWL_CHALLENGE_DELAY`
    the first time, doubled each time after, at most `AUTOTHROTTLE_MAX_DELAY` — and is held
    there (AutoThrottle may raise it, not lower it). After `MEDCRAWL_CHALLENGE_LIMIT`
    challenges in a run (0: never) the crawl closes with finish reason `challenged`.
    Off in replay: an archive cannot be slowed down.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.window = max(1, settings.getint("MEDCRAWL_CHALLENGE_WINDOW"))
        self.threshold = max(
            1, math.ceil(settings.getfloat("MEDCRAWL_CHALLENGE_RATE") * self.window)
        )
        self.first_delay = settings.getfloat("MEDCRAWL_CHALLENGE_DELAY")
        self.max_delay = settings.getfloat("AUTOTHROTTLE_MAX_DELAY")
        self.limit = settings.getint("MEDCRAWL_CHALLENGE_LIMIT")
        self.responses = 0
        self.challenges = 0
        self.recent: deque[int] = deque(maxlen=self.window)  # response numbers of challenges
        self.floor = 0.0  # the raised delay, kept on every slot
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeGuard:
        if crawler.settings.get("MEDCRAWL_REPLAY"):
            # Off in an ordinary run: no message, so Scrapy logs no warning about it.
            raise NotConfigured
        guard = cls(crawler)
        crawler.signals.connect(guard.response_received, signal=signals.response_received)
        crawler.signals.connect(guard.challenge_seen, signal=challenge_seen)
        return guard

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        self.responses += 1
        if self.floor:
            for slot in download_slots(self.crawler).values():
                slot.delay = max(slot.delay, self.floor)

    def challenge_seen(self, url: str) -> None:
        stats = self.crawler.stats
        self.challenges += 1
        stats.inc_value("medcrawl/challenge/count")
        self.recent.append(self.responses)
        if self.limit and self.challenges >= self.limit:
            self.stop()
            return
        recent = sum(1 for n in self.recent if n > self.responses - self.window)
        if recent >= self.threshold:
            self.slow_down(recent)

    def slow_down(self, recent: int) -> None:
        slots = download_slots(self.crawler).values()
        current = max([self.floor, *(slot.delay for slot in slots)])
        self.floor = min(self.max_delay, max(self.first_delay, current * 2))
        for slot in slots:
            slot.delay = max(slot.delay, self.floor)
        self.recent.clear()  # the next step needs fresh evidence
        self.crawler.stats.inc_value("medcrawl/challenge/slowdowns")
        self.crawler.stats.max_value("medcrawl/challenge/delay", self.floor)
        logger.warning(
            "Bot challenges on %d of the last %d responses: download delay raised to %.1fs",
            recent,
            self.window,
            self.floor,
        )

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        logger.error(
            "Stopping the crawl: %d bot challenges (MEDCRAWL_CHALLENGE_LIMIT=%d)",
            self.challenges,
            self.limit,
        )
        close_spider_soon(self.crawler, FINISH_REASON)
        # Scrapy finishes every request already handed to the downloader before it closes; take
        # back those still waiting for their turn, so a stop is one.
        scheduler = self.crawler.engine.scheduler
        if isinstance(scheduler, Scheduler) and disk_queue_dir(scheduler):
            # A resumable job (JOBDIR): the scheduler's disk queue saves them for the resumed
            # run. A download answered with a Request sends it back to the scheduler, here past
            # the dupefilter that has seen it.
            for request, queued in take_waiting_downloads(self.crawler):
                self.crawler.stats.inc_value("medcrawl/challenge/requeued")
                queued.callback(request.replace(dont_filter=True))
            return
        for _, queued in take_waiting_downloads(self.crawler):
            queued.errback(stopped())
        if isinstance(scheduler, Scheduler):
            # Its queue ends with the run: each request still in it, or scheduled from a page
            # still in flight, is a `stopped` reject too, through the spider's errback as a
            # failed download is. (A shared frontier, cluster mode, keeps its requests.)
            for request in pop_scheduled(scheduler):
                fail_request(self.crawler, request, stopped())
            self.crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        """After a stop: a new request becomes a `stopped` reject instead of waiting in a queue
        that dies with the run — unless the dupefilter drops it as already asked for."""
        scheduler: Scheduler = self.crawler.engine.scheduler  # type: ignore[assignment,union-attr]
        if request.dont_filter or not seen_by_dupefilter(scheduler, request):
            fail_request(self.crawler, request, stopped())
        raise IgnoreRequest("crawl stopped")  # not scheduled


def stopped() -> Failure:
    """The failure of a request dropped because the crawl stopped (one per request: Scrapy
    notes the request on it)."""
    return Failure(CrawlStopped(f"crawl stopped: {FINISH_REASON}"))
