"""Hostile pages (issue 12): every page accounted for, one bad link costs only itself, records
valid by construction, no input that makes parsing worse than linear.

Unit tests per finding, then a replay crawl of an archive of hostile variants of real pages.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from itemadapter import ItemAdapter
from parsel import Selector
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from medcrawl.contract.items import Answer, Cause, Doctor, Drug, Question, Reject
from medcrawl.contract.schema import record_errors
from medcrawl.contract.validation import ValidationMiddleware, page_errors
from medcrawl.crawl.faults import PageFaultsMiddleware, PageTooLarge
from medcrawl.extract.assemble import follow_up, follow_up_exchange
from medcrawl.extract.dates import MAX_DATE_CHARS, list_date, parse_date
from medcrawl.extract.html import outermost_elements, text_lines
from medcrawl.extract.lists import MAX_LISTS, answer_lists
from medcrawl.extract.medical import (
    MAX_LIST_CHARS,
    drugs_mentioned,
    parse_age,
    parse_count,
    split_answer,
)
from medcrawl.extract.numbers import whole_number
from medcrawl.extract.urls import BadLink, resolve_link
from medcrawl.sites.ask39.pages import (
    Ask39IndexPage,
    Ask39ListPage,
    Ask39QuestionPage,
    Ask39RelatedBox,
)
from medcrawl.sites.ask39.site import SITE
from medcrawl.sites.ask39.spider import Ask39Spider
from tests.runs import Page, crawl, fixture_page, write_warc
from tests.spiders.hostile import RAISES_ID

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
SEED = fixture_page("seed_2024")
HUGE = "9" * 5000


def spider() -> Ask39Spider:
    crawler = get_crawler(Ask39Spider, settings_dict={"RETRY_ENABLED": False})
    qa = Ask39Spider.from_crawler(crawler)
    crawler.spider = qa
    return qa


def html(url: str, body: str | bytes) -> HtmlResponse:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return HtmlResponse(url, body=raw, encoding="utf-8", request=Request(url))


def seed_with(*replacements: tuple[str, str], url: str = SEED.url) -> HtmlResponse:
    """The seed page with text replaced (each must be found)."""
    text = SEED.body.decode("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return html(url, text)


def parse(response: HtmlResponse, qa: Ask39Spider | None = None) -> list[object]:
    return list((qa or spider()).parse(response))


def records(out: list[object], cls: type) -> list[dict]:
    return [ItemAdapter(o).asdict() for o in out if type(o) is cls]


# --- finding 2: pages lost without a reject ----------------------------------------------------


def test_a_page_whose_parse_raises_is_one_parse_error_reject(caplog):
    """The callback's exception reaches the fault middleware: a reject with the exception's
    type and message and the page URL, a stat, a warning — not Scrapy's bare error line."""
    qa = spider()
    faults = PageFaultsMiddleware.from_crawler(qa.crawler)
    response = html(SEED.url, SEED.body)
    out = list(faults.process_spider_exception(response, RecursionError("too deep")))
    assert [(r.url, r.reason, r.detail) for r in out] == [
        (SEED.url, "parse_error", "RecursionError: too deep")
    ]
    assert qa.crawler.stats.get_value("medcrawl/skipped/parse_error") == 1
    assert f"Skipped {SEED.url}: parse_error (RecursionError: too deep)" in caplog.text


def test_a_parse_error_counts_in_the_error_rate():
    from medcrawl.contract.monitors import page_counts

    stats = {"medcrawl/pages/question": 19, "medcrawl/skipped/parse_error": 1}
    assert page_counts(stats) == (20, 1, 0)


def test_a_question_page_is_parsed_whole_before_its_first_item_leaves(monkeypatch):
    """All or nothing: an exception after some items were made yields none of them."""

    def half(self):
        yield Question(id="ask39:1")
        raise ValueError("half way")

    monkeypatch.setattr(Ask39QuestionPage, "items", half)
    out = spider().parse(html(SEED.url, SEED.body))
    with pytest.raises(ValueError, match="half way"):
        next(out)


def test_a_page_over_the_size_limit_is_too_large_before_it_is_parsed():
    crawler = get_crawler(Ask39Spider, settings_dict={"MEDCRAWL_MAX_PAGE_BYTES": 1000})
    faults = PageFaultsMiddleware.from_crawler(crawler)
    assert faults.process_spider_input(html(SEED.url, b"x" * 1000)) is None
    with pytest.raises(PageTooLarge, match=r"1001 bytes > MEDCRAWL_MAX_PAGE_BYTES \(1000\)"):
        faults.process_spider_input(html(SEED.url, b"x" * 1001))


def test_a_too_large_page_becomes_a_reject_through_the_errback():
    from twisted.python.failure import Failure

    qa = spider()
    failure = Failure(PageTooLarge("6000001 bytes > MEDCRAWL_MAX_PAGE_BYTES (6000000)"))
    failure.request = Request(SEED.url)
    (reject,) = list(qa.on_error(failure))
    assert (reject.url, reject.reason) == (SEED.url, "too_large")
    assert qa.crawler.stats.get_value("medcrawl/skipped/too_large") == 1


@pytest.mark.parametrize("depth", [1_200, 2_000])
def test_deep_nesting_does_not_raise(depth):
    """~1,000 nested tags made the recursive walk raise RecursionError."""
    sel = Selector(text="<p>" + "<b>" * depth + "深" + "</b>" * depth + "尾</p>")
    assert text_lines(sel.xpath("//p")[0]) == ["深尾"]


def test_deeply_nested_tables_do_not_raise():
    """A table row is read cell by cell; a walk that recursed through each row's cells hit
    RecursionError near 500 nested tables."""
    n = 600
    sel = Selector(
        text="<div>" + "<table><tr><td>" * n + "深" + "</td></tr></table>" * n + "</div>"
    )
    assert text_lines(sel.xpath("//div")[0]) == ["深"]
    row = Selector(text="<table><tr><td>身高：</td><td>98cm</td><th>体重</th></tr></table>")
    assert text_lines(row.xpath("//table")[0]) == ["身高：98cm 体重"]


@pytest.mark.parametrize(
    ("href", "why"),
    [
        ("http://[::1/x.html", "Invalid IPv6 URL"),
        ("http://[::1]]/", "Invalid IPv6 URL"),
        ("http://example.com:99999/", "out of range"),
        ("http://example.com:8o/", "Port could not be cast"),
        ("https://exa\x01mple.com/", "control character"),
        ("javascript:void(0)", "not a web link (javascript scheme)"),
        ("mailto:x@example.com", "not a web link (mailto scheme)"),
        ("http://a b.com/", "characters no URL holds"),
        ("/" + "x" * 3000, "longer than 2083"),
        ("", "empty"),
    ],
)
def test_a_hostile_href_is_no_link(href, why):
    with pytest.raises(BadLink, match=re.escape(why)):
        resolve_link(SEED.url, href)


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("/yp/5%葡萄糖注射液.html", "https://ask.39.net/yp/5%25%E8%91%A1%E8%90%84%E7%B3%96"),
        ("/a%2Fb 100%", "https://ask.39.net/a%2Fb%20100%25"),
        ("  //my.39.net/P1\n", "https://my.39.net/P1"),
        ("http://例子.测试/路径", "http://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84"),
    ],
)
def test_links_become_valid_uris(href, url):
    from jsonschema import FormatChecker

    got = resolve_link(SEED.url, href)
    assert got.startswith(url)
    assert FormatChecker().conforms(got, "uri")


def test_one_bad_link_in_a_list_page_costs_only_itself():
    """Before: the ValueError of one link lost the whole list (no question, no next page)."""
    items = "".join(
        f'<li><p class="p1"><a href="{href}">问题</a></p><span>2024-01-0{i}</span></li>'
        for i, href in enumerate(
            ["/question/1.html", "http://[::1/question/2.html", f"/question/{HUGE}.html",
             "http://ask.39.net:99999/question/3.html", "/question/4.html"], 1
        )
    )  # fmt: skip
    pager = '<span class="pages"><a class="next" href="/news/1-2.html">下一页</a></span>'
    body = f'<ul class="list_ask">{items}</ul>{pager}'
    skipped = []
    page = Ask39ListPage(
        html("https://ask.39.net/news/1-1.html", body), NOW, lambda *a: skipped.append(a)
    )
    assert [e.url for e in page.entries()] == [
        "https://ask.39.net/question/1.html",
        "https://ask.39.net/question/4.html",
    ]
    assert page.next_url() == "https://ask.39.net/news/1-2.html"
    assert [why for _, why in skipped] == [
        "Invalid IPv6 URL",
        "longer than 2083 characters",
        "Port out of range 0-65535",
    ]


def test_the_list_spider_follows_the_good_links_and_counts_the_bad():
    body = (
        '<ul class="list_ask"><li><p class="p1"><a href="http://[::1/x">坏</a></p></li>'
        '<li><p class="p1"><a href="/question/7.html">好</a></p></li></ul>'
        '<span class="pages"><a href="/news/1-' + HUGE + '.html">尾页</a></span>'
    )
    qa = spider()
    out = parse(html("https://ask.39.net/news/1-1.html", body), qa)
    assert [r.url for r in out] == ["https://ask.39.net/question/7.html"]
    assert qa.crawler.stats.get_value("medcrawl/links/skipped") == 2


def test_one_bad_link_in_a_related_box_costs_only_itself():
    body = (
        '<div class="relevant_ask"><a href="/question/1.html">a</a><a href="http://[::1/">b</a>'
        f'<a href="/question/{HUGE}.html">c</a><a href="/question/2.html">d</a></div>'
    )
    assert Ask39RelatedBox(html(SEED.url, body)).question_urls() == [
        "https://ask.39.net/question/1.html",
        "https://ask.39.net/question/2.html",
    ]


def test_one_bad_link_in_the_index_costs_only_itself():
    body = '<li class="sublink"><a href="http://[::1/">x</a><a href="/news/3-1.html">y</a></li>'
    page = Ask39IndexPage(html("https://ask.39.net/browse/jibing.html", body))
    assert page.list_urls() == ["https://ask.39.net/news/3-1.html"]


def test_bad_links_on_a_question_page_leave_the_page_whole():
    response = seed_with(
        ("http://my.39.net/P4349188", "http://[::1/P4349188"),
        ("//ypk.39.net/530312/", "http://ypk.39.net:99999/530312/"),
        ("//ypk.39.net/573184/", "javascript:void(0)"),
    )
    qa = spider()
    out = parse(response, qa)
    assert not [o for o in out if isinstance(o, Reject)]
    assert [d["url"] for d in records(out, Drug)][:2] == [None, None]
    assert records(out, Doctor)[0]["profile_url"] is None
    assert qa.crawler.stats.get_value("medcrawl/links/skipped") == 3


@pytest.mark.parametrize("text", [f"医生回答({HUGE})", f"（{HUGE}）", "(1234567890)"])
def test_a_count_past_nine_digits_is_none(text):
    assert parse_count(text) is None


def test_a_5000_digit_count_on_a_page_gives_the_answers_found():
    out = parse(seed_with(("医生回答(1)", f"医生回答({HUGE})")))
    (question,) = records(out, Question)
    assert question["answer_count"] == 1


@pytest.mark.parametrize("text", ["1234岁", "200岁", f"{HUGE}岁"])
def test_an_age_past_150_is_none(text):
    assert parse_age(text) is None


def test_site_urls_refuse_ids_past_their_digits_with_a_short_message():
    with pytest.raises(ValueError, match="at most 18 digits") as error:
        SITE.question_url(HUGE)
    assert len(str(error.value)) < 100
    with pytest.raises(ValueError, match="at most 18 digits"):
        SITE.category_url(HUGE)
    assert whole_number("0123") == 123
    url = f"https://ask.39.net/question/{HUGE}.html"
    assert SITE.canonical_url(url) == url  # no question URL: left as it is, never raised
    assert SITE.question_native_id(url) is None


def test_a_seed_with_a_5000_digit_id_is_a_bad_seed_and_the_others_go_on(tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"{HUGE}\n12\n", encoding="utf-8")
    crawler = get_crawler(Ask39Spider)
    qa = Ask39Spider.from_crawler(crawler, urls=str(seeds))
    crawler.spider = qa
    out = list(qa.seeds())
    assert [(type(o).__name__, getattr(o, "reason", None)) for o in out] == [
        ("Reject", "bad_seed"),
        ("Request", None),
    ]


# --- finding 3: records that fail their own schema -------------------------------------------


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        (["追问：", ""], None),
        (["追问："], None),
        (["", ""], None),
        (["追问：", "还疼吗"], {"role": "patient", "text": "还疼吗"}),
        (["没有标签的话"], {"role": None, "text": "没有标签的话"}),
    ],
)
def test_follow_up_pieces(spans, expected):
    assert follow_up(spans) == expected


def test_follow_ups_get_a_role_by_place_and_empty_ones_go():
    found = [
        {"role": None, "text": "第一句"},
        {"role": "doctor", "text": "回复"},
        {"role": None, "text": "再问"},
        {"role": None, "text": "再答"},
        {"role": "patient", "text": ""},
        {"role": "补充", "text": "补一句"},
        {"role": None, "text": "  "},
        {"role": None, "text": "最后"},
    ]
    assert follow_up_exchange(found) == [
        {"role": "patient", "text": "第一句"},
        {"role": "doctor", "text": "回复"},
        {"role": "patient", "text": "再问"},
        {"role": "doctor", "text": "再答"},
        {"role": "补充", "text": "补一句"},
        {"role": "patient", "text": "最后"},
    ]


ODD_FOLLOW_UPS = (
    '<div class="doc_zw"><span class="zw_tit">追问：</span><span class="zw_txt"></span></div>'
    '<div class="doc_zw"><span class="zw_txt">没有标签的追问</span></div>'
    '<div class="doc_zw"><span class="zw_tit">医生回复：</span>'
    '<span class="zw_txt">好的</span></div>'
)


def test_an_answer_with_odd_follow_ups_is_valid():
    """Before: `追问：` with no text and a piece with no label made role None → `invalid`."""
    out = parse(
        seed_with(('<div class="doc_t_strip">', ODD_FOLLOW_UPS + '<div class="doc_t_strip">'))
    )
    (answer,) = records(out, Answer)
    assert record_errors("answers", answer) == []
    assert answer["follow_ups"] == [
        {"role": "patient", "text": "没有标签的追问"},
        {"role": "doctor", "text": "好的"},
    ]


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("1900-01-01 10:00", "1900-01-01T10:00:00+08:00"),  # zoneinfo: +08:05:43
        ("1850年3月1日 08:00", "1850-03-01T08:00:00+08:00"),
        ("2024-02-24 20:54", "2024-02-24T20:54:00+08:00"),
        ("1988-07-01 12:00", "1988-07-01T12:00:00+08:00"),  # zoneinfo: +09:00 (DST, 1986–91)
    ],
)
def test_dates_take_the_fixed_site_offset(raw, iso):
    assert parse_date(raw, NOW) == iso


def test_an_old_answer_date_is_valid():
    out = parse(seed_with(("2024-02-24 20:54", "1900-01-01 10:00")))
    (answer,) = records(out, Answer)
    assert answer["answered_at"] == "1900-01-01T10:00:00+08:00"
    assert record_errors("answers", answer) == []


def test_a_raw_percent_in_a_drug_link_is_escaped():
    out = parse(seed_with(("//ypk.39.net/530312/", "/yp/5%葡萄糖注射液.html")))
    drug = records(out, Drug)[0]
    assert drug["url"].startswith("https://ask.39.net/yp/5%25%E8%91%A1")
    assert record_errors("drugs", drug) == []


def test_a_name_that_is_only_a_ui_word_makes_no_record():
    """Before: a drug named `提问` lost its name to the loader, kept its id: invalid."""
    out = parse(seed_with((">巴氯芬片</a>", ">提问</a>")))
    drugs = records(out, Drug)
    (question,) = records(out, Question)
    assert [d["name"] for d in drugs] == [
        "阿比多尔片",
        "注射用亚胺培南西司他丁钠",
        "复方片仔癀软膏",
    ]
    assert question["drug_ids"] == [d["id"] for d in drugs]


def test_a_title_that_is_only_a_ui_word_is_not_a_question():
    title = '<h1 class="ask_tit">引起面部肌肉痉挛的原因</h1>'
    out = parse(seed_with((title, '<h1 class="ask_tit">提问</h1>'), ("<title>", "<title>提问_")))
    assert [(type(o).__name__, o.reason) for o in out] == [("Reject", "not_question")]


# --- the family rule -----------------------------------------------------------------------------


def family(question_ok: bool = True, answer_ok: bool = True, doctor_ok: bool = True):
    q = Question(
        id="ask39:1", site="ask39", url="https://ask.39.net/question/1.html", title="t",
        answer_count=1, crawled_at="2026-11-20T08:00:00+00:00", drug_ids=["ask39:drug:甲"],
        recommended_doctor_ids=["ask39:doctor:h0123456789ab"],
    )  # fmt: skip
    if not question_ok:
        q.title = ""
    doctor = Doctor(id="ask39:doctor:h0123456789ab", name="医" if doctor_ok else None)
    a = Answer(
        id="ask39:1/a1", question_id="ask39:1", position=1 if answer_ok else 0,
        doctor_id=doctor.id, text="答",
    )  # fmt: skip
    c = Cause(id="ask39:1/a1/c1", answer_id="ask39:1/a1", question_id="ask39:1", position=1)
    drug = Drug(id="ask39:drug:甲", name="甲")
    return [q, doctor, a, c, drug]


def test_a_valid_family_passes():
    assert page_errors(family()) == [[], [], [], [], []]


def test_the_children_of_an_invalid_question_go_with_it():
    errors = page_errors(family(question_ok=False))
    assert [bool(e) for e in errors] == [True, False, True, True, False]  # doctor, drug stay
    assert errors[2] == [{"path": "question_id", "message": "ask39:1 failed its schema"}]


def test_the_causes_of_an_invalid_answer_go_with_it():
    errors = page_errors(family(answer_ok=False))
    assert [bool(e) for e in errors] == [False, False, True, True, False]
    assert errors[3] == [{"path": "answer_id", "message": "ask39:1/a1 failed its schema"}]


def test_links_to_a_failed_shared_record_are_taken_out():
    items = family(doctor_ok=False)
    errors = page_errors(items)
    assert [bool(e) for e in errors] == [False, True, False, False, False]
    question, _, answer, _, _ = items
    assert answer.doctor_id is None
    assert question.recommended_doctor_ids == []
    assert question.drug_ids == ["ask39:drug:甲"]


@pytest.mark.parametrize("chain", ["sync", "async"])
def test_the_middleware_rejects_a_family_and_keeps_requests_flowing(chain, caplog):
    crawler = get_crawler(Ask39Spider)
    middleware = ValidationMiddleware.from_crawler(crawler)
    request = Request("https://ask.39.net/question/2.html")
    entries = [*family(question_ok=False), request]
    response = html(SEED.url, b"x")

    async def result():
        for entry in entries:
            yield entry

    async def run_async():
        return [o async for o in middleware.process_spider_output_async(response, result())]

    if chain == "sync":
        out = list(middleware.process_spider_output(response, iter(entries)))
    else:
        out = asyncio.run(run_async())
    assert out[0] is request
    kinds = [(type(o).__name__, getattr(o, "item_kind", None)) for o in out[1:]]
    assert kinds == [
        ("Reject", "questions"), ("Doctor", None), ("Reject", "answers"), ("Reject", "causes"),
        ("Drug", None),
    ]  # fmt: skip
    assert crawler.stats.get_value("medcrawl/invalid/causes") == 1
    assert "Invalid answers item from" in caplog.text


# --- finding 4: inputs that freeze the reactor --------------------------------------------------


def test_drug_lists_are_read_at_most_max_list_chars_far():
    """Bounded work per `如`; before, each one scanned to the end of the text."""
    names = "、".join(f"药品{i:03d}片" for i in range(60))  # 60 × 7 characters, no end
    found = drugs_mentioned("可用药物如" + names)
    assert found[0] == "药品000片"
    assert len("、".join(found)) <= MAX_LIST_CHARS
    assert len(found) < 60


def test_an_answer_gives_at_most_max_lists_lists():
    """Each list was found by reading the rest of the answer again: 1,000 lists took 25 s."""
    lines = ["原因如下：", "1.甲：说明", "2.乙：说明", "建议多休息。"] * (MAX_LISTS + 5)
    found = answer_lists(split_answer(lines))
    assert len(found) == MAX_LISTS
    assert [item.name for item in found[-1].items] == ["甲", "乙"]


def test_a_long_run_of_mentions_with_no_sentence_end():
    text = "需要使用药物" + "如阿莫西林胶囊、布洛芬等" * 20_000
    assert drugs_mentioned(text) == ["阿莫西林胶囊", "布洛芬"]


def test_nested_answer_blocks_are_one_block():
    """Before: each of n nested blocks was read with all the blocks inside it (n² text)."""
    block = '<div class="sele_all"><p class="sele_txt">答</p>'
    n = 300
    response = seed_with(
        (
            '<div class="sele_all marg_top">',
            block * n + "</div>" * n + '<div class="sele_all marg_top">',
        )
    )
    page = Ask39QuestionPage(response, NOW)
    assert len(page.answer_blocks) == 2
    assert len(outermost_elements(Selector(text="<div><div></div></div>").root.xpath("//div"))) == 1


def test_a_long_date_cell_is_read_from_its_first_characters():
    cell = "2024-02-24 20:54" + "\u2003" * 20_000 + "x"
    assert parse_date(cell, NOW) == "2024-02-24T20:54:00+08:00"
    assert parse_date("x" * (MAX_DATE_CHARS + 1), NOW) is None
    assert list_date(["02-24" + "\u2003" * 10_000 + "x"], NOW) is None


def test_the_hostile_benchmark_runs_and_reports_ratios(capsys):
    from bench import hostile

    hostile.main(["--scale", "0.02", "--repeat", "1"])
    out = capsys.readouterr().out
    for case in hostile.CASES:
        assert re.search(rf"^{re.escape(case.name)}\s+\d+(\s+\d+\.\d+){{6}}$", out, re.M), case.name
    assert "ratio = time(4n) / time(n)" in out


# --- a replay crawl of hostile pages --------------------------------------------------------------

LIST_URL = "https://ask.39.net/news/3166-1.html"


def variant(native_id: str, *replacements: tuple[str, str], pad: int = 0) -> Page:
    text = SEED.body.decode("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    body = text.encode("utf-8") + b" " * pad
    return Page(f"https://ask.39.net/question/{native_id}.html", body, SEED.date, SEED.headers)


HOSTILE_PAGES = {
    "90000001": [
        ('<p class="sele_txt">', '<p class="sele_txt">' + "<b>" * 1_500 + "深" + "</b>" * 1_500)
    ],
    "90000002": [
        ("http://my.39.net/P4349188", "http://[::1/P4349188"),
        ("//ypk.39.net/530312/", "http://ypk.39.net:99999/530312/"),
        ("//ypk.39.net/573184/", "java\tscript:void(0)"),
        ("//ypk.39.net/517742/", "//ypk.39.net/\x01/"),
    ],
    "90000003": [("医生回答(1)", f"医生回答({HUGE})")],
    "90000004": [("如阿莫西林胶囊", "如阿莫西林胶囊" * 3_000)],
    "90000005": [('<div class="doc_t_strip">', ODD_FOLLOW_UPS + '<div class="doc_t_strip">')],
    "90000006": [("2024-02-24 20:54", "1900-01-01 10:00")],
    "90000007": [("//ypk.39.net/530312/", "/yp/5%葡萄糖注射液.html")],
    "90000008": [("<title>", "<title>大")],  # padded past the size limit below
    RAISES_ID: [],
}


def hostile_archive(path: Path) -> Path:
    pages = [
        variant(qid, *edits, pad=300_000 if qid == "90000008" else 0)
        for qid, edits in HOSTILE_PAGES.items()
    ]
    hrefs = [p.url for p in pages] + [
        "http://[::1/question/1.html", f"/question/{HUGE}.html", "javascript:;",
        "http://ask.39.net:99999/question/2.html",
    ]  # fmt: skip
    rows = "".join(f'<li><p class="p1"><a href="{h}">问</a></p></li>' for h in hrefs)
    listing = f'<html><body><ul class="list_ask">{rows}</ul></body></html>'.encode()
    list_page = Page(LIST_URL, listing, SEED.date, [("Content-Type", "text/html; charset=utf-8")])
    return write_warc(path, [list_page, *pages])


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    archive = hostile_archive(out / "hostile.warc.gz")
    return crawl(
        out, archive, "-a", f"start={LIST_URL}", "-s", "SPIDER_MODULES=tests.spiders",
        "-s", "MEDCRAWL_MAX_PAGE_BYTES=250000", "-s", "LOG_LEVEL=DEBUG",
        command=("crawl", "ask39_hostile"), spider="ask39_hostile",
    )  # fmt: skip


def test_hostile_replay_accounts_for_every_page(hostile_run):
    questions = {q["url"] for q in hostile_run.jsonl("questions")}
    rejects = {r["url"]: r for r in hostile_run.jsonl("rejects")}
    for qid in HOSTILE_PAGES:
        url = f"https://ask.39.net/question/{qid}.html"
        assert (url in questions) != (url in rejects), url
    assert rejects[f"https://ask.39.net/question/{RAISES_ID}.html"]["reason"] == "parse_error"
    assert rejects[f"https://ask.39.net/question/{RAISES_ID}.html"]["detail"] == (
        "RuntimeError: a parser bug"
    )
    assert rejects["https://ask.39.net/question/90000008.html"]["reason"] == "too_large"
    assert len(questions) == len(HOSTILE_PAGES) - 2
    # The list page's pager raised after its questions were followed: they are not lost.
    assert (rejects[LIST_URL]["reason"], rejects[LIST_URL]["detail"]) == (
        "parse_error",
        "RuntimeError: a pager bug",
    )
    assert "Spider error processing" not in hostile_run.log
    assert "Traceback" in hostile_run.log  # the parse error's, at DEBUG
    assert "ERROR" not in hostile_run.log.replace("parse_error", "")


def test_hostile_replay_writes_only_valid_records(hostile_run):
    for stem in ("questions", "answers", "causes", "encyclopedia", "drugs", "doctors", "rejects"):
        for record in hostile_run.jsonl(stem):
            assert record_errors(stem, record) == [], (stem, record)
    assert [r for r in hostile_run.jsonl("rejects") if r["reason"] == "invalid"] == []


def test_hostile_replay_leaves_no_orphans(hostile_run):
    ids = {stem: {r["id"] for r in hostile_run.jsonl(stem)}
           for stem in ("questions", "answers", "encyclopedia", "drugs", "doctors")}  # fmt: skip
    for answer in hostile_run.jsonl("answers"):
        assert answer["question_id"] in ids["questions"]
        assert answer["doctor_id"] in ids["doctors"] | {None}
    for cause in hostile_run.jsonl("causes"):
        assert cause["answer_id"] in ids["answers"]
        assert cause["question_id"] in ids["questions"]
    for question in hostile_run.jsonl("questions"):
        assert question["encyclopedia_id"] in ids["encyclopedia"] | {None}
        assert set(question["drug_ids"]) <= ids["drugs"]
        assert set(question["recommended_doctor_ids"]) <= ids["doctors"]


def test_hostile_replay_counts_the_skipped_links(hostile_run):
    skipped = hostile_run.manifest["pages"]["skipped"]
    assert (skipped["parse_error"], skipped["too_large"]) == (2, 1)
    assert "Skipped link 'http://[::1/question/1.html': Invalid IPv6 URL" in hostile_run.log
    assert "'medcrawl/links/skipped': " in hostile_run.log


def test_the_spider_logs_the_first_skipped_link_once(caplog):
    qa = spider()
    with caplog.at_level(logging.INFO):
        qa.bad_link("http://[::1/", "Invalid IPv6 URL")
        qa.bad_link("javascript:;", "not a web link")
    assert caplog.text.count("Skipped link") == 1
    assert qa.crawler.stats.get_value("medcrawl/links/skipped") == 2
