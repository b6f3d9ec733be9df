"""Shared test helpers: load fixture pages as raw-byte responses and extract their items
(the fixture format is `medcrawl.sites.fixtures`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from scrapy.http import HtmlResponse

from medcrawl.sites import fixtures, page_classes
from medcrawl.sites.spider import fetched_at

FIXTURES = Path(__file__).parent / "fixtures"

# Property-based tests (tests/test_properties.py): `ci`, the default and always under CI=true,
# is derandomized and small, so the suite stays fast and every run tests the same examples;
# `HYPOTHESIS_PROFILE=dev` tries many more.
hypothesis_settings.register_profile(
    "ci", derandomize=True, max_examples=3, deadline=None, database=None, print_blob=True
)
hypothesis_settings.register_profile("dev", max_examples=200, deadline=None)
hypothesis_settings.load_profile(
    "ci" if os.environ.get("CI") == "true" else os.environ.get("HYPOTHESIS_PROFILE", "ci")
)
PAGE_CLASSES = page_classes()

encoding_fallback = fixtures.encoding_fallback


def fixture_names(site: str, root: Path = FIXTURES) -> list[str]:
    return fixtures.fixture_names(root, site)


def load_expected(site: str, name: str, root: Path = FIXTURES) -> dict:
    return fixtures.load(fixtures.fixture_path(root, site, name))[1]


def fixture_response(
    site: str, name: str, *, middleware: bool = True, root: Path = FIXTURES
) -> HtmlResponse:
    """The fixture page as the spider receives it: raw bytes, URL, fetch date header, passed
    through the project's EncodingFallbackMiddleware (`middleware=False`: Scrapy's own view)."""
    page, _ = fixtures.load(fixtures.fixture_path(root, site, name))
    return fixtures.response(page, middleware=middleware)


def extract(site: str, name: str, root: Path = FIXTURES) -> dict[str, list[dict]]:
    """Items of a fixture page grouped by output file stem."""
    response = fixture_response(site, name, root=root)
    page = PAGE_CLASSES[site](response, fetched_at(response))
    return fixtures.as_items(page.items()) if page.problem() is None else {}


@pytest.fixture(scope="session")
def extracted():
    """Memoised `extract`, so each page is parsed once for all its field tests."""
    cache: dict[tuple[str, str], dict] = {}

    def get(site: str, name: str) -> dict[str, list[dict]]:
        if (site, name) not in cache:
            cache[site, name] = extract(site, name)
        return cache[site, name]

    return get
