"""Output that could not be written fails the run.

A feed that cannot be written (no permission, a full disk, a rename refused) or a manifest
that cannot be stored is recorded here: one ERROR line, the stat `medcrawl/output/error` (what
failed first) and `medcrawl/output/errors` (how often), and the crawl stops with finish
reason `output_error` — fetching on while nothing can be stored would only hide it. `scrapy
crawl` then exits 3 (`medcrawl.cli.commands.crawl`) with the first error as its reason.
"""

from __future__ import annotations

import logging
from typing import Any
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

from medcrawl.scrapy_internals import close_spider_soon

logger = logging.getLogger(__name__)

ERROR_STAT = "medcrawl/output/error"
COUNT_STAT = "medcrawl/output/errors"
#: The finish reason of a crawl stopped because its output could not be written.
FINISH_REASON = "output_error"

_FAILED: WeakKeyDictionary[Crawler, bool] = WeakKeyDictionary()


class OutputFailed(OSError):
    """Raised where a caller must not go on as if the output were stored (a feed's `store()`:
    Scrapy then logs `Error storing …` and counts `feedexport/failed_count`)."""


def _one_line(record: logging.LogRecord) -> bool:
    """Log filter: an `OutputFailed` is said in one line — the cause was logged already."""
    if record.exc_info and isinstance(record.exc_info[1], OutputFailed):
        record.msg = f"{record.msg}: {record.exc_info[1]}"
        record.exc_info = record.exc_text = None
    return True


#: Where Scrapy logs a feed that `store()` refused.
logging.getLogger("scrapy.extensions.feedexport").addFilter(_one_line)


def describe(error: BaseException, what: str) -> str:
    """`[Errno 28] No space left on device: '/out/causes.jsonl.part'` — short, no traceback."""
    if isinstance(error, OSError) and error.strerror:
        where = repr(str(error.filename or what))
        if error.filename2:  # a rename: where to
            where += f" -> {str(error.filename2)!r}"
        return f"[Errno {error.errno}] {error.strerror}: {where}"
    return f"{type(error).__name__}: {error} ({what})"


def output_failed(crawler: Crawler | None) -> bool:
    """Whether this crawl could not write some of its output."""
    return crawler is not None and _FAILED.get(crawler, False)


def record_failure(crawler: Crawler, error: BaseException, what: str) -> None:
    """Record that `what` (a path) could not be written; the first failure stops the crawl."""
    message = describe(error, what)
    stats = crawler.stats
    stats.inc_value(COUNT_STAT)
    if output_failed(crawler):
        logger.debug("Could not write output (again): %s", message)
        return
    _FAILED[crawler] = True
    stats.set_value(ERROR_STAT, message)
    logger.error("Could not write output: %s; stopping the crawl", message)
    try:
        crawling = crawler.engine.spider is not None
    except RuntimeError:  # no engine yet: nothing to stop
        return
    if crawling:
        close_spider_soon(crawler, FINISH_REASON)


def output_problem(stats: dict[str, Any]) -> str | None:
    """Why the run's output is not whole, or None: an error recorded here, or a feed Scrapy
    could not store (`feedexport/failed_count/*`)."""
    if stats.get(ERROR_STAT):
        return f"could not write output: {stats[ERROR_STAT]}"
    failed = sum(v for k, v in stats.items() if k.startswith("feedexport/failed_count"))
    if failed:
        return f"could not write output: {failed} feed(s) not stored (see the ERROR lines)"
    return None
