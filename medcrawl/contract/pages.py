"""A callback's output seen a page at a time, for the spider middlewares that judge or write
a page's items together (validation, page commits): requests pass on as they come, the
items are held in one list."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request


def requests_holding_page(result: Iterable[Any], page: list[Any]) -> Iterator[Request]:
    """The requests of `result`, as they come; everything else is appended to `page`."""
    for entry in result:
        if isinstance(entry, Request):
            yield entry
        else:
            page.append(entry)


async def requests_holding_page_async(
    result: AsyncIterator[Any], page: list[Any]
) -> AsyncIterator[Request]:
    """`requests_holding_page` for an asynchronous callback output."""
    async for entry in result:
        if isinstance(entry, Request):
            yield entry
        else:
            page.append(entry)
