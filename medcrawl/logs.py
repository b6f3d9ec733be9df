"""Whether a log line would be written anywhere, asked before it is made.

Scrapy sets the root logger to NOTSET and filters by `LOG_LEVEL` in its handler, so
`Logger.isEnabledFor(DEBUG)` is always true in a crawl and every DEBUG call builds a record
(its caller looked up in the stack) that no handler then writes: ~20 µs, for lines written
once an item.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


def heard(logger: logging.Logger, level: int) -> bool:
    """True when some handler `logger`'s records reach takes records of `level`."""
    if not logger.isEnabledFor(level):
        return False
    current: logging.Logger | None = logger
    while current is not None:
        if any(level >= handler.level for handler in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return logging.lastResort is not None and level >= logging.lastResort.level


class QuietLogFormatter(LogFormatter):
    """Scrapy's log formatter, but the lines logged for every page and item (`Crawled …`,
    `Scraped from …`, `Dropped: …`) are not made when no handler would write them (at the
    default `LOG_LEVEL` INFO, their DEBUG records were built and thrown away)."""

    def crawled(self, request: Any, response: Any, spider: Any) -> LogFormatterResult | None:
        return _if_heard(ENGINE_LOGGER, super().crawled(request, response, spider))

    def scraped(self, item: Any, response: Any, spider: Any) -> LogFormatterResult | None:
        return _if_heard(SCRAPER_LOGGER, super().scraped(item, response, spider))

    def dropped(
        self, item: Any, exception: BaseException, response: Any, spider: Any
    ) -> LogFormatterResult | None:
        return _if_heard(SCRAPER_LOGGER, super().dropped(item, exception, response, spider))


#: The loggers Scrapy's engine and scraper write those lines with.
ENGINE_LOGGER = logging.getLogger("scrapy.core.engine")
SCRAPER_LOGGER = logging.getLogger("scrapy.core.scraper")


def _if_heard(
    logger: logging.Logger, entry: LogFormatterResult | None
) -> LogFormatterResult | None:
    return entry if entry is not None and heard(logger, entry["level"]) else None
