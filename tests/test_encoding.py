"""GBK pages without a charset: what Scrapy guesses, what EncodingFallbackMiddleware does."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from medcrawl.crawl.encoding import EncodingFallbackMiddleware
from medcrawl.sites.ask39.pages import Ask39QuestionPage
from medcrawl.sites.spider import fetched_at
from tests.conftest import (
    FIXTURES,
    PAGE_CLASSES,
    encoding_fallback,
    fixture_names,
    fixture_response,
    load_expected,
)

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


# --- wrong declarations: decoded by what the bytes are ---------------------------------------

GBK_BODY = "<html><head>{meta}</head><body><p>王喆、李堃、钱镕：胃胀反酸</p></body></html>"
TEXT = "王喆、李堃、钱镕：胃胀反酸"  # 喆 堃 镕 are outside GB2312
META = {
    "none": "",
    "meta gb2312": '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    "meta gbk": '<meta charset="gbk">',
    "meta utf-8": '<meta charset="utf-8">',
}
HEADER = {
    "no header charset": "text/html",
    "header gbk": "text/html; charset=GBK",
    "header gb2312": "text/html; charset=gb2312",
    "header utf-8": "text/html; charset=utf-8",
}


@pytest.mark.parametrize("meta", list(META))
@pytest.mark.parametrize("header", list(HEADER))
@pytest.mark.parametrize("bytes_are", ["gbk", "utf-8"])
def test_every_declaration_right_or_wrong_gives_the_text(bytes_are, header, meta):
    """GBK bytes and UTF-8 bytes, each declared in every way — in the header, only in a
    <meta>, not at all, rightly or wrongly: the text comes out whole, no mojibake."""
    body = GBK_BODY.format(meta=META[meta]).encode(bytes_are)
    response = HtmlResponse(
        "https://club.example/q/1.htm", body=body, headers={"Content-Type": HEADER[header]}
    )
    fixed = encoding_fallback(response)
    assert fixed.encoding == ("utf-8" if bytes_are == "utf-8" else "gb18030")
    assert TEXT in fixed.text
    assert "\ufffd" not in fixed.text


def test_scrapy_alone_gets_the_wrong_declarations_wrong():
    """What the middleware is for: Scrapy trusts the header, and mojibake follows."""
    utf8_as_gbk = HtmlResponse(
        "https://club.example/q/1.htm",
        body=GBK_BODY.format(meta="").encode(),
        headers={"Content-Type": "text/html; charset=gbk"},
    )
    gbk_as_utf8 = HtmlResponse(
        "https://club.example/q/1.htm",
        body=GBK_BODY.format(meta="").encode("gbk"),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    assert TEXT not in utf8_as_gbk.text
    assert TEXT not in gbk_as_utf8.text


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        # bytes valid in neither UTF-8 nor gb18030: the declaration stands
        (b"<p>caf\xe9</p>", "text/html; charset=utf-8", "utf-8"),
        (b"<p>caf\xe9</p>", "text/html; charset=latin-1", "cp1252"),
        # ASCII says nothing against any declaration
        (b"<p>ok</p>", "text/html; charset=gbk", "gb18030"),
        # a BOM wins over a header
        (b"\xef\xbb\xbf<p>" + "咳嗽".encode() + b"</p>", "text/html; charset=gbk", "utf-8"),
    ],
)
def test_a_declaration_the_bytes_do_not_contradict_stands(body, content_type, encoding):
    response = HtmlResponse(
        "https://club.example/q/1.htm", body=body, headers={"Content-Type": content_type}
    )
    assert encoding_fallback(response).encoding == encoding


@pytest.mark.parametrize("declared", ["", "; charset=utf-8", "; charset=gbk"])
@pytest.mark.parametrize("bytes_are", ["gbk", "utf-8"])
def test_damaged_bytes_are_read_the_way_that_breaks_least(bytes_are, declared):
    """One broken byte in a page: the rest of it still reads right, whatever it declares."""
    body = bytearray(GBK_BODY.format(meta="").encode(bytes_are))
    body[body.index(b"</body>") - 1] = 0xFF  # a byte valid in neither UTF-8 nor gb18030
    response = HtmlResponse(
        "https://club.example/q/1.htm",
        body=bytes(body),
        headers={"Content-Type": f"text/html{declared}"},
    )
    assert TEXT in encoding_fallback(response).text


def test_a_corrected_declaration_is_counted():
    crawler = get_crawler(settings_dict={"MEDCRAWL_FALLBACK_ENCODING": "gb18030"})
    middleware = EncodingFallbackMiddleware.from_crawler(crawler)
    response = HtmlResponse(
        "https://club.example/q/1.htm",
        body="<p>咳嗽</p>".encode(),
        headers={"Content-Type": "text/html; charset=gbk"},
    )
    middleware.process_response(None, response)
    assert middleware.stats.get_value("medcrawl/encoding/declared_gb18030_decoded_utf-8") == 1


@pytest.mark.parametrize(("site", "name"), [(s, n) for s in PAGE_CLASSES for n in fixture_names(s)])
def test_no_fixture_page_comes_out_as_mojibake(site, name):
    """Every fixture page of every site decodes to text with its title in it and no
    replacement character (the ask39 pages as before: declared UTF-8, undeclared GBK)."""
    response = fixture_response(site, name)
    title = load_expected(site, name)["items"]["questions"][0]["title"]
    assert title in response.text
    assert "\ufffd" not in response.text
    assert response.encoding in ("utf-8", "gb18030")
