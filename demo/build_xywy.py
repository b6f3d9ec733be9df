"""Build demo/xywy-demo.warc.gz: a small club.xywy.com to crawl offline with `-a replay=`.

    .venv/bin/python -m demo.build_xywy [OUTPUT]

The archive holds the day index (two pages, `keshi/1.html`, `keshi/2.html`), the question
lists of its newest 7 days (`keshi/<yyyy-mm-dd>/<page>.html`; one day paged by its
`[下一页]` link, one by its `共N页` count alone), the questions of `demo/data_xywy.py`
rendered as GBK pages in both documented markup generations (the charset in the header, only
in a <meta>, or nowhere; their related boxes link the fixture pages as the site writes links:
http, the 3g mirror, the older /question/ path — not followed without `-a related=1`), every
fixture page of tests/fixtures/xywy/ under its canonical URL, listed on the days, the bad
fixture pages (removed, closed, not a question) listed on a day, and a listed question the
archive does not hold (counted, no reject).

Shares the capture and WARC writing code with the other builders (`demo/archive.py`);
capture dates and record ids are fixed, so rebuilding from the same inputs gives the same
bytes. `tests/test_demo_crawl.py` checks the archive is current and that a crawl of it yields
exactly `expected()`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from html import escape
from pathlib import Path

from demo import archive
from demo import data_xywy as data
from demo.archive import Capture, FixturePage, fixture_capture
from medcrawl.extract.ids import doctor_id
from medcrawl.sites.xywy.site import SITE

FIXTURES = archive.ROOT / "tests" / "fixtures" / "xywy"
ARCHIVE = Path(__file__).resolve().parent / "xywy-demo.warc.gz"
KEY = SITE.key
CRAWLED = datetime(2024, 3, 8, 2, 0, tzinfo=timezone.utc)  # capture time of rendered pages
GZIPPED = {SITE.index_url(1), SITE.question_page_url("20240307", data.QUESTIONS[0].id)}
CHUNKED = {SITE.day_url(data.LAST_DAY, 1), SITE.question_page_url("20240306", 180000201)}
GBK_HEADER = "text/html; charset=gbk"
META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />\n'


def question_url(q: data.Question) -> str:
    return SITE.question_page_url(q.day.strftime("%Y%m%d"), q.id)


# --- page templates -----------------------------------------------------------------------


def page(title: str, body: str, meta: bool = True) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{META if meta else ""}<title>{escape(title)}_有问必答_寻医问药网</title>
<link href="http://static.xywy.com/club/css/a_new.css" type="text/css" rel="stylesheet" />
<script type="text/javascript">var zwTip = "追问：请补充您的病情";</script>
</head>
<body>
<div class="topbar"><a href="http://www.xywy.com/">寻医问药网首页</a> | <a href="http://club.xywy.com/">有问必答</a> | <a href="http://club.xywy.com/keshi/1.html">按日期浏览</a></div>
{body}
<div class="footer tc f12 col99">Copyright &copy; 2004-2024 xywy.com All Rights Reserved 寻医问药网 版权所有</div>
</body>
</html>
"""  # noqa: E501


def doctor_card(d: data.Doctor) -> str:
    href = f' href="http://club.xywy.com/doc_card/{d.profile}" target="_blank"' if d.profile else ""
    avatar = f"http://static.xywy.com/doc/{d.profile}.jpg" if d.profile else "noavatar.gif"
    return f"""<div class="zyhftop pl29 pt20 clearfix pr"><div class="fl docCon">
<div class="fl Doc_dctou pr"><img src="{avatar}" width="65" height="72" alt="" /></div>
<div class="Doc_zytpmd graydeep fl ml15 f14"><div class="clearfix h40 oh"><div class="fl"><a class="f14 fb Doc_bla"{href}>{escape(d.name)}</a><span class="fl ml10 btn-a mr5">{escape(d.title)}</span></div></div>
<div class="cl Doc_lh24 f12"><p class="fl graydeep">擅长：{escape(d.specialties)}</p></div></div>
</div></div>"""  # noqa: E501


def follow_ups_html(a: data.Answer) -> str:
    if not a.follow_ups:
        return ""
    rows = "".join(
        f'<div class="usezw pt10 clearfix"><div class="ml10 fl"><span class="fl dib fb Doc_bla">'
        f'{escape(f.label)}</span><div class="fl w390">{escape(f.text)}</div></div>'
        f'<p class="tr col99 f12"><span class="User_newbg User_time Doc_time">{f.time}</span>'
        "</p></div>"
        for f in a.follow_ups
    )
    return f'<div class="appdoc appxian ml20 mr20 mt15 pb10 clearfix f14">{rows}</div>'


def answer_html(a: data.Answer, reply_id: int, generation: int) -> str:
    text = "<br />".join(escape(line) for line in a.lines)
    time = f'<p class="col99 tr clearfix pr20"><span class="User_newbg User_time Doc_time">{a.time}</span></p>'  # noqa: E501
    card = doctor_card(data.DOCTORS[a.doctor])
    if generation == 2017:
        best = " Bestbg" if a.best else " "
        return f"""<div class="docall clearfix{best}" id="{reply_id}_reply">
{card}
<div class="pt10 mb5 clearfix pr qsdetail"><div class="pt15 f14 graydeep  pl20 pr20">{text}</div>
{time}{follow_ups_html(a)}</div>
</div>"""
    block = "Doc_dochf Best_dochf bc" if a.best else "Doc_dochf  mb15 bc"
    return f"""<div class="Doc_reply clearfix pr" id="{reply_id}_reply">
{card}
<div class="pt10 clearfix pr qsdetail pb15"><div class="{block}"><div class="pt15 f14 graydeep  pl20 pr20">{text}</div>
{time}{follow_ups_html(a)}</div></div>
</div>"""  # noqa: E501


def question_html(q: data.Question) -> str:
    crumbs = " &gt; ".join(
        f'<a href="http://club.xywy.com/list_{n}_all_1.htm">{escape(c)}</a>'
        for n, c in enumerate(q.crumbs, 258)
    )
    user = [escape(q.sex)] + ([f"{q.age}岁"] if q.age is not None else [])
    icon = '<span class="User_newbg User_fticon"></span>'
    spans = icon.join(f"<span>{s}</span>" for s in ["wd_demo", *user])
    time_class = "User_newbg User_time" if q.generation == 2021 else ""
    body_attr = 'id="qdetailc" class="graydeep User_quecol pt10 mt10"'
    if q.generation == 2021:
        body_attr = 'class="graydeep User_quecol pt10 mt10"'
    answers = "\n".join(
        answer_html(a, q.id * 10 + n, q.generation) for n, a in enumerate(q.answers, 1)
    )
    badge = ""
    if q.generation == 2017 and any(a.best for a in q.answers):
        badge = '<div class="t9999 questnew_icon Quest_askh2 pa">最佳答案</div>\n'
    related = "".join(
        f'<li><a href="{escape(u)}" target="_blank">相关问题</a></li>' for u in q.related
    )
    body = f"""<div class="w980 clearfix bc f12 btn-a pr">
<p class="pt10 pb10 lh180 znblue normal-a"><a href="http://www.xywy.com/">寻医问药网</a> &gt; <a href="http://club.xywy.com/">有问必答</a> &gt; {crumbs}</p>
<div class="question_new_Conle fl pr">
<div class="User_askcon clearfix pr">
<div class="clearfix pl29 pr15"><h2 class="fl f16 Uerth2 fn clearfix pl5"><p class="fl dib fb">{escape(q.title)}</p></h2></div>
<div class="f12 graydeep Userinfo clearfix pl29">{spans}{icon}<span class="{time_class}">{q.asked}</span></div>
<div class="clearfix pl29 mr30"><div {body_attr}>{"<br />".join(escape(t) for t in q.text)}</div></div>
</div>
<div class="Doc_con clearfix pr mt5 ">
{badge}{answers}
</div>
<div class="mt20 xgwt clearfix" id="ulxgwtg"><h3 class="f14 fb pl10">相关问题</h3><ul class="f12 lh200">{related}</ul></div>
</div>
</div>"""  # noqa: E501
    return page(q.title, body, meta=q.charset == "meta")


def day_list_html(
    day: date, pageno: int, pages: int, entries: list[tuple[str, str]], link: bool
) -> str:
    """A day's list page: `div.club_dic` items (relative links), the `subFen` pager with
    `共N页` and, when `link`, `[下一页]`."""
    items = "".join(
        f'<div class="club_dic"><h4 class="clearfix"><em><a target="_blank" href="'
        f'{url.removeprefix("https://club.xywy.com")}">{escape(title)}</a></em><var><a href='
        '"http://club.xywy.com/list_258_all_1.htm">[内科]</a></var></h4></div>'
        for url, title in entries
    )
    pager = f"<span>共{pages}页</span>"
    if pageno > 1:
        pager += f' <a href="{pageno - 1}.html">[上一页]</a>'
    if link and pageno < pages:
        pager += f' <a href="{pageno + 1}.html">[下一页]</a>'
    body = f'<div class="w980 bc club_list"><h2>{day.isoformat()} 问题列表</h2>{items}</div>\n<div class="subFen">{pager}</div>'  # noqa: E501
    return page(f"{day.isoformat()}问题列表", body)


def index_html(pageno: int, days: list[date], more: bool) -> str:
    links = "".join(
        f'<li><a href="/keshi/{d.isoformat()}/1.html">{d.isoformat()}</a></li>' for d in days
    )
    pager = f'<a href="{pageno + 1}.html">[下一页]</a>' if more else ""
    body = (
        f'<div class="w980 bc"><h2>按日期浏览问题</h2><ul class="club_Date clearfix">{links}</ul>'
        f'<div class="subFen">{pager}</div></div>'
    )
    return page("按日期浏览", body)


# --- what goes in the archive -------------------------------------------------------------


def fixture_pages() -> list[FixturePage]:
    """The good fixture pages, under the (canonical) URL a crawl asks for."""
    return archive.fixture_pages(FIXTURES, url=SITE.canonical_url)


#: The bad fixture pages the demo lists: a removed and a closed question, the front page at a
#: question URL. (Empty pages are retried in a live crawl and count as errors in the run
#: checks; the demo keeps its error rate under MEDCRAWL_MAX_ERROR_RATE without them.)
DEMO_BAD = ("removed", "closed", "not_question")


def bad_pages() -> list[FixturePage]:
    pages = archive.fixture_pages(FIXTURES / "bad", url=SITE.canonical_url, fetched_at=CRAWLED)
    return [page for page in pages if page.name in DEMO_BAD]


def listings() -> dict[date, list[tuple[str, str]]]:
    """Each crawled day's list entries (URL, title), in list order."""
    out: dict[date, list[tuple[str, str]]] = {d: [] for d in data.INDEX_DAYS[:7]}
    for q in data.QUESTIONS:
        out[q.day].append((question_url(q), q.title))
    days = list(out)
    for n, page in enumerate(fixture_pages()):  # an older question listed again, as if answered
        day = date(2024, 3, 1) if "/static/20240301/" in page.url else days[n % len(days)]
        out[day].append((page.url, page.expected["questions"][0]["title"]))
    bad_day = data.INDEX_DAYS[2]
    out[bad_day] += [(page.url, page.name) for page in bad_pages()]
    out[bad_day].append((data.NOT_ARCHIVED, "未收录的问题"))
    return out


def captures() -> Iterator[Capture]:
    """Every response of the demo site, in crawl order."""
    clock = iter(CRAWLED + timedelta(seconds=s) for s in range(10_000))
    size = data.INDEX_PAGE_SIZE
    index_pages = [data.INDEX_DAYS[i : i + size] for i in range(0, len(data.INDEX_DAYS), size)]
    for n, days in enumerate(index_pages, 1):
        html = index_html(n, days, n < len(index_pages))
        yield Capture(SITE.index_url(n), html.encode("gbk"), next(clock), content_type=GBK_HEADER)
    for day, entries in listings().items():
        chunks = [
            entries[i : i + data.LIST_PAGE_SIZE]
            for i in range(0, len(entries), data.LIST_PAGE_SIZE)
        ]
        link = day != data.INDEX_DAYS[2]  # that day pages by its 共N页 count alone
        for n, chunk in enumerate(chunks or [[]], 1):
            html = day_list_html(day, n, len(chunks), chunk, link)
            yield Capture(
                SITE.day_url(day, n), html.encode("gbk"), next(clock), content_type="text/html"
            )
    for page in [*fixture_pages(), *bad_pages()]:
        yield fixture_capture(page)
    for q in data.QUESTIONS:
        content_type = GBK_HEADER if q.charset == "header" else "text/html"
        body = question_html(q).encode("gbk")
        yield Capture(question_url(q), body, next(clock), content_type=content_type)


def build(path: Path = ARCHIVE) -> Path:
    """Write the demo archive to `path`."""
    return archive.write_archive(path, captures(), gzipped=GZIPPED, chunked=CHUNKED)


# --- what a crawl of it must give ---------------------------------------------------------


def expected() -> dict[str, set[str]]:
    """The ids a crawl of the archive writes, per output file, and the rejects as
    `{"rejects": {"<url> <reason>", …}}`. The listed question the archive lacks
    (`NOT_ARCHIVED`) is no reject: the crawl counts it (`medcrawl/replay/not_archived`)."""
    out = archive.fixture_ids(fixture_pages())
    for q in data.QUESTIONS:
        qid = f"{KEY}:{q.id}"
        out["questions"].add(qid)
        for n, a in enumerate(q.answers, 1):
            out["answers"].add(f"{qid}/a{n}")
            if a.kind == "causes":
                out["causes"].update(f"{qid}/a{n}/c{k}" for k in range(1, len(a.items) + 1))
            d = data.DOCTORS[a.doctor]
            profile = f"http://club.xywy.com/doc_card/{d.profile}" if d.profile else None
            out["doctors"].add(doctor_id(KEY, profile, d.name, None))
    out["rejects"] = {f"{url} {reason}" for url, reason in bad_rejects().items()}
    return out


def bad_rejects() -> dict[str, str]:
    """Each listed bad fixture page's URL and the reject reason its fixture names."""
    return {
        SITE.canonical_url(meta["url"]): meta["reject"]
        for meta in (
            json.loads((FIXTURES / "bad" / f"{name}.json").read_text(encoding="utf-8"))
            for name in DEMO_BAD
        )
    }


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ARCHIVE)
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
