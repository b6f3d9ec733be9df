"""Field coverage: the share of written records where each field is non-empty.

A silent selector breakage shows here first: the page still parses, but `answers.text` or
`doctors.title_rank` goes empty. `FieldCoverage` counts every item as it is written
(Scrapy's `item_scraped`, the signal the feed exports write on) into the crawl stats:

- `medcrawl/items/<kind>` — records written to `<kind>.jsonl`
- `medcrawl/filled/<kind>/<field>` — of those, records whose field is non-empty
- `medcrawl/answers_with_causes` — answers that have a cause list (their cause #1 was written)

`coverage()` turns those stats into shares; the monitors and the manifest read it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from medcrawl.contract.items import OUTPUT_FILES, Cause, Reject
from medcrawl.contract.validation import fields_of

#: Fields that are never empty by construction and say nothing about the page.
NOT_PAGE_FIELDS = frozenset({"schema_version"})
#: Item kinds with coverage (rejects are a log, not data).
KIND_FIELDS: dict[str, list[str]] = {
    kind: [f.name for f in fields(cls) if f.name not in NOT_PAGE_FIELDS]
    for cls, kind in OUTPUT_FILES.items()
    if cls is not Reject
}


#: The stat each (kind, field) counts into, built once: `medcrawl/filled/<kind>/<field>`.
_FILLED_STATS: dict[str, list[tuple[str, str]]] = {
    kind: [(name, f"medcrawl/filled/{kind}/{name}") for name in names]
    for kind, names in KIND_FIELDS.items()
}


def filled_stats(kind: str, values: dict[str, Any]) -> list[str]:
    """The `medcrawl/filled/…` stats a record of `kind` with these field values counts in."""
    return [stat for name, stat in _FILLED_STATS.get(kind, ()) if is_filled(values.get(name))]


def count_written(stats: Any, kind: str, filled: list[str], first_cause: bool = False) -> None:
    """Count one written record of `kind` whose non-empty fields are `filled` (stat names,
    `filled_stats`); `first_cause`: it is cause #1 of an answer."""
    stats.inc_value(f"medcrawl/items/{kind}")
    for stat in filled:
        stats.inc_value(stat)
    if first_cause:
        stats.inc_value("medcrawl/answers_with_causes")


def is_filled(value: Any) -> bool:
    """Non-empty: not None, not `""`, not `[]` / `{}`. Zero and False are values."""
    return value is not None and value != "" and value != [] and value != {}


def records(stats: dict[str, Any], kind: str) -> int:
    """Records written to `<kind>.jsonl`, from the crawl stats."""
    return int(stats.get(f"medcrawl/items/{kind}", 0))


def coverage(stats: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """`{kind: {field: share of records with the field non-empty}}`; None for a kind with no
    records (nothing to measure)."""
    out: dict[str, dict[str, float | None]] = {}
    for kind, names in KIND_FIELDS.items():
        total = records(stats, kind)
        out[kind] = {
            name: (
                round(stats.get(f"medcrawl/filled/{kind}/{name}", 0) / total, 4) if total else None
            )
            for name in names
        }
    return out


def answers_with_causes(stats: dict[str, Any]) -> float | None:
    """Share of written answers that have a cause list; None when no answer was written."""
    total = records(stats, "answers")
    return round(stats.get("medcrawl/answers_with_causes", 0) / total, 4) if total else None


class FieldCoverage:
    """Count written records and their non-empty fields into the crawl stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldCoverage:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def item_scraped(self, item: Any) -> None:
        count(self.stats, item)


def count(stats: Any, item: Any) -> None:
    """Count one written item and its non-empty fields into `stats` (a stats collector); a
    cluster crawl's collector counts its run folder's records this way."""
    kind = OUTPUT_FILES.get(type(item))
    if kind is None:
        return
    filled = filled_stats(kind, fields_of(item)) if kind in KIND_FIELDS else []
    count_written(stats, kind, filled, isinstance(item, Cause) and item.position == 1)
