"""www.120ask.com (site key `120ask`, package `ask120`) without a crawl: URL forms, the
category tree and department lists, related links, the spider's arguments and routing, and
the bad pages of tests/fixtures/120ask/bad/ (each a reject with its reason, as data)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from medcrawl.sites import page_classes, site
from medcrawl.sites.ask120.pages import (
    Ask120IndexPage,
    Ask120ListPage,
    Ask120QuestionPage,
    Ask120RelatedBox,
)
from medcrawl.sites.ask120.site import SITE
from medcrawl.sites.ask120.spider import Ask120Spider
from medcrawl.sites.page import ListEntry
from tests.conftest import FIXTURES, fixture_response

CANONICAL = "https://www.120ask.com/question/70312846.htm"
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
BAD = FIXTURES / "120ask" / "bad"


def test_the_site_is_registered_under_its_key():
    assert site("120ask") is SITE
    assert page_classes()["120ask"] is Ask120QuestionPage
    assert Ask120Spider.name == "120ask" and Ask120Spider.allowed_domains == ["120ask.com"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.120ask.com/question/70312846.htm",
        "http://www.120ask.com/question/70312846.htm",
        "https://www.120ask.com/question/xiaoerfare/70312846.htm",
        "http://www.120ask.com/question/gao-xue_ya/70312846.htm?from=list",
        "https://www.120ask.com/question/70312846.htm?a=1&b=2#reply1",
        "//www.120ask.com/question/70312846.htm",
        "HTTPS://WWW.120ASK.COM/question/070312846.htm",
        "https://120ask.com/question/70312846.htm",
    ],
)
def test_every_form_of_a_question_url_is_one_url(url):
    assert SITE.canonical_url(url) == CANONICAL
    assert SITE.question_native_id(url) == "70312846"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.120ask.com/question/70312846.html",
        "https://www.120ask.com/doctor/3528174/",
        "https://m.120ask.com/askq/70312846",
        "https://www.example.com/question/70312846.htm",
        "https://www.120ask.com/list/erke/",
    ],
)
def test_other_urls_are_not_questions(url):
    assert SITE.question_native_id(url) is None


def test_lists_and_the_category_tree():
    assert SITE.category_url("erke") == "https://www.120ask.com/list/erke/"
    assert SITE.category_url("erke", 3) == "https://www.120ask.com/list/erke/over/3/"
    assert SITE.canonical_url("//www.120ask.com/list/erke/over/1/") == SITE.category_url("erke")
    assert SITE.canonical_url("http://www.120ask.com/list/erke/over/02?x=1#y") == (
        "https://www.120ask.com/list/erke/over/2/"
    )
    assert SITE.canonical_url("http://www.120ask.com/list") == "https://www.120ask.com/list/"
    assert SITE.list_category("https://www.120ask.com/list/ErKe/over/2/") == "erke"
    assert SITE.list_page_number("https://www.120ask.com/list/erke/") == 1
    assert SITE.is_index_url("https://www.120ask.com/list/") and not SITE.is_index_url(
        "https://www.120ask.com/list/erke/"
    )
    assert SITE.canonical_url("https://www.120ask.com/doctor/1/#top") == (
        "https://www.120ask.com/doctor/1/"
    )
    for bad in ("内科", "erke/fuke", "", "a b"):
        with pytest.raises(ValueError):
            SITE.category_url(bad)
    for bad in ("12a", "", "-3"):
        with pytest.raises(ValueError):
            SITE.question_url(bad)


def test_the_site_settings_are_polite_and_its_checks_fit_it():
    settings = SITE.settings
    assert settings["DOWNLOAD_DELAY"] >= 1 and settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["MEDCRAWL_COVERAGE_THRESHOLDS"]["answers.text"] < 0.98  # voice answers
    assert SITE.department(["儿科", "小儿内科", "小儿发热"]) == "小儿内科"


def html(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8")


INDEX = """<html><body><div class="h-allk"><ul class="h-ul1 clears">
<li><a href="//www.120ask.com/list/neike/">内科</a><ul class="h-ul2">
  <li><a href="//www.120ask.com/list/xiaohuaneike/">消化内科</a>
    <ul><li><a href="//www.120ask.com/list/weiyan/">胃炎</a></li></ul></li></ul></li>
<li><a href="//www.120ask.com/list/erke/">儿科</a></li>
<li><a href="//www.120ask.com/list/erke/">儿科</a></li>
</ul></div><a href="//www.120ask.com/doctor/">找医生</a></body></html>"""


def test_the_category_tree_links_every_level():
    page = Ask120IndexPage(html("https://www.120ask.com/list/", INDEX), NOW)
    assert page.list_urls() == [
        SITE.category_url(slug) for slug in ("neike", "xiaohuaneike", "weiyan", "erke")
    ]


LIST_2024 = """<html><body><ul class="clears h-ul3">
<li><a href="//www.120ask.com/question/108450112.htm">宝宝咳嗽有痰怎么办</a><span>2024-09-03</span><span>1人回复</span></li>
<li><a href="//www.120ask.com/question/erke/108449870.htm?from=list">孩子积食发烧</a><span>2024-09-02 21:10</span></li>
<li><a href="//www.120ask.com/question/108447301.htm">新生儿黄疸多少正常</a></li>
</ul>
<div class="h-page"><a href="//www.120ask.com/list/erke/">1</a><span>2</span><a href="//www.120ask.com/list/erke/over/3/">3</a><a href="//www.120ask.com/list/erke/over/57/">57</a></div>
</body></html>"""  # noqa: E501

LIST_2017 = """<html><body><div class="h-list">
<div class="h-color"><a class="q-quename" href="/question/51700932.htm">尿频尿急</a><span>2017-08-13</span></div>
<div class="h-color"><a class="q-quename" href="/question/51688140.htm">尿道口发红</a><span>08-12</span></div>
</div><div class="h-page"><a href="/list/nanke/over/2/">下一页</a></div></body></html>"""  # noqa: E501


def test_list_entries_dates_and_paging_2024():
    page = Ask120ListPage(html("https://www.120ask.com/list/erke/over/2/", LIST_2024), NOW)
    assert page.entries() == [
        ListEntry("https://www.120ask.com/question/108450112.htm", date(2024, 9, 3)),
        ListEntry("https://www.120ask.com/question/108449870.htm", date(2024, 9, 2)),
        ListEntry("https://www.120ask.com/question/108447301.htm", None),
    ]
    assert page.last_page() == 57
    assert page.next_url() == "https://www.120ask.com/list/erke/over/3/"
    last = Ask120ListPage(html("https://www.120ask.com/list/erke/over/57/", LIST_2024), NOW)
    assert last.next_url() is None


def test_list_entries_and_next_page_2017():
    page = Ask120ListPage(html("http://www.120ask.com/list/nanke/", LIST_2017), NOW)
    assert [e.url for e in page.entries()] == [
        "https://www.120ask.com/question/51700932.htm",
        "https://www.120ask.com/question/51688140.htm",
    ]
    assert page.entries()[0].posted == date(2017, 8, 13)
    assert page.next_url() == "https://www.120ask.com/list/nanke/over/2/"


def test_related_questions_are_canonical_and_never_the_page_itself():
    response = fixture_response("120ask", "slug_canonical_2023")
    urls = Ask120RelatedBox(response).question_urls()
    assert "https://www.120ask.com/question/102470518.htm" in urls  # a slugged link
    assert "https://www.120ask.com/question/102399627.htm" in urls  # with ?from=
    assert response.url not in urls and len(urls) == len(set(urls))


def spider(**kwargs) -> Ask120Spider:
    crawler = get_crawler(Ask120Spider, settings_dict={"RETRY_ENABLED": False})
    qa = Ask120Spider.from_crawler(crawler, **kwargs)
    crawler.spider = qa
    crawler.get_downloader_middleware = lambda cls: None
    return qa


def test_seeds_from_arguments():
    qa = spider(question="70312846,4127593", categories="erke")
    urls = [r.url for r in qa.seeds()]
    assert urls == [CANONICAL, "https://www.120ask.com/question/4127593.htm"]
    assert [r.url for r in spider(categories="erke,FuKe").seeds()] == [
        "https://www.120ask.com/list/erke/",
        "https://www.120ask.com/list/fuke/",
    ]
    assert [r.url for r in spider().seeds()] == ["https://www.120ask.com/list/"]
    with pytest.raises(ValueError):
        spider(categories="儿科")


def test_routing_the_index_follows_only_the_categories_asked_for():
    qa = spider(categories="erke")
    out = list(qa.parse(html("https://www.120ask.com/list/", INDEX)))
    assert [r.url for r in out] == ["https://www.120ask.com/list/erke/"]


def test_routing_a_list_page_follows_questions_then_the_next_page():
    qa = spider()
    out = list(qa.parse(html("https://www.120ask.com/list/erke/over/2/", LIST_2024)))
    assert [r.url for r in out][-1] == "https://www.120ask.com/list/erke/over/3/"
    assert len(out) == 4


def bad_cases() -> list[tuple[str, dict]]:
    return [
        (path.stem, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(BAD.glob("*.json"))
    ]


def test_the_bad_pages_cover_every_reason_the_issue_names():
    assert {meta["reject"] for _, meta in bad_cases()} >= {"removed", "not_question", "empty"}


@pytest.mark.parametrize(
    "body",
    [b"", b"  \r\n", b"<html><head></head><body>\n</body></html>"],
    ids=["empty", "blank", "blank_document"],
)
def test_empty_bodies(body):
    response = HtmlResponse(CANONICAL, body=body, headers={"Content-Type": "text/html"})
    assert Ask120QuestionPage(response, NOW).problem() == "empty"


def test_a_question_template_around_a_removed_notice_is_removed():
    body = """<html><head><title>提示_快速问医生</title></head><body>
    <div class="b_askbox"><div class="b_askti"><h1 id="d_askH1">胃疼怎么办</h1></div>
    <div class="b_askcont" id="d_msCon"></div></div><p>该问题已被删除</p></body></html>"""
    assert Ask120QuestionPage(html(CANONICAL, body), NOW).problem() == "removed"
