"""The feeds' exporter writes exactly the bytes Scrapy's JsonLinesItemExporter writes: for
every item of every fixture page of every site, a reject, and the items it leaves to
Scrapy's own path."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from scrapy.exporters import JsonLinesItemExporter

from medcrawl.contract.items import Reject
from medcrawl.contract.jsonlines import JsonLinesExporter
from medcrawl.sites import sites
from medcrawl.sites.spider import fetched_at
from tests.conftest import PAGE_CLASSES, fixture_names, fixture_response


def exported(exporter_class: type, items: list[Any], **options: Any) -> bytes:
    file = io.BytesIO()
    exporter = exporter_class(file, encoding="utf-8", **options)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return file.getvalue()


def page_items(site: str, name: str) -> list[Any]:
    response = fixture_response(site, name)
    page = PAGE_CLASSES[site](response, fetched_at(response))
    return list(page.items()) if page.problem() is None else []


@pytest.mark.parametrize("site", sorted(sites()))
def test_every_fixture_item_is_written_as_scrapy_writes_it(site):
    items = [item for name in fixture_names(site) for item in page_items(site, name)]
    assert len(items) > 20
    written = exported(JsonLinesExporter, items)
    assert written == exported(JsonLinesItemExporter, items)
    assert written.count(b"\n") == len(items)
    assert "医".encode() in written  # UTF-8 as it is, not \u escapes


def test_a_reject_with_its_errors_and_record_is_written_as_scrapy_writes_it():
    reject = Reject(
        url="https://example.com/q/1.html",
        reason="invalid",
        detail="id: None is not of type 'string'",
        at="2026-11-30T09:00:00+00:00",
        item_kind="answers",
        errors=[{"path": "id", "message": "None is not of type 'string'"}],
        record={"id": None, "text": "头痛\n多休息"},
    )
    assert exported(JsonLinesExporter, [reject]) == exported(JsonLinesItemExporter, [reject])


@dataclass
class Serialised:
    name: str = "x"
    size: int = field(default=3, metadata={"serializer": str})


def test_what_the_short_path_does_not_cover_goes_scrapys_way():
    cases: list[tuple[list[Any], dict[str, Any]]] = [
        ([Serialised()], {}),  # a field with a serializer
        ([{"b": 1, "a": "二"}], {}),  # not a dataclass
        ([Reject(url="u", reason="r")], {"fields_to_export": ["reason", "url"]}),
    ]
    for items, options in cases:
        ours = exported(JsonLinesExporter, items, **options)
        assert ours == exported(JsonLinesItemExporter, items, **options)
    assert exported(JsonLinesExporter, [Serialised()]) == b'{"name": "x", "size": "3"}\n'
