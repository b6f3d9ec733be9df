"""club.xywy.com: URL forms and ids, the day index and day lists, bounds by day, bad pages,
and what the page class does with the shapes its fixtures do not show."""

from __future__ import annotations

import copy
import json
import random
import time
from datetime import date, datetime, timedelta, timezone
from itertools import islice

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from medcrawl.contract.items import OUTPUT_FILES, Answer, Doctor, Question, Reject
from medcrawl.contract.schema import record_errors
from medcrawl.contract.validation import fields_of
from medcrawl.extract.dates import SITE_TZ
from medcrawl.sites.xywy.pages import (
    XywyDayPage,
    XywyQuestionPage,
    XywyRelatedBox,
)
from medcrawl.sites.xywy.site import SITE
from medcrawl.sites.xywy.spider import XywySpider
from tests.conftest import FIXTURES, encoding_fallback, fixture_names, fixture_response

CANONICAL = "https://club.xywy.com/static/20170223/126671067.htm"
NOW = datetime(2024, 3, 8, 4, 0, tzinfo=timezone.utc)


def spider(**arguments: str) -> XywySpider:
    crawler = get_crawler(XywySpider, settings_dict={"RETRY_ENABLED": False})
    qa = XywySpider.from_crawler(crawler, **arguments)
    crawler.spider = qa
    return qa


def gbk_page(url: str, html: str, charset: str | None = None) -> HtmlResponse:
    """A page as the site serves it: GBK bytes, the charset in the header or nowhere."""
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    raw = HtmlResponse(url, body=html.encode("gbk"), headers={"Content-Type": content_type})
    return encoding_fallback(raw)


# --- URLs and ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        CANONICAL,
        "http://club.xywy.com/static/20170223/126671067.htm",
        "https://club.xywy.com/question/20170223/126671067.htm",
        "http://3g.club.xywy.com/static/20170223/126671067.htm",
        "https://3g.club.xywy.com/mip/static/20170223/126671067.htm",
        "https://club.xywy.com/mip/question/20170223/126671067.htm",
        "https://club.xywy.com/static/20170223/0126671067.htm?fromurl=xwtw#answers",
        "HTTPS://CLUB.XYWY.COM/static/20170223/126671067.htm",
    ],
)
def test_every_form_of_a_question_url_is_one_url(url):
    assert SITE.canonical_url(url) == CANONICAL
    assert SITE.question_native_id(url) == "126671067"
    assert SITE.item_id(SITE.question_native_id(url)) == "xywy:126671067"


def test_day_lists_the_index_and_other_urls():
    assert SITE.canonical_url("http://club.xywy.com/keshi/2024-03-01/02.html#top") == (
        "https://club.xywy.com/keshi/2024-03-01/2.html"
    )
    assert SITE.canonical_url("http://club.xywy.com/keshi/3.html") == (
        "https://club.xywy.com/keshi/3.html"
    )
    assert SITE.day_of("https://club.xywy.com/keshi/2024-03-01/2.html") == date(2024, 3, 1)
    # not a day: left as it is, not an error
    bad_day = "https://club.xywy.com/keshi/2024-13-45/1.html"
    assert SITE.day_of(bad_day) is None
    assert SITE.canonical_url(bad_day) == bad_day
    assert SITE.question_native_id("https://club.xywy.com/doc_card/6937219") is None
    assert SITE.question_native_id("https://www.xywy.com/static/20170223/1.htm") is None


def test_an_id_alone_names_no_page():
    """The URL holds the day the question was asked; no URL form without it is known."""
    with pytest.raises(ValueError, match="day and id"):
        SITE.question_url("126671067")
    with pytest.raises(ValueError, match=r"-a question=126671067: xywy question pages are addr"):
        XywySpider(question="126671067")
    assert XywySpider(question=CANONICAL).question_ids == [CANONICAL]


def test_a_question_id_in_a_seed_file_is_a_bad_seed_saying_why(tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"126671067\n{CANONICAL}\n", encoding="utf-8")
    out = list(spider(urls=str(seeds)).seeds())
    assert isinstance(out[0], Reject) and out[0].reason == "bad_seed"
    assert "addressed by day and id" in out[0].detail
    assert [r.url for r in out[1:]] == [CANONICAL]


# --- the day index, day lists, bounds by day --------------------------------------------------


def day_list_html(day: str, entries: list[int], pager: str) -> str:
    items = "".join(
        f'<div class="club_dic"><h4 class="clearfix"><em><a href="/static/{day.replace("-", "")}'
        f'/{n}.htm" target="_blank">问题{n}</a></em><var><a href="/list_1_all_1.htm">[内科]</a>'
        "</var></h4></div>"
        for n in entries
    )
    return f'<html><body><div class="club_list">{items}</div>{pager}</body></html>'


def test_a_day_list_pages_by_its_next_link():
    url = "https://club.xywy.com/keshi/2024-03-01/1.html"
    pager = '<div class="subFen"><span>共3页</span> <a href="2.html">[下一页]</a></div>'
    page = XywyDayPage(gbk_page(url, day_list_html("2024-03-01", [11, 12, 11], pager)), NOW)
    assert [(e.url, e.posted) for e in page.entries()] == [
        ("https://club.xywy.com/static/20240301/11.htm", date(2024, 3, 1)),
        ("https://club.xywy.com/static/20240301/12.htm", date(2024, 3, 1)),
    ]
    assert page.next_url() == "https://club.xywy.com/keshi/2024-03-01/2.html"


@pytest.mark.parametrize(
    ("pageno", "pager", "next_url"),
    [
        (2, '<div class="subFen">共3页</div>', "https://club.xywy.com/keshi/2024-03-01/3.html"),
        (3, '<div class="subFen">共3页</div>', None),
        (3, '<div class="subFen"><a href="2.html">[上一页]</a></div>', None),
    ],
)
def test_a_day_list_without_a_next_link_pages_by_its_count(pageno, pager, next_url):
    url = f"https://club.xywy.com/keshi/2024-03-01/{pageno}.html"
    page = XywyDayPage(gbk_page(url, day_list_html("2024-03-01", [1], pager)), NOW)
    assert page.next_url() == next_url


def index_html(days: list[date], next_href: str | None) -> str:
    links = "".join(
        f'<li><a href="/keshi/{d.isoformat()}/1.html">{d.isoformat()}</a></li>' for d in days
    )
    pager = f'<div class="subFen"><a href="{next_href}">[下一页]</a></div>' if next_href else ""
    return f'<html><body><ul class="club_Date  clearfix">{links}</ul>{pager}</body></html>'


def days_before(last: date, n: int) -> list[date]:
    return [last - timedelta(days=k) for k in range(n)]


def followed(out: list[object]) -> list[str]:
    return [o.url for o in out if isinstance(o, Request)]


def test_a_whole_site_crawl_takes_the_newest_7_days_of_the_index():
    qa = spider()
    assert list(qa.start_pages()) == ["https://club.xywy.com/keshi/1.html"]
    first = gbk_page(SITE.index_url(1), index_html(days_before(date(2024, 3, 8), 5), "2.html"))
    out = followed(list(qa.parse(first)))
    assert out[-1] == "https://club.xywy.com/keshi/2.html"  # 5 days: the next index page
    second = gbk_page(SITE.index_url(2), index_html(days_before(date(2024, 3, 3), 5), "3.html"))
    out += followed(list(qa.parse(second)))
    assert [u for u in out if "/keshi/2024" in u] == [
        SITE.day_url(d) for d in days_before(date(2024, 3, 8), 7)
    ]
    assert "https://club.xywy.com/keshi/3.html" not in out  # 7 days taken


@pytest.mark.parametrize(
    ("arguments", "first", "last"),
    [
        ({"since": "2024-03-01", "until": "2024-03-03"}, date(2024, 3, 1), date(2024, 3, 3)),
        ({"until": "2024-03-07"}, date(2024, 3, 1), date(2024, 3, 7)),  # the 7 days up to it
        ({"since": "2024-03-05", "until": "2024-03-05"}, date(2024, 3, 5), date(2024, 3, 5)),
    ],
)
def test_since_and_until_start_at_those_days_lists(arguments, first, last):
    pages = list(spider(**arguments).start_pages())
    assert pages == [SITE.day_url(last - timedelta(days=n)) for n in range((last - first).days + 1)]


def test_since_alone_runs_up_to_today():
    today = datetime.now(SITE_TZ).date()
    pages = spider(since=(today - timedelta(days=2)).isoformat()).start_pages()
    assert list(islice(pages, 5)) == [SITE.day_url(today - timedelta(days=n)) for n in range(3)]


def test_bounds_from_the_index_take_the_days_between_them():
    qa = spider(start=SITE.index_url(1), since="2024-03-02", until="2024-03-06")
    first = gbk_page(SITE.index_url(1), index_html(days_before(date(2024, 3, 8), 5), "2.html"))
    out = followed(list(qa.parse(first)))
    assert out == [SITE.day_url(date(2024, 3, d)) for d in (6, 5, 4)] + [SITE.index_url(2)]
    second = gbk_page(SITE.index_url(2), index_html(days_before(date(2024, 3, 3), 5), "3.html"))
    out = followed(list(qa.parse(second)))
    assert out == [SITE.day_url(date(2024, 3, d)) for d in (3, 2)]  # older than since: stop


def test_a_day_list_is_followed_within_max_pages():
    qa = spider(since="2024-03-01", until="2024-03-01", max_pages="2")
    url = SITE.day_url(date(2024, 3, 1))
    pager = '<div class="subFen"><a href="2.html">[下一页]</a></div>'
    out = list(qa.parse(gbk_page(url, day_list_html("2024-03-01", [1, 2, 3], pager))))
    assert followed(out) == [
        "https://club.xywy.com/static/20240301/1.htm",
        "https://club.xywy.com/static/20240301/2.htm",
    ]  # and no next page: the budget is spent


def test_related_questions():
    urls = XywyRelatedBox(fixture_response("xywy", "g2017_best_header_gbk")).question_urls()
    assert urls[:2] == [
        "https://club.xywy.com/static/20170222/126651234.htm",
        "https://club.xywy.com/static/20170221/126610870.htm",
    ]
    assert "https://club.xywy.com/static/20170219/126551020.htm" in urls  # relate-con teaser
    assert all(SITE.is_question_url(u) for u in urls)
    assert len(urls) == len(set(urls))


# --- the page: cases the fixtures do not show ---------------------------------------------------

CHROME = """<html><head><meta charset="gbk"><title>{title}_有问必答_寻医问药网</title></head><body>
<p class="pt10 pb10 lh180 znblue normal-a"><a href="http://www.xywy.com/">寻医问药网</a> &gt;
<a href="http://club.xywy.com/">有问必答</a> &gt; <a href="/list_2.htm">内科</a></p>
<div class="User_askcon clearfix pr"><h2><p class="fl dib fb">{title}</p></h2>
<div class="f12 graydeep Userinfo clearfix pl29"><span>name</span><span>女 28岁</span>
<span>提问时间：2020-05-06 07:08</span></div>
<div id="qdetailc">头痛三天。</div></div>
<div class="Doc_con clearfix pr mt5">{answers}</div>
<script>var t = "最佳答案";</script></body></html>"""

CARD = """<div class="Doc_zytpmd graydeep fl ml15 f14"><a class="f14 fb Doc_bla"
href="{href}">{name}</a><span class="fl ml10 btn-a mr5">主治医师</span>
<p class="fl graydeep">擅长：头痛</p><span>北京协和医院 三甲</span></div>"""


def parse(answers: str) -> dict[str, list]:
    html = CHROME.format(title="头痛三天怎么办", answers=answers)
    response = gbk_page("https://club.xywy.com/static/20200506/5.htm", html)
    page = XywyQuestionPage(response, NOW)
    assert page.problem() is None
    out: dict[str, list] = {}
    for item in page.items():
        out.setdefault(type(item).__name__, []).append(item)
    return out


def test_a_2017_block_around_2021_markup_is_one_answer():
    """The best block of the template that carries both generations' classes: the docall
    block holds the card, and qsdetail holds div.Doc_dochf.Best_dochf with the text."""
    found = parse(
        '<div class="docall clearfix Bestbg" id="1_reply">'
        + CARD.format(href="http://club.xywy.com/doc_card/42", name="林喆")
        + '<div class="pt10 clearfix pr qsdetail pb15"><div class="Doc_dochf Best_dochf bc">'
        '<div class="pt15 f14 graydeep  pl20 pr20">多休息。</div><p class="col99 tr clearfix pr20">'
        '<span class="User_newbg User_time Doc_time">2020-05-06 09:00:00</span></p></div></div>'
        "</div>"
        '<div class="docall clearfix " id="2_reply">'
        + CARD.format(href="javascript:;", name="周到")
        + '<div class="pt10 mb5 clearfix pr qsdetail"><div class="pt15 f14 graydeep  pl20 pr20">'
        '查一下血压。</div><p class="col99 tr clearfix pr20"><span>2020-05-06 10:00:00</span>'
        "</p></div></div>"
    )
    answers: list[Answer] = found["Answer"]
    assert [(a.text, a.accepted, a.answered_at_raw) for a in answers] == [
        ("多休息。", True, "2020-05-06 09:00:00"),
        ("查一下血压。", False, "2020-05-06 10:00:00"),
    ]
    doctors: list[Doctor] = found["Doctor"]
    assert [
        (d.name, d.title_rank, d.hospital, d.hospital_grade, d.profile_url) for d in doctors
    ] == [
        ("林喆", "attending", "北京协和医院", "三甲", "http://club.xywy.com/doc_card/42"),
        ("周到", "attending", "北京协和医院", "三甲", None),
    ]
    assert doctors[0].id == "xywy:doctor:42"
    question: Question = found["Question"][0]
    assert (question.patient_sex, question.patient_age) == ("女", 28)
    assert question.asked_at == "2020-05-06T07:08:00+08:00"
    assert question.category_path == ["内科"]


def test_a_badge_inside_a_block_marks_that_answer_not_the_next():
    found = parse(
        '<div class="Doc_reply" id="1_reply">' + CARD.format(href="/doc_card/1", name="甲")
        + '<div class="Doc_dochf mb15 bc"><div class="f14 graydeep">一。</div>'
        '<p><span>2020-05-06 09:00</span></p><span class="best_tag">最佳答案</span></div></div>'
        '<div class="Doc_reply" id="2_reply">' + CARD.format(href="/doc_card/2", name="乙")
        + '<div class="Doc_dochf mb15 bc"><div class="f14 graydeep">二。</div></div></div>'
    )  # fmt: skip
    assert [(a.text, a.accepted) for a in found["Answer"]] == [("一。", True), ("二。", False)]


def test_follow_ups_outside_the_block_and_without_a_label_span():
    """Follow-ups belong to the answer before them; a label run into the text is split off;
    a doctor's reply labelled by the doctor's name alone is the doctor's."""
    found = parse(
        CARD.format(href="/doc_card/7", name="王芳")
        + '<div class="Doc_dochf mb15 bc"><div class="f14">先量血压。</div></div>'
        '<div class="appdoc"><div class="usezw pt10 clearfix"><div class="ml10 fl">追问：量了，'
        '150/95。</div><p class="tr col99 f12"><span>2020-05-06 11:00:00</span></p></div>'
        '<div class="usezw pt10 clearfix"><span class="fl dib fb Doc_bla">王芳：</span>'
        '<div class="fl w390">血压偏高，去心内科。</div></div></div>'
    )
    (answer,) = found["Answer"]
    assert answer.follow_ups == [
        {"role": "patient", "text": "量了，150/95。"},
        {"role": "doctor", "text": "血压偏高，去心内科。"},
    ]
    assert answer.accepted is False  # the word in the script is no badge


def test_no_answers_block_at_all():
    found = parse("")
    assert found["Question"][0].answer_count == 0
    assert "Answer" not in found


def test_the_rare_characters_survive_every_charset_situation():
    """Names outside GB2312 (堃 喆 镕) and outside GBK (䶮) come through in each fixture."""
    names = {
        name: {d["name"] for d in json.loads(
            (FIXTURES / "xywy" / f"{name}.json").read_text(encoding="utf-8")
        )["items"]["doctors"]}
        for name in fixture_names("xywy")
    }  # fmt: skip
    assert {"李堃", "王喆"} <= names["g2017_meta_gb2312_rare"]
    assert {"钱镕", "冯喆", "刘䶮"} <= names["g2021_undeclared_badge_rare"]
    assert "韩堃" in names["utf8_declared_gbk"]
    for fixture, encoding in [
        ("g2017_best_header_gbk", "gb18030"),
        ("g2017_meta_gb2312_rare", "gb18030"),
        ("g2017_undeclared_table", "gb18030"),
        ("g2021_undeclared_badge_rare", "gb18030"),
        ("gbk_declared_utf8_header", "gb18030"),
        ("gbk_meta_utf8", "gb18030"),
        ("utf8_declared_gbk", "utf-8"),
    ]:
        response = fixture_response("xywy", fixture)
        assert response.encoding == encoding, fixture
        page = XywyQuestionPage(response, NOW)
        got = {item.name for item in page.items() if isinstance(item, Doctor)}
        assert names[fixture] == got, fixture


# --- mutated pages: never an exception, only valid items or a reject reason -------------------

REASONS = {"empty", "removed", "not_question", "challenge"}
PAGES = fixture_names("xywy")
MUTATIONS = ("truncate", "flip", "delete", "duplicate", "swap_classes", "reencode")


def mutate(body: bytes, how: str, rng: random.Random) -> tuple[bytes, str]:
    """`body` changed one way; the Content-Type it is served with."""
    if how == "truncate":
        return body[: rng.randrange(len(body))], "text/html"
    if how == "flip":
        out = bytearray(body)
        for _ in range(rng.randint(1, 40)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out), "text/html"
    text = body.decode("utf-8") if body.isascii() or _utf8(body) else body.decode("gb18030")
    root = lxml.html.fromstring(text)
    elements = [el for el in root.iter() if isinstance(el.tag, str) and el.getparent() is not None]
    if how == "delete":
        for el in rng.sample(elements, min(len(elements), rng.randint(1, 8))):
            if el.getparent() is not None:
                el.getparent().remove(el)
    elif how == "duplicate":
        el = rng.choice(elements)
        el.addnext(copy.deepcopy(el))
    elif how == "swap_classes":
        with_class = [el for el in elements if el.get("class")]
        for _ in range(rng.randint(1, 10)):
            a, b = rng.choice(with_class), rng.choice(with_class)
            a.set("class", b.get("class")), b.set("class", a.get("class"))
    html = lxml.html.tostring(root, encoding="unicode")
    encoding = rng.choice(["gbk", "gb18030", "utf-8"]) if how == "reencode" else "gb18030"
    charset = rng.choice(["", "; charset=gbk", "; charset=utf-8"])
    return html.encode(encoding, errors="xmlcharrefreplace"), f"text/html{charset}"


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=30, derandomize=True, deadline=None)
@given(
    name=st.sampled_from(PAGES),
    how=st.sampled_from(MUTATIONS),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_a_mutated_page_gives_valid_items_or_a_reason(name, how, seed):
    meta = json.loads((FIXTURES / "xywy" / f"{name}.json").read_text(encoding="utf-8"))
    body, content_type = mutate(
        (FIXTURES / "xywy" / f"{name}.html").read_bytes(), how, random.Random(seed)
    )
    response = encoding_fallback(
        HtmlResponse(meta["url"], body=body, headers={"Content-Type": content_type})
    )
    page = XywyQuestionPage(response, NOW)
    reason = page.problem()
    if reason is not None:
        assert reason in REASONS
        return
    produced = list(page.items())
    assert isinstance(produced[0], Question)
    for item in produced:
        kind = OUTPUT_FILES[type(item)]
        assert record_errors(kind, fields_of(item)) == [], (kind, fields_of(item))


def test_a_best_class_says_more_than_a_badge_at_the_top():
    """The answers box's 最佳答案 badge sits before the first answer; where a block's class
    marks another answer as the best, the class wins."""
    found = parse(
        '<div class="t9999 questnew_icon Quest_askh2 pa">最佳答案</div>'
        + CARD.format(href="/doc_card/1", name="甲")
        + '<div class="Doc_dochf mb15 bc"><div class="f14">一。</div></div>'
        + CARD.format(href="/doc_card/2", name="乙")
        + '<div class="Doc_dochf Best_dochf bc"><div class="f14">二。</div>'
        '<div class="ballc"><span class="User_newbg User_time Doc_time">2020-05-07 08:00</span>'
        "</div></div>"
    )
    answers = found["Answer"]
    assert [(a.text, a.accepted) for a in answers] == [("一。", False), ("二。", True)]
    assert answers[1].answered_at_raw == "2020-05-07 08:00"  # not in the p after the text


def test_a_removed_question_in_the_emptied_template_is_removed():
    html = CHROME.format(title="", answers="").replace(
        '<div id="qdetailc">头痛三天。</div>', '<div id="qdetailc"></div><p>该问题已被删除</p>'
    )
    response = gbk_page("https://club.xywy.com/static/20200506/5.htm", html)
    assert XywyQuestionPage(response, NOW).problem() == "removed"


def test_a_name_link_without_a_card_and_text_before_the_time_line():
    """Fallbacks: the doctor's name link alone is the doctor; an answer whose text div has
    none of the sourced classes is the div before its time line."""
    found = parse(
        '<div class="docall clearfix" id="1_reply"><a class="Doc_bla" href="/doc_card/9">'
        '何平</a><div class="qsbox"><div class="txt">多喝水。</div><p class="col99 tr">'
        "<span>2020-05-06 09:00:00</span></p></div></div>"
    )
    (answer,) = found["Answer"]
    assert (answer.text, answer.answered_at_raw) == ("多喝水。", "2020-05-06 09:00:00")
    (doctor,) = found["Doctor"]
    assert (doctor.name, doctor.profile_url) == ("何平", "https://club.xywy.com/doc_card/9")


@pytest.mark.parametrize(
    "blocks",
    [
        # a stray title-classed p before the blocks; the first block holds none
        '<p class="fl dib fb">广告</p><div class="User_askcon"><p>无</p></div>'
        '<div class="User_askcon"><p class="fb dib  fl">头痛三天怎么办</p></div>',
        # nested blocks: the inner block's title comes first in the document
        '<div class="User_askcon"><div class="User_askcon"><p class="fl dib fb">头痛三天怎么办'
        '</p></div><p class="fl dib fb">别的</p></div>',
    ],
)
def test_the_title_is_the_first_in_any_question_block(blocks):
    """The title is looked for inside the question blocks found in one walk: the first in
    the document inside any `div.User_askcon`, as `//div[…]//p[…]` says, not a stray one."""
    html = (
        '<html><head><meta charset="gbk"><title>x</title></head><body>'
        f'{blocks}<div id="qdetailc">头痛。</div></body></html>'
    )
    page = XywyQuestionPage(gbk_page("https://club.xywy.com/static/20200506/5.htm", html), NOW)
    assert page.problem() is None
    assert page.title_text == "头痛三天怎么办"


def test_a_badge_word_only_in_a_script_marks_nothing():
    """The answers' scope holds no badge word outside a script: no answer is marked."""
    (answer,) = parse(
        '<div class="docall clearfix"><div class="pt15 f14 graydeep">多喝水。</div>'
        '<script>var best = "最佳答案";</script></div>'
    )["Answer"]
    assert answer.accepted is False


def test_answer_texts_are_found_in_time_linear_in_the_answers():
    """Before: the 2017 text query walked down from every docall block and merged each
    result into the set so far: n² on a page of n blocks (1,000 blocks: 0.4 s in that query)."""

    def cpu(n: int) -> float:
        answers = (
            '<div class="docall clearfix"><div class="pt10 qsdetail"><div class="pt15 f14 '
            'graydeep">多喝水。</div><p class="col99 tr"><span>2020-05-06</span></p></div></div>'
        )
        html = CHROME.format(title="头痛三天怎么办", answers=answers * n)
        page = XywyQuestionPage(gbk_page("https://club.xywy.com/static/20200506/5.htm", html), NOW)
        start = time.thread_time()
        assert len(page.answer_units()) == n
        return time.thread_time() - start

    small = min(cpu(400) for _ in range(3))
    large = min(cpu(1600) for _ in range(3))
    assert large / small < 8  # 4x the answers: linear ~3-4x here, quadratic was ~11x


def test_related_links_are_followed_only_when_asked_for():
    """A crawl bounded by days, even the whole-site one, stays in its days."""
    assert spider().follow_related is False
    assert spider(related="1").follow_related is True
    response = fixture_response("xywy", "g2017_best_header_gbk")
    assert not [o for o in spider().parse_question(response) if isinstance(o, Request)]
    followed_related = spider(related="1").parse_question(response)
    assert "https://club.xywy.com/static/20170222/126651234.htm" in followed(list(followed_related))
