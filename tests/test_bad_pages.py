"""Pages that hold no question yield no items: one reject with the reason, one stat, a warning.

Generated from data: every `tests/fixtures/<site>/bad/<name>.html` + `<name>.json`
(`{"url", "reject", "note"}`, optional `"asked"`, `"headers"`, `"fetched_at"`) of every site.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy import Request

from medcrawl.contract.items import Reject
from medcrawl.crawl.retry import BackoffRetryMiddleware
from medcrawl.sites import fixtures
from medcrawl.sites.spider import QASpider
from tests.conftest import FIXTURES, PAGE_CLASSES

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def _cases():
    for site in PAGE_CLASSES:
        for name in fixtures.fixture_names(FIXTURES, site, bad=True):
            yield pytest.param(site, name, id=f"{site}-{name}")


CASES = list(_cases())


def bad_page(site: str, name: str, root: Path = FIXTURES) -> tuple[fixtures.Fetched, str]:
    """The page and the reason it must be rejected with (a fixture without one fails: a
    `"reject": null` would pass for a page the spider does not reject)."""
    page, meta = fixtures.load(fixtures.fixture_path(root, site, name, bad=True))
    reason = meta.get("reject")
    assert isinstance(reason, str) and reason, f"{site}/bad/{name}.json names no reject reason"
    return page, reason


def spider(site: str, retry: bool = False) -> QASpider:
    qa = fixtures.spider(site, RETRY_ENABLED=retry)
    # As a running crawl has it: the retry middleware (which answers the spider's
    # retry_requested signal) only when retries are on.
    # Signal receivers are weak references: keep it alive, as the middleware manager does.
    qa.retrier = BackoffRetryMiddleware.from_crawler(qa.crawler) if retry else None
    return qa


def test_every_site_has_bad_pages():
    assert {site for site, _ in (case.values for case in CASES)} == set(PAGE_CLASSES)


@pytest.mark.parametrize(("site", "name"), CASES)
def test_problem(site, name):
    page, reason = bad_page(site, name)
    response = fixtures.response(page)
    assert PAGE_CLASSES[site](response, page.fetched_at or NOW).problem() == reason


@pytest.mark.parametrize(("site", "name"), CASES)
def test_spider_rejects(site, name, caplog):
    page, reason = bad_page(site, name)
    asked = page.asked or page.url
    qa = spider(site)
    out = list(qa.parse(fixtures.response(page)))
    assert len(out) == 1
    (reject,) = out
    assert isinstance(reject, Reject)
    assert (reject.url, reject.reason) == (asked, reason)  # filed under the URL asked for
    assert reject.detail == (f"answered by {page.url}" if page.url != asked else None)
    assert qa.crawler.stats.get_value(f"medcrawl/skipped/{reason}") == 1
    assert qa.crawler.stats.get_value("medcrawl/pages/question") is None
    assert f"Skipped {asked}: {reason}" in caplog.text


TRANSIENT = [case for case in CASES if bad_page(*case.values)[1] in QASpider.retry_reasons]


@pytest.mark.parametrize(("site", "name"), TRANSIENT)
def test_transient_problems_are_fetched_again_first(site, name):
    """With retries on, a challenge or an empty body is retried before it is rejected."""
    page, _ = bad_page(site, name)
    asked = page.asked or page.url
    qa = spider(site, retry=True)
    out = list(qa.parse(fixtures.response(page)))
    assert [type(o) for o in out] == [Request]
    assert out[0].url == asked
    assert sum(v for k, v in qa.crawler.stats.get_stats().items() if "retried/" in k) == 1


@pytest.mark.parametrize("site", sorted(PAGE_CLASSES))
def test_question_page_is_not_rejected(site):
    """The checks that reject bad pages leave a real one alone: every good fixture of the
    site gives its question, and no reject."""
    qa = spider(site)
    for name in fixtures.fixture_names(FIXTURES, site):
        page, _ = fixtures.load(fixtures.fixture_path(FIXTURES, site, name))
        response = fixtures.response(page)
        out = [o for o in qa.parse(response) if not isinstance(o, Request)]
        assert type(out[0]).__name__ == "Question", name
        assert not any(isinstance(o, Reject) for o in out), name
    assert qa.crawler.stats.get_value("medcrawl/pages/question") == len(
        fixtures.fixture_names(FIXTURES, site)
    )


def test_a_reject_reason_is_required(tmp_path):
    folder = tmp_path / "site" / "bad"
    folder.mkdir(parents=True)
    (folder / "x.html").write_bytes(b"")
    (folder / "x.json").write_text('{"url": "https://example.com/q/1.html", "reject": null}')
    with pytest.raises(AssertionError, match=r"site/bad/x\.json names no reject reason"):
        bad_page("site", "x", root=tmp_path)
