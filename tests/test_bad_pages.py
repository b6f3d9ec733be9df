"""Pages that hold no question yield no items: one reject with the reason, one stat, a warning."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from medcrawl.contract.items import Reject
from medcrawl.crawl.retry import BackoffRetryMiddleware
from medcrawl.sites.ask39.pages import Ask39QuestionPage
from medcrawl.sites.ask39.spider import Ask39Spider
from tests.conftest import FIXTURES

BAD = FIXTURES / "ask39" / "bad"
QUESTION = "https://ask.39.net/question/58213476.html"
VERIFY = (
    "https://image.39.net/verify.html?referer=https%3A%2F%2Fask.39.net%2Fquestion%2F58213476.html"
)
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)

# (case, URL the page came from, URL the spider asked for, body, reason)
CASES = [
    ("challenge_200", QUESTION, QUESTION, "challenge_200.html", "challenge"),
    ("challenge_redirect", VERIFY, QUESTION, "verify.html", "challenge"),
    ("removed", QUESTION, QUESTION, "removed.html", "removed"),
    ("empty_body", QUESTION, QUESTION, b"", "empty"),
    ("blank_body", QUESTION, QUESTION, b" \r\n ", "empty"),
    ("blank_document", QUESTION, QUESTION, b"<html><head></head><body>\n</body></html>", "empty"),
    ("not_question_at_question_url", QUESTION, QUESTION, "not_question.html", "not_question"),
    ("not_question_url", "https://ask.39.net/", QUESTION, "not_question.html", "not_question"),
]


def bad_response(url: str, asked: str, body: str | bytes) -> HtmlResponse:
    """A 200 response for `url`; when it differs from `asked`, Scrapy followed a redirect."""
    raw = body if isinstance(body, bytes) else (BAD / body).read_bytes()
    meta = {"redirect_urls": [asked]} if url != asked else {}
    request = Request(url, meta=meta)
    return HtmlResponse(url, body=raw, headers={"Content-Type": "text/html"}, request=request)


def spider(retry: bool = False) -> Ask39Spider:
    crawler = get_crawler(Ask39Spider, settings_dict={"RETRY_ENABLED": retry})
    qa = Ask39Spider.from_crawler(crawler)
    crawler.spider = qa
    # As a running crawl has it: the retry middleware (which answers the spider's
    # retry_requested signal) only when retries are on.
    # Signal receivers are weak references: keep it alive, as the middleware manager does.
    qa.retrier = BackoffRetryMiddleware.from_crawler(crawler) if retry else None
    return qa


@pytest.mark.parametrize(
    ("case", "url", "asked", "body", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_problem(case, url, asked, body, reason):
    page = Ask39QuestionPage(bad_response(url, asked, body), NOW)
    assert page.problem() == reason


@pytest.mark.parametrize(
    ("case", "url", "asked", "body", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_spider_rejects(case, url, asked, body, reason, caplog):
    qa = spider()
    out = list(qa.parse(bad_response(url, asked, body)))
    assert len(out) == 1
    (reject,) = out
    assert isinstance(reject, Reject)
    assert (reject.url, reject.reason) == (asked, reason)  # filed under the URL asked for
    assert reject.detail == (f"answered by {url}" if url != asked else None)
    assert qa.crawler.stats.get_value(f"medcrawl/skipped/{reason}") == 1
    assert qa.crawler.stats.get_value("medcrawl/pages/question") is None
    assert f"Skipped {asked}: {reason}" in caplog.text


@pytest.mark.parametrize("body", ["challenge_200.html", b""], ids=["challenge", "empty"])
def test_transient_problems_are_fetched_again_first(body):
    """With retries on, a challenge or an empty body is retried before it is rejected."""
    qa = spider(retry=True)
    out = list(qa.parse(bad_response(QUESTION, QUESTION, body)))
    assert [type(o) for o in out] == [Request]
    assert out[0].url == QUESTION
    assert sum(v for k, v in qa.crawler.stats.get_stats().items() if "retried/" in k) == 1


def test_question_page_is_not_rejected():
    """The checks that reject bad pages leave a real one alone."""
    qa = spider()
    body = (FIXTURES / "ask39" / "no_answers_2025.html").read_bytes()
    url = "https://ask.39.net/question/112045876.html"
    out = list(qa.parse(HtmlResponse(url, body=body, request=Request(url))))
    assert [type(o).__name__ for o in out] == ["Question"]
    assert qa.crawler.stats.get_value("medcrawl/pages/question") == 1
