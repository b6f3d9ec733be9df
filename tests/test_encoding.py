"""GBK pages without a charset: what Scrapy guesses, what EncodingFallbackMiddleware does."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from medcrawl.sites.ask39.pages import Ask39QuestionPage
from medcrawl.sites.spider import fetched_at
from tests.conftest import FIXTURES, encoding_fallback, fixture_response, load_expected

# (fixture, its title as a reader sees it)
GBK_PAGES = [
    ("gbk_2017_undeclared", "腰疼得厉害，弯腰都困难是腰椎间盘突出吗"),
    ("no_answers_gbk_2019", "牙疼"),
]


def title_of(response: HtmlResponse) -> str | None:
    page = Ask39QuestionPage(response, fetched_at(response))
    return page.title_text


@pytest.mark.parametrize(("name", "title"), GBK_PAGES)
def test_fixture_is_undeclared_gbk(name, title):
    body = (FIXTURES / "ask39" / f"{name}.html").read_bytes()
    assert b"charset" not in body.lower()
    assert "charset" not in load_expected("ask39", name)["headers"]["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert title in body.decode("gbk")


@pytest.mark.parametrize(("name", "title"), GBK_PAGES)
def test_middleware_decodes_as_gb18030(name, title):
    response = fixture_response("ask39", name)
    assert response.encoding == "gb18030"
    assert title_of(response) == title


def test_scrapy_guesses_a_full_page_right():
    """A page of a few KB: charset-normalizer's guess is right too."""
    response = fixture_response("ask39", "gbk_2017_undeclared", middleware=False)
    assert response.encoding == "gb18030"
    assert title_of(response) == "腰疼得厉害，弯腰都困难是腰椎间盘突出吗"


def test_scrapy_guesses_a_short_page_wrong():
    """A short page (charset-normalizer 3.5): another codec and mojibake; the fallback fixes it."""
    raw = fixture_response("ask39", "no_answers_gbk_2019", middleware=False)
    assert raw.encoding not in ("gb18030", "gbk", "gb2312")
    assert title_of(raw) != "牙疼"
    assert title_of(encoding_fallback(raw)) == "牙疼"


@pytest.mark.parametrize(
    ("body", "headers", "encoding"),
    [
        # declared charsets are kept (w3lib reads big5 as its superset big5hkscs)
        ('<meta charset="utf-8"><p>咳嗽</p>'.encode(), {}, "utf-8"),
        ("<p>咳嗽</p>".encode("big5"), {"Content-Type": "text/html; charset=big5"}, "big5hkscs"),
        # undeclared: valid UTF-8 stays UTF-8, anything else is gb18030
        ("<p>咳嗽</p>".encode(), {"Content-Type": "text/html"}, "utf-8"),
        ("<p>咳嗽</p>".encode("gbk"), {"Content-Type": "text/html"}, "gb18030"),
    ],
)
def test_declared_charset_wins(body, headers, encoding):
    response = HtmlResponse("https://ask.39.net/question/1.html", body=body, headers=headers)
    fixed = encoding_fallback(response)
    assert fixed.encoding == encoding
    assert "咳嗽" in fixed.text


@pytest.mark.parametrize(("name", "title"), GBK_PAGES)
def test_middleware_never_runs_the_charset_guess(monkeypatch, name, title):
    """The guess (charset-normalizer, ~4 ms a page) is what the middleware replaces: setting
    the encoding must not consult it first."""

    def guessed(self, text):
        raise AssertionError("charset guess ran")

    monkeypatch.setattr(HtmlResponse, "_auto_detect_fun", guessed)
    response = fixture_response("ask39", name)
    assert response.encoding == "gb18030"
    assert title_of(response) == title
