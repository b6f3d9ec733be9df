"""Shared test helpers: load fixture pages as raw-byte responses and extract their items."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from medcrawl import settings
from medcrawl.contract.items import OUTPUT_FILES
from medcrawl.crawl.encoding import EncodingFallbackMiddleware
from medcrawl.sites import page_classes
from medcrawl.sites.spider import fetched_at

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_CLASSES = page_classes()


def fixture_names(site: str) -> list[str]:
    return sorted(p.stem for p in (FIXTURES / site).glob("*.json"))


def load_expected(site: str, name: str) -> dict:
    return json.loads((FIXTURES / site / f"{name}.json").read_text(encoding="utf-8"))


def fixture_response(site: str, name: str, *, middleware: bool = True) -> HtmlResponse:
    """The fixture page as the spider receives it: raw bytes, URL, fetch date header, passed
    through the project's EncodingFallbackMiddleware (`middleware=False`: Scrapy's own view)."""
    meta = load_expected(site, name)
    when = datetime.fromisoformat(meta["fetched_at"])
    headers = {"Date": format_datetime(when, usegmt=True)}
    headers.update(meta.get("headers", {}))
    body = (FIXTURES / site / f"{name}.html").read_bytes()
    response = HtmlResponse(meta["url"], body=body, headers=headers)
    return encoding_fallback(response) if middleware else response


def encoding_fallback(response: HtmlResponse) -> HtmlResponse:
    """`response` after EncodingFallbackMiddleware, configured as in the project settings."""
    return _encoding_middleware().process_response(Request(response.url), response)


@functools.cache
def _encoding_middleware() -> EncodingFallbackMiddleware:
    crawler = get_crawler(
        settings_dict={"MEDCRAWL_FALLBACK_ENCODING": settings.MEDCRAWL_FALLBACK_ENCODING}
    )
    return EncodingFallbackMiddleware.from_crawler(crawler)


def extract(site: str, name: str) -> dict[str, list[dict]]:
    """Items of a fixture page grouped by output file stem."""
    response = fixture_response(site, name)
    page = PAGE_CLASSES[site](response, fetched_at(response))
    grouped: dict[str, list[dict]] = defaultdict(list)
    if page.problem() is None:
        for item in page.items():
            grouped[OUTPUT_FILES[type(item)]].append(ItemAdapter(item).asdict())
    return grouped


@pytest.fixture(scope="session")
def extracted():
    """Memoised `extract`, so each page is parsed once for all its field tests."""
    cache: dict[tuple[str, str], dict] = {}

    def get(site: str, name: str) -> dict[str, list[dict]]:
        if (site, name) not in cache:
            cache[site, name] = extract(site, name)
        return cache[site, name]

    return get
