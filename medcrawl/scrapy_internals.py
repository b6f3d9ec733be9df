"""Every use of Scrapy's internals in medcrawl, each behind one small function.

Scrapy's documented API has no way to do these things; each function says what it relies on
and why. `tests/test_scrapy_internals.py` checks each against the installed Scrapy — the
attribute or function is there with the expected shape, and the behaviour relied on holds in a
tiny real crawl — and fails naming the function and the Scrapy version when an upgrade changes
it. Checked against Scrapy 2.19.0 (Twisted 26.10.0); `pyproject.toml` pins `scrapy<2.20` so
an upgrade is a decision: lift the pin once those tests pass on the new version.

Nothing else in the package touches an underscore name of another library but two type names
in annotations (`tests/test_scrapy_internals.py` scans for them). Not here because public API
does it: Twisted's `ResponseFailed` / `ResponseNeverReceived`, from `twisted.web.client`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.commands import BaseRunSpiderCommand
    from scrapy.core.downloader import Slot
    from scrapy.core.scheduler import Scheduler
    from scrapy.crawler import Crawler, CrawlerRunnerBase
    from scrapy.http import Response
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

# --- the engine -------------------------------------------------------------------------------


def close_spider_soon(crawler: Crawler, reason: str) -> None:
    """Start closing the spider with finish reason `reason`, from synchronous code (a signal
    handler), without waiting for it.

    Relies on `scrapy.utils.defer._schedule_coro(coro)`: runs the coroutine as an asyncio task
    (a Deferred without asyncio) and keeps no reference — the way Scrapy's engine closes a
    spider itself. Public API: `ExecutionEngine.close_spider_async()` is a coroutine a sync
    caller cannot await, and `CloseSpider` raised in a signal handler is only logged.
    (`scrapy.utils.defer.deferred_from_coro()` would start it too; this keeps the behaviour
    the crawl was tested with.)
    """
    _schedule_coro(crawler.engine.close_spider_async(reason=reason))  # type: ignore[union-attr]


def requests_in_progress(crawler: Crawler) -> set[Request]:
    """The requests the engine holds and has not finished with: from their download until
    their callback's output is processed (items through the pipelines and `item_scraped`,
    new requests scheduled). Empty before the engine opens and after it closes.

    Relies on `ExecutionEngine._slot.inprogress`. Public API: signals tell when a response
    arrives and when an item is scraped, not when the engine is done with a request.
    """
    slot = crawler.engine._slot  # type: ignore[union-attr]
    return slot.inprogress if slot is not None else set()


def wake_engine(crawler: Crawler) -> None:
    """Make the engine ask the scheduler for requests now, not at its next heartbeat (5 s):
    for a scheduler that gets requests from outside the engine (a shared frontier).

    Relies on `ExecutionEngine._slot.nextcall.schedule()`. Public API: `engine.crawl()`
    wakes the engine only for a request handed to it, not for one another process queued.
    """
    slot = crawler.engine._slot  # type: ignore[union-attr]
    if slot is not None:
        slot.nextcall.schedule()


# --- the scheduler ----------------------------------------------------------------------------


def disk_queue_dir(scheduler: Scheduler) -> str | None:
    """The folder where Scrapy's scheduler keeps its queue between runs (`JOBDIR`), or None.

    Relies on `Scheduler.dqdir`. Public API: the `JOBDIR` setting says a job was asked for,
    not that the scheduler in use keeps its queue there.
    """
    return scheduler.dqdir


def pop_scheduled(scheduler: Scheduler) -> Iterator[Request]:
    """Take every request out of the scheduler's queue, highest priority first.

    Relies on `Scheduler.next_request()` — documented for the engine to call — handing each
    request out once and returning None when the queue is empty. Public API has no way to
    empty a queue.
    """
    while (request := scheduler.next_request()) is not None:
        yield request


def seen_by_dupefilter(scheduler: Scheduler, request: Request) -> bool:
    """Whether the scheduler's dupefilter has seen `request` — and from now on it has.

    Relies on `Scheduler.df`, the dupefilter the scheduler filters with, whose
    `request_seen()` records the request as it answers. Public API: the dupefilter is built
    by the scheduler and not handed out.
    """
    return scheduler.df.request_seen(request)


# --- the scraper and the downloader -----------------------------------------------------------


def fail_request(crawler: Crawler, request: Request, failure: Failure) -> None:
    """Hand `request` to the spider as failed with `failure`, as a failed download is: its
    errback runs and what it returns goes through the spider middlewares and pipelines.

    Relies on `Scraper.enqueue_scrape(result, request)`. Public API: a request the engine
    never downloads has no way to reach its errback.
    """
    crawler.engine.scraper.enqueue_scrape(failure, request)  # type: ignore[union-attr]


def download_slots(crawler: Crawler) -> dict[str, Slot]:
    """The downloader's slots by key (one per site): each has `delay`, the wait between its
    downloads, which may be raised (as AutoThrottle does), and `queue`, the requests waiting
    for their turn.

    Relies on `Downloader.slots`. Public API: `DOWNLOAD_SLOTS` sets a slot's delay when the
    crawl starts, not while it runs.
    """
    return crawler.engine.downloader.slots  # type: ignore[union-attr]


def take_waiting_downloads(crawler: Crawler) -> Iterator[tuple[Request, Deferred[Response]]]:
    """Take out of the downloader the requests still waiting for their slot's turn, each
    with its Deferred: firing it with a Failure fails the download, with a Request sends that
    to the scheduler instead.

    Relies on `Slot.queue`, a deque of `(request, deferred)` the downloader dispatches from.
    Public API: a request handed to the downloader cannot be taken back.
    """
    for slot in download_slots(crawler).values():
        while slot.queue:
            yield slot.queue.popleft()


def hold_download_slot(crawler: Crawler, slot: Slot, seconds: float) -> None:
    """No request of `slot` starts before `seconds` from now (any `DOWNLOAD_DELAY`, even 0);
    then the slot's queue resumes.

    Relies on the downloader not dispatching a slot's queue while `Slot.latercall` is set, and
    on `Downloader._latercall(slot)` clearing it and dispatching — its own "wait for the
    delay" hook. Public API: `engine.pause()` stops every slot, and a slot's `delay` only
    spaces downloads, it cannot hold back the next one for a given time.
    """
    downloader = crawler.engine.downloader  # type: ignore[union-attr]
    if slot.latercall:
        slot.latercall.cancel()
    slot.latercall = call_later(seconds, downloader._latercall, slot)


def downloads_in_flight(crawler: Crawler) -> int:
    """How many requests the downloader holds (waiting in a slot or downloading).

    Relies on `Downloader.active`. Public API: the stats count requests and responses, not
    what is between them.
    """
    return len(crawler.engine.downloader.active)  # type: ignore[union-attr]


# --- responses --------------------------------------------------------------------------------


def release_selector(response: Response) -> None:
    """Let go of the Selector a response caches for `response.xpath()` / `.css()`. It points
    back at the response, so a parsed page (its lxml tree, its body) outlives its callback
    until the next full garbage collection: ~100 of them at a time, and collections that
    must free them. Released, the page goes when its last reference does; `response.selector`
    parses the page again if anything asks for it later.

    Relies on `TextResponse._cached_selector`, where `TextResponse.selector` keeps the
    Selector it builds (and builds one when it is None). Public API: a response's selector can
    be read, not forgotten.
    """
    if getattr(response, "_cached_selector", None) is not None:
        response._cached_selector = None  # type: ignore[attr-defined]


# --- commands ---------------------------------------------------------------------------------


def command_crawler(command: BaseRunSpiderCommand, spider_name: str) -> Crawler:
    """The crawler a `scrapy crawl`-like command runs, as Scrapy's own `crawl` creates it
    (with its warning when `-o` feeds are set but no item is scraped).

    Relies on `BaseRunSpiderCommand._create_crawler(spider)`. Public API:
    `crawler_process.crawl(name)` creates its crawler inside and does not return it, and
    the command needs it afterwards for the run's stats.
    """
    return command._create_crawler(spider_name)


def bootstrap_failed(process: CrawlerRunnerBase) -> bool:
    """Whether a crawl of `process` could not start (its spider or a component raised).

    Relies on `CrawlerProcess.bootstrap_failed`, which Scrapy's own commands read for exit
    status 1. Public API: `crawl()` reports the error only in the log.
    """
    return bool(process.bootstrap_failed)
