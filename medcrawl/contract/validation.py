"""Schema validation of every item the spider yields, before anything is written.

A spider middleware rather than a pipeline: it sees the response, so an invalid item becomes
a `Reject` that names the page it came from. Nothing is dropped silently: a warning line, a
stat `medcrawl/invalid/<kind>`, and a line in `rejects.jsonl` with every validation error and
the record as extracted.
"""

from __future__ import annotations

import logging
from dataclasses import is_dataclass
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from medcrawl.contract.items import OUTPUT_FILES, Reject
from medcrawl.contract.schema import record_errors

logger = logging.getLogger(__name__)


def fields_of(item: Any) -> dict[str, Any]:
    """The item's fields as a dict, without copying a dataclass (ItemAdapter.asdict() costs
    more than validating)."""
    return vars(item) if is_dataclass(item) else ItemAdapter(item).asdict()


def invalid_reject(url: str, kind: str, record: dict[str, Any], errors: list[dict]) -> Reject:
    """The reject line for an item of `kind` that failed its schema."""
    detail = "; ".join(f"{e['path'] or '(record)'}: {e['message']}" for e in errors)
    return Reject(
        url=url,
        reason="invalid",
        detail=detail,
        at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        item_kind=kind,
        errors=errors,
        record=record,
    )


def checked(item: Any, url: str | None, stats: Any) -> Any:
    """`item` when it is valid (or no output item), else its `Reject`, counted in
    `medcrawl/invalid/<kind>` and logged. `url`: the page it came from. The crawl's
    middleware and `medcrawl extract` both check items here."""
    kind = OUTPUT_FILES.get(type(item))
    if kind is None:  # not an output item: the feeds would not write it either
        return item
    record = fields_of(item)
    errors = record_errors(kind, record)
    if not errors:
        return item
    record = dict(record)
    url = url or record.get("url") or "(no page)"
    stats.inc_value(f"medcrawl/invalid/{kind}")
    reject = invalid_reject(url, kind, record, errors)
    logger.warning("Invalid %s item from %s: %s", kind, url, reject.detail)
    return reject


class ValidationMiddleware(BaseSpiderMiddleware):
    """Pass valid items on; turn an invalid one into a `Reject` (reason `invalid`)."""

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        url = response.url if isinstance(response, Response) else None
        return checked(item, url, self.crawler.stats)
