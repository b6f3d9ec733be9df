"""When a page was fetched — the base of its relative dates — for a crawl and for
`medcrawl extract` alike."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.http import Response


def fetched_at(response: Response) -> datetime:
    """When the page was fetched: the response's `Date` header (an archived page keeps its
    capture date), else now. Relative dates on the page (`3天前`) count from here."""
    header = response.headers.get(b"Date")
    if header:
        try:
            return parsedate_to_datetime(header.decode("latin-1")).astimezone(timezone.utc)
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc).replace(microsecond=0)
