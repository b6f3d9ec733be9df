"""Schema validation of every item the spider yields, before anything is written.

A spider middleware rather than a pipeline: it sees the response, so an invalid item becomes
a `Reject` that names the page it came from. Nothing is dropped silently: a warning line, a
stat `medcrawl/invalid/<kind>`, and a line in `rejects.jsonl` with every validation error and
the record as extracted.

A page's items are validated together, as a family, so no record in the files points at one
that is not there (README "Validation and rejects"): the answers and causes of an invalid
question, and the causes of an invalid answer, are rejected with it; a link to a shared record
(doctor, drug, encyclopedia entry) that failed is taken out of the question or answer that
holds it (null, or left out of the list), which stays.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import is_dataclass
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.http import Response

from medcrawl.contract.items import OUTPUT_FILES, Answer, Cause, Question, Reject
from medcrawl.contract.pages import requests_holding_page, requests_holding_page_async
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


#: Links to records a page shares with others: (item class, field) → the kind it points at.
SHARED_LINKS: dict[tuple[type, str], str] = {
    (Question, "encyclopedia_id"): "encyclopedia",
    (Question, "drug_ids"): "drugs",
    (Question, "recommended_doctor_ids"): "doctors",
    (Answer, "doctor_id"): "doctors",
}


def page_errors(items: list[Any]) -> list[list[dict[str, str]]]:
    """Each item's validation errors ([] when it is valid), its family's included: an answer
    of an invalid question, a cause of an invalid question or answer fails with it (one error
    on the link). Links from valid questions and answers to shared records that failed are
    taken out of them (see the module's docstring)."""
    errors = [_errors(item) for item in items]
    failed: set[str] = set()  # ids of invalid questions and answers
    gone: dict[str, set[str]] = {}  # kind → ids of shared records that failed
    for item, found in zip(items, errors, strict=True):
        item_id = getattr(item, "id", None)
        if isinstance(item, (Answer, Cause)):
            for link in ("question_id", "answer_id"):
                parent = getattr(item, link, None)
                if parent in failed and not found:
                    found.append({"path": link, "message": f"{parent} failed its schema"})
        if found and item_id is not None:
            if isinstance(item, (Question, Answer)):
                failed.add(item_id)
            elif (kind := OUTPUT_FILES.get(type(item))) in SHARED_LINKS.values():
                gone.setdefault(kind, set()).add(item_id)
    for item, found in zip(items, errors, strict=True):
        if not found:
            _unlink(item, gone)
    return errors


def _errors(item: Any) -> list[dict[str, str]]:
    kind = OUTPUT_FILES.get(type(item))
    return [] if kind is None else record_errors(kind, fields_of(item))


def _unlink(item: Any, gone: dict[str, set[str]]) -> None:
    """Take links to shared records that failed out of a valid item (null, or out of a list):
    it stays valid, and points at nothing that is not in the files."""
    for (cls, field), kind in SHARED_LINKS.items():
        if not isinstance(item, cls) or not gone.get(kind):
            continue
        value = getattr(item, field)
        if isinstance(value, list):
            setattr(item, field, [v for v in value if v not in gone[kind]])
        elif value in gone[kind]:
            setattr(item, field, None)


class ValidationMiddleware:
    """Pass valid items on; turn an invalid one into a `Reject` (reason `invalid`). A page's
    items are held until the page is done, and validated as a family (`page_errors`);
    requests pass at once. Universal (a sync and an async `process_spider_output`), so a
    chain of sync middlewares stays sync."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Items from the spider's start (a seed's reject), each on its own."""
        async for entry in start:
            yield next(self.validated([entry], None))

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        page: list[Any] = []
        yield from requests_holding_page(result, page)
        yield from self.validated(page, response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        page: list[Any] = []
        async for request in requests_holding_page_async(result, page):
            yield request
        for item in self.validated(page, response):
            yield item

    def validated(self, page: list[Any], response: Response | None) -> Iterator[Any]:
        """The page's entries, each invalid item (and its family) replaced by its reject."""
        url = response.url if isinstance(response, Response) else None
        return validate_page(page, url, self.crawler.stats)


def validate_page(page: list[Any], url: str | None, stats: Any) -> Iterator[Any]:
    """A page's entries, each invalid item (and its family, `page_errors`) replaced by its
    reject, counted in `medcrawl/invalid/<kind>` and logged. `url`: the page. The crawl's
    middleware and `medcrawl extract` both validate here."""
    for item, errors in zip(page, page_errors(page), strict=True):
        yield rejected(item, errors, url, stats) if errors else item


def rejected(item: Any, errors: list[dict], url: str | None, stats: Any) -> Reject:
    kind = OUTPUT_FILES[type(item)]
    record = dict(fields_of(item))
    url = url or record.get("url") or "(no page)"
    stats.inc_value(f"medcrawl/invalid/{kind}")
    reject = invalid_reject(url, kind, record, errors)
    logger.warning("Invalid %s item from %s: %s", kind, url, reject.detail)
    return reject
