"""Whether a log line would be written anywhere, asked before it is made.

Scrapy sets the root logger to NOTSET and filters by `LOG_LEVEL` in its handler, so
`Logger.isEnabledFor(DEBUG)` is always true in a crawl and every DEBUG call builds a record
(its caller looked up in the stack) that no handler then writes: ~20 µs, for lines written
once an item.
"""

from __future__ import annotations

import logging


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
