"""Build demo/ask39-demo.warc.gz: a small ask.39.net to crawl offline with `-a replay=`.

    .venv/bin/python -m demo.build_demo [OUTPUT]

The archive holds the category index, the category list pages (one category paged), every
fixture page of tests/fixtures/ask39/ under its own URL, the question pages of
`demo/site_data.py` rendered in the documented 2024 markup, and three pages that must become
rejects: a question that redirects to the bot challenge (plus the challenge page), a removed
question, and a listed question the archive does not hold (replay answers 404).

Capture dates and record ids are fixed, so rebuilding from the same inputs gives the same
bytes. Rebuild after adding a fixture page; `tests/test_demo_crawl.py` checks the archive is
current and that a crawl of it yields exactly `expected()`.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from urllib.parse import quote

from demo import archive
from demo import site_data as data
from demo.archive import Capture, FixturePage, fixture_capture
from medcrawl.extract.ids import doctor_id, named_id

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "ask39"
ARCHIVE = Path(__file__).resolve().parent / "ask39-demo.warc.gz"

SITE = "https://ask.39.net"
INDEX_URL = f"{SITE}/browse/jibing.html"
CRAWLED = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)  # capture time of rendered pages
# Stored as served with these framings, so replay must undo them.
GZIPPED = {INDEX_URL, f"{SITE}/question/90000201.html", f"{SITE}/question/90000401.html"}
CHUNKED = {f"{SITE}/news/3150-1.html", f"{SITE}/question/90000201.html"}

NAV = (
    "内科",
    "外科",
    "妇产科",
    "儿科",
    "皮肤性病科",
    "五官科",
    "男科",
    "肿瘤科",
    "中医科",
    "心理科",
)
MARKERS = {
    "1.": "{n}.", "1、": "{n}、", "1．": "{n}．", "（1）": "（{n}）", "(1)": "({n})",
    "①": "{circled}", "一、": "{cn}、", "（一）": "（{cn}）", "第一，": "第{cn}，",
}  # fmt: skip
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
CN = "一二三四五六七八九十"


def question_url(qid: int) -> str:
    return f"{SITE}/question/{qid}.html"


def list_url(classid: str, page: int) -> str:
    return f"{SITE}/news/{classid}-{page}.html"


def classid(name: str) -> str:
    """A stable class id for a breadcrumb crumb (the list categories keep theirs)."""
    by_name = {v: k for k, v in data.CATEGORIES.items()}
    return by_name.get(name) or str(4000 + zlib.crc32(name.encode()) % 5000)


# --- page templates -----------------------------------------------------------------------


def page(title: str, body: str, *, keywords: str = "", description: str = "") -> str:
    nav = "".join(
        f'<li><a href="//ask.39.net/news/{3001 + n}-1.html" target="_blank">{name}</a></li>'
        for n, name in enumerate(NAV)
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{escape(title)}_39问医生</title>
<meta name="keywords" content="{escape(keywords)}">
<meta name="description" content="{escape(description)}">
<link rel="stylesheet" href="//pimg.39.net/ask/css/ask_detail.css">
<script src="//pimg.39.net/ask/js/jquery.min.js"></script>
</head>
<body>
<div class="header"><div class="logo"><a href="//ask.39.net/">39问医生</a></div>
  <div class="search"><form action="//so.39.net/search/ask"><input type="text" name="words" value=""><button>搜索</button></form></div>
  <ul class="nav">{nav}</ul>
</div>
<div class="wrap">
{body}
</div>
<div class="footer"><p><a href="//www.39.net/about/">关于我们</a> | <a href="//www.39.net/contact/">联系我们</a> | <a href="//ask.39.net/help.html">帮助中心</a></p><p>Copyright 2000-2026 39.net All Rights Reserved</p></div>
</body>
</html>
"""  # noqa: E501


def breadcrumb(crumbs: tuple[str, ...], here: str) -> str:
    spans = "&gt; ".join(
        f'<span><a href="/news/{classid(c)}-1.html">{escape(c)}</a></span>' for c in crumbs
    )
    return (
        f'<div class="sub" id="sub"><span><a href="//ask.39.net/">首页</a></span>&gt; {spans}&gt;'
        f'\n  <span class="sub_here">{escape(here)}</span></div>'
    )


def marker(style: str, n: int) -> str:
    return MARKERS[style].format(n=n, circled=CIRCLED[n - 1], cn=CN[n - 1])


def answer_lines(a: data.Answer) -> list[str]:
    """The answer's paragraphs as the doctor typed them: lead, numbered items, advice, tips."""
    lines = list(a.lead)
    for n, item in enumerate(a.items, 1):
        mark = marker(a.style, n)
        if item.name is None:
            lines.append(f"{mark}{item.text}")
        elif a.inline:
            lines.append(f"{mark}{item.name}：{item.text}")
        else:
            lines += [f"{mark}{item.name}", item.text]
    lines += a.advice
    if a.tips_heading:
        lines.append(a.tips_heading)
        lines += [f"{n}.{tip}" for n, tip in enumerate(a.tips, 1)]
    return [line for line in lines if line]


def answer_html(a: data.Answer, first: bool) -> str:
    d = data.DOCTORS[a.doctor]
    roles = "".join(
        f'<span class="doc_yshi">{escape(t)}</span>' for t in (d.title, d.hospital, d.grade) if t
    )
    lines = [escape(line) for line in answer_lines(a)]
    if a.paragraphs == "p":
        text = "\n".join(f'<p class="sele_txt">{line}</p>' for line in lines)
    else:
        text = '<p class="sele_txt">' + "<br>\n".join(lines) + "</p>"
    follow = ""
    if a.follow_ups:
        follow = '\n        <div class="doc_zwenall">' + "".join(
            f'<div class="doc_zw"><span>{escape(label)}：</span><span>{escape(t)}</span></div>'
            for label, t in a.follow_ups
        ) + "</div>"  # fmt: skip
    return f"""    <div class="sele_all{" marg_top" if first else ""}">
      <div class="doctor_all">
        <div class="doc_img"><a href="http://my.39.net/{d.profile}" target="_blank"><img src="//pic.39.net/doc/{d.profile}.jpg" alt="{escape(d.name)}"></a></div>
        <div class="doc_txt">
          <p class="doc_xinx"><span class="doc_name">{escape(d.name)}</span>
            {roles}</p>
          <p class="doc_sc"><span>擅长:{escape(d.specialties)}</span></p>
          <a class="doc_tw" href="//ask.39.net/askdoctor/{d.profile}.html">提问</a>
        </div>
      </div>
      {text}
      <div class="doc_t_strip">
        <div class="zwAll"><p class="doc_time">{escape(a.time)}</p><a class="jubao" href="javascript:;">举报</a></div>{follow}
      </div>
    </div>"""  # noqa: E501


def encyclopedia_html(key: str) -> str:
    e = data.DISEASES[key]

    def links(names: tuple[str, ...], path: str) -> str:
        return "&nbsp;&nbsp;".join(
            f'<a href="//jbk.39.net/{path}{zlib.crc32(n.encode()) % 9000 + 1000}/">{escape(n)}</a>'
            for n in names
        )

    return f"""  <div class="sys-box">
    <div class="sys-tab"><span class="on">疾病百科</span></div>
    <h3>疾病百科</h3>
    <h4><a href="//jbk.39.net/{e.slug}/">{escape(e.name)}</a></h4>
    <p>{escape(e.summary)}</p>
    <ul>
      <li><span>症状起因：</span>{escape(e.symptom_causes)}</li>
      <li><span>可能疾病：</span>{links(e.possible, "")}</li>
      <li><span>常见检查：</span> {links(e.checks, "jiancha/")}</li>
      <li><span>就诊科室：</span>{links(e.departments, "keshi/")}</li>
    </ul>
  </div>"""


def sidebar_html(q: data.Question) -> str:
    boxes = []
    if q.drugs:
        items = "\n".join(
            f'      <li><a href="//ypk.39.net/{d.ypk}/">{escape(d.name)}</a>'
            f"<p>{escape(d.indication)}</p></li>"
            for d in (data.DRUGS[k] for k in q.drugs)
        )
        boxes.append(
            f'  <div class="drug_box"><h3>适用药品</h3>\n    <ul>\n{items}\n    </ul>\n  </div>'
        )
    if q.recommended:
        items = "\n".join(
            f'        <li><div class="doc_img"><img src="//pic.39.net/doc/{n}.jpg"></div>'
            f'<div class="doc_info"><a class="doc_name" href="javascript:;">{escape(r.name)}</a>'
            f' <span>{escape(r.title)}</span>\n          <a class="tiwen" '
            f'href="//ask.39.net/askdoctor.html">提问</a>\n          <p>{escape(r.hospital)}</p>'
            "</div></li>"
            for n, r in enumerate(data.RECOMMENDED[k] for k in q.recommended)
        )
        boxes.append(
            '  <div class="doc_box"><h3>推荐医生<a class="more" href="//ask.39.net/doctors.html">'
            f"更多</a></h3>\n    <ul>\n{items}\n    </ul>\n  </div>"
        )
    return '<div class="cont_r">\n' + "\n".join(boxes) + "\n</div>"


def question_html(q: data.Question, related: list[data.Question]) -> str:
    patient = "".join(
        f"<span>{escape(s)}</span>"
        for s in (q.sex, f"{q.age}岁" if q.age is not None else None, q.onset)
        if s
    )
    ask = [f'    <h1 class="ask_tit">{escape(q.title)}</h1>']
    if patient:
        ask.append(f'    <p class="mation">{patient}</p>')
    if q.text:
        ask.append(f'    <div class="ask_hid"><p class="txt_ms">{escape(q.text)}</p></div>')
    asked = f"<span>{escape(q.user)}</span><span>{escape(q.asked)}</span>"
    ask.append(f'    <p class="txt_nametime">{asked}</p>')
    if q.tags:
        tags = "".join(
            f'<span><a href="/browse/{classid(t)}.html">{escape(t)}</a></span>' for t in q.tags
        )
        hidden = '<span style="display: none"><a href="/browse/hot.html">热门</a></span>'
        ask.append(f'    <p class="txt_label">{tags}{hidden}</p>')
    answers = "\n".join(answer_html(a, n == 0) for n, a in enumerate(q.answers))
    relevant = "".join(
        f'<li><a href="/question/{r.id}.html" title="{escape(r.title)}">{escape(r.title)}</a>'
        f"<span>{len(r.answers)}个回答</span></li>"
        for r in related
    )
    main = [
        breadcrumb(q.crumbs, q.title),
        '<div class="cont_l">',
        '  <div class="ask_cont">\n' + "\n".join(ask) + "\n  </div>",
        f'  <div class="selected">\n    <p class="sele_img">{q.heading}({len(q.answers)})</p>\n'
        f"{answers}\n  </div>",
        '  <div class="ask_doc_box"><a href="//ask.39.net/askdoctor.html">向医生提问</a></div>',
    ]
    if q.disease:
        main.append(encyclopedia_html(q.disease))
    main += [
        f'  <div class="relevant_ask"><h3>其他人还在看</h3><ul>{relevant}</ul></div>',
        "</div>",
        sidebar_html(q),
    ]
    lead = (q.answers[0].lead or ("",))[0] if q.answers else ""
    return page(q.title, "\n".join(main), keywords=",".join(q.tags), description=lead)


@dataclass
class Listing:
    """One entry of a category list."""

    url: str
    title: str
    answers: int
    asked: str
    excerpt: str = ""


def list_html(cid: str, pageno: int, pages: int, entries: list[Listing]) -> str:
    name = data.CATEGORIES[cid]
    items = "\n".join(
        f'<li><p class="p1"><a href="{e.url.removeprefix(SITE)}" target="_blank" '
        f'title="{escape(e.title)}">{escape(e.title)}</a></p>'
        f'<p class="p2">{escape(e.excerpt[:40])}</p>'
        f'<p class="p3"><span>{e.answers}个回答</span><span>{escape(e.asked)}</span></p></li>'
        for e in entries
    )
    numbers = "".join(
        f'<a class="cur">{n}</a>' if n == pageno else f'<a href="/news/{cid}-{n}.html">{n}</a>'
        for n in range(1, pages + 1)
    )
    prev = f'<a class="prev" href="/news/{cid}-{pageno - 1}.html">上一页</a>' if pageno > 1 else ""
    nxt = (
        f'<a class="next" href="/news/{cid}-{pageno + 1}.html">下一页</a>' if pageno < pages else ""
    )
    body = f"""<div class="sub"><span><a href="//ask.39.net/">首页</a></span>&gt; <span class="sub_here">{name}</span></div>
<div class="list_l">
<h2>{name}问题</h2>
<ul class="list_ask list_ask2">
{items}
</ul>
<div class="pgbox"><span class="pgleft"><a href="/news/{cid}-1.html">首页</a><a href="/news/{cid}-{pages}.html">尾页</a></span>
<span class="pages">{prev}{numbers}{nxt}</span></div>
</div>"""  # noqa: E501
    return page(f"{name}问题_{name}咨询_第{pageno}页", body)


def index_html() -> str:
    links = "\n".join(
        f'<li class="sublink"><a href="/news/{cid}-1.html">{name}</a></li>'
        for cid, name in data.CATEGORIES.items()
    )
    body = f"""<div class="sub"><span><a href="//ask.39.net/">首页</a></span>&gt; <span class="sub_here">疾病分类</span></div>
<div class="classify"><h2>按科室找问题</h2>
<ul>
{links}
</ul></div>"""  # noqa: E501
    return page("疾病分类_按科室找问题", body)


CHALLENGE_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>安全验证</title></head>
<body><div class="verify"><h2>访问验证</h2>
<p>您的访问过于频繁，请拖动滑块完成安全验证后继续访问。</p>
<div id="slider"></div><script src="//image.39.net/verify/slider.js"></script></div></body></html>
"""


def removed_html() -> str:
    """What the site serves for a removed question: the question template, title empty."""
    body = """<div class="tips_box"><p>抱歉，该问题已被删除或正在审核中。</p>
<p><a href="//ask.39.net/">返回首页</a></p></div>"""
    return page("", body)


# --- what goes in the archive -------------------------------------------------------------


def fixture_pages() -> list[FixturePage]:
    """The fixture pages, one per URL (the first by name when two share one)."""
    pages = archive.fixture_pages(FIXTURES)
    rendered = {question_url(q.id) for q in data.QUESTIONS}
    clash = rendered & {p.url for p in pages}
    assert not clash, f"fixture URLs clash with site_data question ids: {clash}"
    return pages


def fixture_listing(page: FixturePage) -> tuple[str, Listing]:
    """Which category lists a fixture page (its first breadcrumb crumb, else 内科)."""
    question = (page.expected.get("questions") or [{}])[0]
    crumbs = question.get("category_path") or []
    by_name = {v: k for k, v in data.CATEGORIES.items()}
    cid = by_name.get(crumbs[0], "3150") if crumbs else "3150"
    title = question.get("title") or page.name
    return cid, Listing(page.url, title, question.get("answer_count") or 0, "", "")


def listings() -> dict[str, list[Listing]]:
    """Each category's list entries, in list order."""
    out: dict[str, list[Listing]] = {cid: [] for cid in data.CATEGORIES}
    for page in fixture_pages():
        cid, entry = fixture_listing(page)
        out[cid].append(entry)
    for q in data.QUESTIONS:
        out[q.category].append(
            Listing(question_url(q.id), q.title, len(q.answers), q.asked, q.text or "")
        )
    for cid, extra in data.EXTRA_LINKS.items():
        for n, (qid, title) in enumerate(extra):
            out[cid].insert(2 + 3 * n, Listing(question_url(qid), title, 1, "2024-05-01"))
    return out


def captures() -> Iterator[Capture]:
    """Every response of the demo site, in crawl order."""
    clock = iter(CRAWLED + timedelta(seconds=s) for s in range(10_000))
    yield Capture(INDEX_URL, index_html().encode(), next(clock))
    for cid, entries in listings().items():
        chunks = [
            entries[i : i + data.LIST_PAGE_SIZE]
            for i in range(0, len(entries), data.LIST_PAGE_SIZE)
        ]
        for n, chunk in enumerate(chunks, 1):
            html = list_html(cid, n, len(chunks), chunk)
            yield Capture(list_url(cid, n), html.encode(), next(clock))
    for page in fixture_pages():
        yield fixture_capture(page)
    questions = list(data.QUESTIONS)
    for n, q in enumerate(questions):
        related = [questions[(n + k) % len(questions)] for k in (1, 2, 5)]
        yield Capture(question_url(q.id), question_html(q, related).encode(), next(clock))
    challenged = question_url(data.CHALLENGED)
    verify = f"https://image.39.net/verify.html?referer={quote(challenged, safe='')}"
    yield Capture(challenged, b"", next(clock), "302 Found", (("Location", verify),))
    yield Capture(verify, CHALLENGE_HTML.encode(), next(clock))
    yield Capture(question_url(data.REMOVED), removed_html().encode(), next(clock))


def build(path: Path = ARCHIVE) -> Path:
    """Write the demo archive to `path`."""
    return archive.write_archive(path, captures(), gzipped=GZIPPED, chunked=CHUNKED)


# --- what a crawl of it must give ---------------------------------------------------------


def expected() -> dict[str, set[str]]:
    """The ids a crawl of the archive writes, per output file, and the rejects as
    `{"rejects": {"<url> <reason>", …}}` (a fixture page that holds no question is a
    reject with the reason its own test asserts, so only its URL is listed here)."""
    out = archive.fixture_ids(fixture_pages())
    for q in data.QUESTIONS:
        qid = f"ask39:{q.id}"
        out["questions"].add(qid)
        for n, a in enumerate(q.answers, 1):
            out["answers"].add(f"{qid}/a{n}")
            if len(a.items) >= 2 and a.kind == "causes":
                out["causes"].update(f"{qid}/a{n}/c{k}" for k in range(1, len(a.items) + 1))
            out["doctors"].add(f"ask39:doctor:{data.DOCTORS[a.doctor].profile}")
        if q.disease:
            out["encyclopedia"].add(named_id("ask39", "disease", data.DISEASES[q.disease].name))
        out["drugs"].update(named_id("ask39", "drug", data.DRUGS[k].name) for k in q.drugs)
        for key in q.recommended:
            r = data.RECOMMENDED[key]
            out["doctors"].add(doctor_id("ask39", None, r.name, r.hospital))
    challenged = question_url(data.CHALLENGED)
    verify = f"https://image.39.net/verify.html?referer={quote(challenged, safe='')}"
    out["rejects"] = {
        f"{verify} challenge",
        f"{question_url(data.REMOVED)} removed",
    }  # NOT_ARCHIVED, listed but not archived, is a link out of the archive: no reject
    out["rejects"].update(f"{p.url} *" for p in fixture_pages() if not p.expected.get("questions"))
    return out


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ARCHIVE)
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
