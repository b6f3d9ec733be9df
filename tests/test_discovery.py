"""Discovery and politeness helpers, without a crawl: canonical URLs, list and index pages,
related links, seeds, retry waits and failure names."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from scrapy.exceptions import (
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.web._newclient import ResponseNeverReceived

from medcrawl.crawl.challenge import CrawlStopped
from medcrawl.crawl.retry import backoff, failure_reason, retry_after
from medcrawl.sites.ask39.pages import (
    Ask39IndexPage,
    Ask39ListPage,
    Ask39QuestionPage,
    Ask39RelatedBox,
)
from medcrawl.sites.ask39.site import SITE
from medcrawl.sites.ask39.spider import Ask39Spider
from medcrawl.sites.page import ListEntry
from medcrawl.sites.spider import read_seed_file
from tests.minisite import CHALLENGE, index_page, list_page, message_page, question_page
from tests.runs import fixture_page, write_warc

CANONICAL = "https://ask.39.net/question/123.html"


@pytest.mark.parametrize(
    "url",
    [
        "https://ask.39.net/question/123.html",
        "http://ask.39.net/question/123.html",
        "https://wapask.39.net/question/123.html",
        "http://wapask.39.net/question/123.html?from=app",
        "https://ask.39.net/question/123.html?a=1&b=2#answers",
        "HTTPS://ASK.39.NET/question/0123.html",
    ],
)
def test_every_form_of_a_question_url_is_one_url(url):
    assert SITE.canonical_url(url) == CANONICAL


def test_list_pages_and_other_urls():
    assert SITE.canonical_url("http://ask.39.net/news/3166-02.html?x#y") == (
        "https://ask.39.net/news/3166-2.html"
    )
    assert SITE.canonical_url("https://ask.39.net/browse/jibing.html#top") == (
        "https://ask.39.net/browse/jibing.html"
    )


def html(url: str, body: bytes) -> HtmlResponse:
    return HtmlResponse(url, body=body)


NOW = datetime(2024, 3, 5, tzinfo=timezone.utc)


def test_list_entries_carry_their_dates_in_list_order():
    items = [(7, date(2024, 3, 1)), (5, date(2024, 2, 28)), (3, None)]
    page = Ask39ListPage(html("https://ask.39.net/news/3166-1.html", list_page(3166, 1, 4, items)))
    assert page.entries() == [
        ListEntry("https://ask.39.net/question/7.html", date(2024, 3, 1)),
        ListEntry("https://ask.39.net/question/5.html", date(2024, 2, 28)),
        ListEntry("https://ask.39.net/question/3.html", None),
    ]


@pytest.mark.parametrize(
    ("shown", "posted"),
    [
        ("2024-02-24", date(2024, 2, 24)),
        ("2024/2/24 10:20", date(2024, 2, 24)),
        ("02-24", date(2024, 2, 24)),  # no year: the latest such day before the crawl
        ("3天前", date(2024, 3, 2)),
    ],
)
def test_list_dates_as_lists_show_them(shown, posted):
    body = (
        '<ul class="list_ask list_ask2"><li><p class="p1">'
        '<a href="/question/9.html">标题 2023-01-01</a></p>'
        f"<span>12个回答</span><span>{shown}</span></li></ul>"
    ).encode()
    page = Ask39ListPage(html("https://ask.39.net/news/1-1.html", body), NOW)
    assert page.entries() == [ListEntry("https://ask.39.net/question/9.html", posted)]


def test_pagination_follows_next_else_the_last_page():
    with_next = list_page(3166, 2, 5, [(1, None)])
    page = Ask39ListPage(html("https://ask.39.net/news/3166-2.html", with_next))
    assert page.next_url() == "https://ask.39.net/news/3166-3.html"
    assert page.last_page() == 5
    last_only = list_page(237, 2, 3, [(1, None)], next_link=False)
    page = Ask39ListPage(html("https://ask.39.net/news/237-2.html", last_only))
    assert page.next_url() == "https://ask.39.net/news/237-3.html"
    at_end = list_page(237, 3, 3, [(1, None)], next_link=False)
    assert Ask39ListPage(html("https://ask.39.net/news/237-3.html", at_end)).next_url() is None


def test_index_lists_categories():
    page = Ask39IndexPage(html("https://ask.39.net/browse/jibing.html", index_page([3166, 237])))
    assert page.list_urls() == [
        "https://ask.39.net/news/3166-1.html",
        "https://ask.39.net/news/237-1.html",
    ]


def test_related_links_are_canonical_and_unique():
    response = html(CANONICAL, question_page([5, 6, 5, 7, 5]))
    assert Ask39RelatedBox(response).question_urls() == [
        "https://ask.39.net/question/5.html",
        "https://ask.39.net/question/6.html",
        "https://ask.39.net/question/7.html",
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (CHALLENGE, "challenge"),
        (message_page("该问题已被删除"), "removed"),
        (message_page("抱歉，您访问的页面不存在"), "removed"),
        (message_page("欢迎来到39健康网"), "not_question"),
    ],
)
def test_a_titled_page_without_a_question_is_no_question(body, problem):
    # These pages have a <title>; it used to be taken for the question's title.
    response = html(CANONICAL, body)
    assert Ask39QuestionPage(response, NOW).problem() == problem


@pytest.mark.parametrize(
    ("href", "link"),
    [
        ("/药品/x.html", "https://ask.39.net/%E8%8D%AF%E5%93%81/x.html"),
        ("//my.39.net/P1", "https://my.39.net/P1"),
        ("http://my.3\x049.net/P1", None),  # a damaged page: no host name
        ("http://my 39.net/P1", None),
        ("http://[::1/P1", None),
        ("http://my.39.n\ufffdt/P1", None),
        ("http://中文.com/P1", "http://xn--fiq228c.com/P1"),
        ("", None),
    ],
)
def test_a_link_is_absolute_and_encoded_or_none(href, link):
    page = Ask39QuestionPage(html(CANONICAL, b"<html></html>"), datetime.now(timezone.utc))
    assert page.link(href) == link


def test_seed_file(tmp_path):
    path = tmp_path / "seeds.txt"
    path.write_text("\ufeff# comment\n\n123\n  https://x  # note\n", encoding="utf-8")
    assert list(read_seed_file(str(path))) == [(f"{path}:3", "123"), (f"{path}:4", "https://x")]


def test_spider_arguments_are_checked():
    with pytest.raises(ValueError, match="max_pages"):
        Ask39Spider(max_pages="ten")
    with pytest.raises(ValueError, match="since"):
        Ask39Spider(since="yesterday")
    spider = Ask39Spider(categories="3166, 0237", since="2024-01-01", max_pages="5")
    assert spider.categories == ["3166", "237"]
    assert spider.since == date(2024, 1, 1)
    assert spider.max_pages == 5
    assert spider.follow_related is False  # bounded: related links would leave the bounds
    assert Ask39Spider().follow_related is True
    assert Ask39Spider(question="1", related="1").follow_related is True


def test_until_is_checked_like_since():
    spider = Ask39Spider(since="2024-01-01", until="2024-01-31")
    assert (spider.since, spider.until) == (date(2024, 1, 1), date(2024, 1, 31))
    assert spider.arguments["until"] == "2024-01-31"  # in the manifest
    assert spider.follow_related is False
    assert Ask39Spider(since="2024-01-01", until="2024-01-01").until == date(2024, 1, 1)
    with pytest.raises(ValueError, match="until"):
        Ask39Spider(until="end of month")
    with pytest.raises(ValueError, match="until=2023-12-31 is before -a since=2024-01-01"):
        Ask39Spider(since="2024-01-01", until="2023-12-31")


def test_bad_arguments_stop_the_crawl_before_it_starts(tmp_path):
    """Not an exception halfway through start(): the command fails at once, saying why."""
    with pytest.raises(ValueError, match="categories"):
        Ask39Spider(categories="3166,abc")
    with pytest.raises(ValueError, match="urls"):
        Ask39Spider(urls=str(tmp_path / "missing.txt"))


@pytest.mark.parametrize("how", ["argument", "setting"])
def test_replay_is_unthrottled_however_it_is_asked_for(tmp_path, how):
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from medcrawl import settings as project

    archive = str(write_warc(tmp_path / "a.warc.gz", [fixture_page("seed_2024")]))
    values = {k: getattr(project, k) for k in dir(project) if k.isupper()}
    if how == "setting":
        values["MEDCRAWL_REPLAY"] = archive
    crawler = Crawler(Ask39Spider, Settings(values))  # settings still open, as in a crawl
    Ask39Spider.from_crawler(crawler, **({"replay": archive} if how == "argument" else {}))
    assert crawler.settings["MEDCRAWL_REPLAY"] == archive
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 0
    assert not crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
    assert not crawler.settings.getbool("RETRY_ENABLED")
    assert not crawler.settings.getbool("ROBOTSTXT_OBEY")


def test_retry_after_in_seconds_or_as_a_date():
    def answer(value: str) -> Response:
        return Response("https://ask.39.net/", status=429, headers={"Retry-After": value})

    assert retry_after(answer("120")) == 120
    assert retry_after(answer("Wed, 21 Oct 2015 07:28:30 GMT"), now=1445412480) == 30
    assert retry_after(answer("Wed, 21 Oct 2015 07:28:00 GMT"), now=1445412510) == 0
    assert retry_after(answer("soon")) is None
    assert retry_after(Response("https://ask.39.net/", status=429)) is None


def test_backoff_doubles_up_to_a_cap():
    assert [backoff(n, 5, 30) for n in (1, 2, 3, 4)] == [5, 10, 20, 30]
    assert backoff(3, 0, 30) == 0


def test_failures_have_short_stable_names():
    wrapped = DownloadFailedError("reset")
    wrapped.__cause__ = ResponseNeverReceived([])
    response = Response("https://ask.39.net/", status=503)
    assert failure_reason(HttpError(response)) == "http_503"
    assert failure_reason(DownloadTimeoutError()) == "timeout"
    assert failure_reason(ResponseDataLossError()) == "data_loss"
    assert failure_reason(wrapped) == "connection_lost"
    assert failure_reason(IgnoreRequest("Forbidden by robots.txt")) == "robots_txt"
    assert failure_reason(CrawlStopped()) == "stopped"
    assert failure_reason(ValueError()) == "download_error"


def test_question_takes_question_page_urls_too():
    url = "https://ask.39.net/question/123.html"
    assert Ask39Spider(question=f"{url},456").question_ids == [url, "456"]
    with pytest.raises(ValueError, match="is not a question page of this site"):
        Ask39Spider(question="https://ask.39.net/news/3166-1.html")
    with pytest.raises(ValueError, match="is not a question page of this site"):
        Ask39Spider(question="https://example.com/question/123.html")
