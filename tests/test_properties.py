"""Property-based tests: every site's question page class, on mutated copies of every fixture
page, through the spider's parse path. Whatever the page holds, parsing never raises, every
item validates against its schema, and the page yields items or exactly one reject.

Profiles (tests/conftest.py): `ci` (default, derandomized, a few examples) and `dev`
(`HYPOTHESIS_PROFILE=dev`, many more).
"""

from __future__ import annotations

import copy
from functools import cache

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.test import get_crawler

from medcrawl import settings as project_settings
from medcrawl.contract.items import OUTPUT_FILES, Reject
from medcrawl.contract.schema import record_errors
from medcrawl.sites.spider import QASpider
from tests.conftest import PAGE_CLASSES, encoding_fallback, fixture_names, fixture_response

FIXTURE_PAGES = [(site, name) for site in PAGE_CLASSES for name in fixture_names(site)]

#: hrefs a hostile or broken page may hold: bad IPv6 hosts, ports out of range, control
#: characters, scripts, raw `%`, numbers past Python's int() digit limit, junk.
HOSTILE_HREFS = [
    "http://[::1/x.html",
    "http://[::1]]/",
    "//[fe80::1%25eth0/",
    "http://example.com:99999/",
    "http://example.com:-1/",
    "http://example.com:8o/",
    "https://exa\x01mple.com/a",
    "/a\x00b.html",
    "/question/\x7f1.html",
    "javascript:void(0)",
    "JavaScript:alert(1)",
    "mailto:x@example.com",
    "data:text/html,<b>x</b>",
    "/yp/5%葡萄糖注射液.html",
    "/yp/100%.html",
    "%",
    "/question/" + "9" * 5000 + ".html",
    "/news/" + "7" * 5000 + "-" + "8" * 5000 + ".html",
    "/news/1-" + "8" * 5000 + ".html",
    "http://my.39.net/" + "1" * 5000,
    "https://" + "a" * 300 + ".com/",
    "http://例子.测试/路径",
    "http://xn--/",
    "http:",
    "https://",
    "///x",
    " \t\n ",
    "?",
    "#frag",
    "http://user:pass@[::1]:80/",
    "/" + "x" * 20000,
]


# --- the parse path ---------------------------------------------------------------------------


@cache
def site_spider(site: str) -> QASpider:
    """The site's spider as a crawl makes it (no retries), one per site for every example:
    what it keeps between pages (stats, the related-link budget) does not bear on a page."""
    project = Settings()
    project.setmodule(project_settings)
    cls = SpiderLoader.from_settings(project).load(site)
    crawler = get_crawler(cls, settings_dict={"RETRY_ENABLED": False})
    spider = cls.from_crawler(crawler)
    crawler.spider = spider
    return spider


def parse_page(site: str, response: HtmlResponse) -> list[object]:
    """What the site's spider yields for `response`."""
    return list(site_spider(site).parse(response))


def check_page(site: str, response: HtmlResponse) -> None:
    """The properties every question page keeps, however mangled."""
    out = parse_page(site, response)  # never raises
    rejects = [o for o in out if isinstance(o, Reject)]
    items = [o for o in out if not isinstance(o, (Reject, Request))]
    for item in items:
        kind = OUTPUT_FILES[type(item)]
        record = ItemAdapter(item).asdict()
        assert record_errors(kind, record) == [], (kind, record)
    if rejects:
        assert len(rejects) == 1 and not items, [(r.reason, r.detail) for r in rejects]
        assert record_errors("rejects", ItemAdapter(rejects[0]).asdict()) == []
    else:
        assert items, "a page that yields no items must be a reject"


def respond(site: str, name: str, body: bytes, charset: str | None = None) -> HtmlResponse:
    """The fixture's response with another body (and, for re-encoded pages, its charset)."""
    original = fixture_response(site, name, middleware=False)
    headers = dict(original.headers.to_unicode_dict())
    if charset:
        headers["Content-Type"] = f"text/html; charset={charset}"
    url = original.url
    response = HtmlResponse(url, body=body, headers=headers, request=Request(url))
    return encoding_fallback(response)


def raw(site: str, name: str) -> bytes:
    return fixture_response(site, name, middleware=False).body


def tree(site: str, name: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(fixture_response(site, name).text)


def serialise(doc: lxml.html.HtmlElement) -> bytes:
    return lxml.html.tostring(doc, encoding="utf-8")


# --- mutations ------------------------------------------------------------------------------

fixtures = st.sampled_from(FIXTURE_PAGES)
fraction = st.floats(min_value=0, max_value=1, allow_nan=False)


def pick(seq: list, at: float):
    return seq[min(int(at * len(seq)), len(seq) - 1)]


@st.composite
def truncated(draw, site: str, name: str) -> HtmlResponse:
    body = raw(site, name)
    return respond(site, name, body[: int(draw(fraction) * len(body))])


@st.composite
def byte_flips(draw, site: str, name: str) -> HtmlResponse:
    body = bytearray(raw(site, name))
    for at, value in draw(st.lists(st.tuples(fraction, st.integers(0, 255)), min_size=1)):
        body[min(int(at * len(body)), len(body) - 1)] = value
    return respond(site, name, bytes(body))


@st.composite
def element_edits(draw, site: str, name: str) -> HtmlResponse:
    """Elements deleted or duplicated in place."""
    doc = tree(site, name)
    for at, duplicate in draw(st.lists(st.tuples(fraction, st.booleans()), min_size=1)):
        elements = [el for el in doc.iter() if el.getparent() is not None]
        if not elements:
            break
        el = pick(elements, at)
        if duplicate:
            el.addnext(copy.deepcopy(el))
        else:
            el.drop_tree()
    return respond(site, name, serialise(doc), "utf-8")


@st.composite
def class_swaps(draw, site: str, name: str) -> HtmlResponse:
    """`class` attributes swapped between elements: blocks found where they are not."""
    doc = tree(site, name)
    classed = [el for el in doc.iter() if el.get("class")]
    for a, b in draw(st.lists(st.tuples(fraction, fraction), min_size=1)):
        first, second = pick(classed, a), pick(classed, b)
        first_class, second_class = first.get("class"), second.get("class")
        first.set("class", second_class)
        second.set("class", first_class)
    return respond(site, name, serialise(doc), "utf-8")


@st.composite
def re_encoded(draw, site: str, name: str) -> HtmlResponse:
    """The page in another encoding, declared in the header (or not, for gb18030)."""
    text = fixture_response(site, name).text
    codec = draw(st.sampled_from(["gb18030", "utf-16", "utf-16-le", "utf-8-sig", "big5"]))
    body = text.encode(codec, errors="replace")
    declared = draw(st.booleans()) or codec.startswith("utf-16")
    return respond(site, name, body, codec if declared else None)


@st.composite
def deep_nesting(draw, site: str, name: str) -> HtmlResponse:
    """Thousands of nested inline (or block) tags inserted into the body's text."""
    doc = tree(site, name)
    texts = [el for el in doc.iter() if isinstance(el.tag, str) and (el.text or "").strip()]
    el = pick(texts, draw(fraction))
    depth = draw(st.integers(1_000, 5_000))
    tag = draw(st.sampled_from(["b", "span", "div", "p", "font"]))
    holder = lxml.html.fromstring("<i></i>")
    inner = holder
    for _ in range(depth):
        inner = lxml.html.etree.SubElement(inner, tag)
    inner.text = el.text
    el.text = None
    el.insert(0, holder)
    return respond(site, name, serialise(doc), "utf-8")


@st.composite
def hostile_links(draw, site: str, name: str) -> HtmlResponse:
    """hrefs replaced by hostile ones (written into the bytes: lxml refuses control characters)."""
    doc = tree(site, name)
    linked = [el for el in doc.iter() if el.get("href") is not None]
    chosen = draw(st.lists(st.tuples(fraction, st.sampled_from(HOSTILE_HREFS)), min_size=1))
    for n, (at, _) in enumerate(chosen):
        pick(linked, at).set("href", f"hostile-href-{n}")
    body = serialise(doc)
    for n, (_, href) in enumerate(chosen):
        escaped = href.replace("&", "&amp;").replace('"', "&quot;").encode("utf-8")
        body = body.replace(f'"hostile-href-{n}"'.encode(), b'"' + escaped + b'"')
    return respond(site, name, body, "utf-8")


@st.composite
def huge_numbers(draw, site: str, name: str) -> HtmlResponse:
    """A run of digits in the text (a count, an age, a date, an id) made 5,000 digits long."""
    doc = tree(site, name)
    texts = [
        el
        for el in doc.iter()
        if isinstance(el.tag, str) and any(c.isdigit() for c in el.text or "")
    ]
    for at in draw(st.lists(fraction, min_size=1, max_size=3)):
        el = pick(texts, at)
        first_digit = next(i for i, c in enumerate(el.text) if c.isdigit())
        el.text = el.text[:first_digit] + "9" * 5000 + el.text[first_digit:]
    return respond(site, name, serialise(doc), "utf-8")


MUTATIONS = {
    "truncated": truncated,
    "byte_flips": byte_flips,
    "element_edits": element_edits,
    "class_swaps": class_swaps,
    "re_encoded": re_encoded,
    "deep_nesting": deep_nesting,
    "hostile_links": hostile_links,
    "huge_numbers": huge_numbers,
}


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize(
    ("site", "name"), FIXTURE_PAGES, ids=[f"{s}-{n}" for s, n in FIXTURE_PAGES]
)
def test_mutated_page(site, name, mutation):
    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(MUTATIONS[mutation](site, name))
    def property_holds(response):
        check_page(site, response)

    property_holds()


@pytest.mark.parametrize(
    ("site", "name"), FIXTURE_PAGES, ids=[f"{s}-{n}" for s, n in FIXTURE_PAGES]
)
def test_unmutated_page(site, name):
    """The baseline the mutations start from: each fixture page passes the properties as is."""
    check_page(site, fixture_response(site, name))
