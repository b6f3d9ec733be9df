"""Property-based: mutated 120ask fixture pages never crash the page class; every page is
either items that all validate against the output schemas, or a reject reason.

Mutations: truncation, byte flips, an element deleted or duplicated, class attributes swapped
between elements, the page re-encoded (and so mislabelled by its own `<meta charset>`)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter
from scrapy.http import HtmlResponse

from medcrawl.contract.items import OUTPUT_FILES
from medcrawl.contract.schema import record_errors
from medcrawl.sites.ask120.pages import Ask120QuestionPage
from tests.conftest import FIXTURES, encoding_fallback, fixture_names, load_expected

SITE = "120ask"
NAMES = fixture_names(SITE)
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
REASONS = {"empty", "removed", "not_question", "challenge"}
PROPERTY = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def raw(name: str) -> bytes:
    return (FIXTURES / SITE / f"{name}.html").read_bytes()


def check(name: str, body: bytes) -> None:
    url = load_expected(SITE, name)["url"]
    response = encoding_fallback(
        HtmlResponse(url, body=body, headers={"Content-Type": "text/html"})
    )
    page = Ask120QuestionPage(response, NOW)
    reason = page.problem()
    if reason is not None:
        assert reason in REASONS
        return
    items = list(page.items())
    assert items and OUTPUT_FILES[type(items[0])] == "questions"
    for item in items:
        stem = OUTPUT_FILES[type(item)]
        record = {k: v for k, v in ItemAdapter(item).asdict().items()}
        assert record_errors(stem, record) == [], (stem, record)


def _tree(body: bytes):
    return lxml.html.document_fromstring(body)


def _serialize(tree) -> bytes:
    return lxml.html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>")


@PROPERTY
@given(name=st.sampled_from(NAMES), data=st.data())
def test_truncated_pages(name, data):
    body = raw(name)
    check(name, body[: data.draw(st.integers(0, len(body)))])


@PROPERTY
@given(name=st.sampled_from(NAMES), data=st.data())
def test_flipped_bytes(name, data):
    body = bytearray(raw(name))
    for _ in range(data.draw(st.integers(1, 40))):
        body[data.draw(st.integers(0, len(body) - 1))] = data.draw(st.integers(0, 255))
    check(name, bytes(body))


@PROPERTY
@given(name=st.sampled_from(NAMES), data=st.data(), duplicate=st.booleans())
def test_an_element_deleted_or_duplicated(name, data, duplicate):
    tree = _tree(raw(name))
    elements = [e for e in tree.iter() if isinstance(e.tag, str) and e.getparent() is not None]
    for _ in range(data.draw(st.integers(1, 5))):
        el = elements[data.draw(st.integers(0, len(elements) - 1))]
        parent = el.getparent()
        if parent is None:
            continue
        if duplicate:
            parent.insert(parent.index(el), copy.deepcopy(el))
        else:
            el.drop_tree()
    check(name, _serialize(tree))


@PROPERTY
@given(name=st.sampled_from(NAMES), data=st.data())
def test_class_attributes_swapped(name, data):
    tree = _tree(raw(name))
    classed = [e for e in tree.iter() if isinstance(e.tag, str) and e.get("class")]
    for _ in range(data.draw(st.integers(1, 8))):
        a = classed[data.draw(st.integers(0, len(classed) - 1))]
        b = classed[data.draw(st.integers(0, len(classed) - 1))]
        ca, cb = a.get("class"), b.get("class")
        a.set("class", cb)
        b.set("class", ca)
    check(name, _serialize(tree))


@PROPERTY
@given(
    name=st.sampled_from(NAMES),
    codec=st.sampled_from(["gb18030", "gbk", "big5", "utf-16", "latin-1", "utf-8-sig"]),
)
def test_re_encoded_pages(name, codec):
    check(name, raw(name).decode("utf-8").encode(codec, errors="replace"))


def test_every_fixture_page_is_items_that_validate():
    for name in NAMES:
        check(name, raw(name))
