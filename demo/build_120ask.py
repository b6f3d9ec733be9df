"""Build demo/120ask-demo.warc.gz: a small www.120ask.com to crawl offline with `-a replay=`.

    .venv/bin/python -m demo.build_120ask [OUTPUT]

The archive holds the category tree (`/list/`), the department lists (内科 paged
`over/<n>/`), every fixture page of tests/fixtures/120ask/ — bad pages included — under the URL
a crawl asks for (its canonical form), the questions of `demo/data_120ask.py` rendered in the
documented 2024 markup, and pages that must become rejects: removed questions (200 notices:
the removed fixture pages and one more), a 404, and a listed question the archive does not
hold.

Shares the capture and WARC writing code with the ask39 builder (`demo/archive.py`); capture
dates and record ids are fixed, so rebuilding from the same inputs gives the same bytes.
`tests/test_demo_crawl.py` checks the archive is current and that a crawl of it yields
exactly `expected()`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path

from demo import archive
from demo import data_120ask as data
from demo.archive import Capture, FixturePage, fixture_capture
from medcrawl.extract.ids import doctor_id
from medcrawl.sites.ask120.site import SITE

FIXTURES = archive.ROOT / "tests" / "fixtures" / "120ask"
ARCHIVE = Path(__file__).resolve().parent / "120ask-demo.warc.gz"
KEY = SITE.key
HOST = "//www.120ask.com"
INDEX_URL = SITE.canonical_url("https://www.120ask.com/list/")
CRAWLED = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)  # capture time of rendered pages
GZIPPED = {INDEX_URL, SITE.question_url(data.QUESTIONS[0].id)}
CHUNKED = {SITE.category_url("neike", 2)}
MARKERS = {"1、": "{n}、", "1.": "{n}.", "（1）": "（{n}）", "①": "{circled}", "一、": "{cn}、"}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
CN = "一二三四五六七八九十"


def question_url(qid: int) -> str:
    return SITE.question_url(qid)


def marker(style: str, n: int) -> str:
    return MARKERS[style].format(n=n, circled=CIRCLED[n - 1], cn=CN[n - 1])


# --- page templates -----------------------------------------------------------------------


def page(title: str, body: str, *, description: str = "", canonical: str = "") -> str:
    link = f'\n<link rel="canonical" href="{canonical}">' if canonical else ""
    nav = "".join(
        f'<a href="{HOST}/list/{slug}/">{escape(name)}</a>'
        for slug, (name, _) in data.DEPARTMENTS.items()
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}_快速问医生</title>
<meta name="description" content="{escape(description)}">{link}
<link rel="stylesheet" href="https://static.120askimages.com/www/2024/css/common.min.css?v=2024.8.12">
<script>window.__PAGE__={{site:"www"}};</script>
</head>
<body>
<header class="g-header"><div class="g-wrap clears"><a class="g-logo" href="{HOST}/" title="快速问医生">快速问医生</a>
<nav class="g-nav"><a href="{HOST}/">首页</a>{nav}</nav>
<a class="g-ask" href="{HOST}/ask/" rel="nofollow">免费提问</a></div></header>
<div class="g-wrap">
{body}
</div>
<footer class="g-footer"><p><a href="{HOST}/about/" rel="nofollow">关于我们</a> · <a href="{HOST}/sitemap/">网站地图</a></p>
<p>© 2004-2026 120ask.com 快速问医生 版权所有</p></footer>
</body>
</html>
"""  # noqa: E501


def slug_of(name: str) -> str:
    for slug, (top, subs) in data.DEPARTMENTS.items():
        if name == top:
            return slug
        for sub, sub_name in subs.items():
            if name == sub_name:
                return sub
    return "".join(f"{ord(c):x}" for c in name)[:12]  # a crumb without a list of its own


def route(crumbs: tuple[str, ...]) -> str:
    links = "".join(
        f'<em>&gt;</em><a href="{HOST}/list/{slug_of(c)}/">'
        + (f"<span>{escape(c)}</span>" if n == len(crumbs) - 1 else escape(c))
        + "</a>"
        for n, c in enumerate(crumbs)
    )
    return f'<div class="b_route clears"><a href="{HOST}/" class="b_home">首页</a>{links}</div>'


def answer_lines(a: data.Answer) -> list[str]:
    """The answer's lines as the doctor typed them: 病情分析, its list, 指导意见."""
    lines = ["病情分析：", *a.lead]
    lines += [f"{marker(a.style, n)}{name}：{text}" for n, (name, text) in enumerate(a.items, 1)]
    if a.advice:
        lines += ["指导意见：", *a.advice]
    return lines


def answer_html(a: data.Answer, qid: int, n: int) -> str:
    d = data.DOCTORS[a.doctor]
    profile = f"{HOST}/doctor/{d.profile}/" if d.profile else None
    face = (
        f'<a class="b_docface" href="{profile}" target="_blank"><img src="https://img.120askimages.com/doctor/{d.profile}.jpg" alt=""></a>'  # noqa: E501
        if profile
        else '<img src="https://img.120askimages.com/face/default_doc.png" alt="">'
    )
    name = (
        f'<a href="{profile}" target="_blank">{escape(d.name)}</a>'
        if profile
        else f"<a>{escape(d.name)}</a>"
    )
    skill = (
        f'\n          <span class="b_sp2">擅长:{escape(d.specialties)}</span>'
        if d.specialties
        else ""
    )
    if a.voice:
        text = f'<p><audio controls="controls" preload="none" src="https://voice.120askimages.com/reply/{qid}-{n}.mp3">您的浏览器不支持 audio 元素。</audio></p>'  # noqa: E501
    else:
        text = "<p>" + "<br>\n".join(escape(line) for line in answer_lines(a)) + "</p>"
    follow = ""
    if a.follow_ups:
        items = "".join(
            '<div class="b_ansaddli clears">'
            + (
                '<span class="b_docaddti">医生回复</span>'
                if role == "doctor"
                else '<span class="b_askaddti">追问</span>'
            )
            + f"<p>{escape(t)}</p><span><span>{escape(a.time)}</span></span></div>"
            for role, t in a.follow_ups
        )
        follow = f'\n      <div class="b_ansaddbox">{items}</div>'
    box = "b_acceptcont" if a.accepted else "b_answercont"
    return f"""  <div class="b_answerli" id="reply{n}">
    <div class="{box} clears">
      <div class="b_answertop clears">
        <div class="b_answertl">
          {face}
          <div class="b_docinfo">
          <span class="b_sp1">{name}{escape(d.title)}</span>{skill}
          </div>
        </div>
        <div class="b_answertr"><a href="{HOST}/ask/" rel="nofollow">向TA提问</a></div>
      </div>
      <div class="b_anscontc">
        <div class="b_anscont_cont" id="reply{qid}{n:02d}"><div class="crazy_new">{text}</div></div>
        <div class="b_anscont_bt clears"><span class="b_anscont_time">{escape(a.time)}</span></div>
      </div>{follow}
    </div>
  </div>"""


def question_html(q: data.Question, related: list[data.Question]) -> str:
    sections = "\n".join(
        f'    <p class="crazy_new"><span>{escape(label)}：</span>{escape(text)}</p>'
        for label, text in q.sections
    )
    answers = "\n".join(answer_html(a, q.id, n) for n, a in enumerate(q.answers, 1))
    if not answers:
        answers = '  <div class="b_noanswer"><p>暂无医生回复，医生正在赶来的路上…</p></div>'
    rel = "".join(
        f'<li><a href="{HOST}/question/{r.id}.htm" target="_blank">{escape(r.title)}</a>'
        f"<span>{len(r.answers)}人回复</span></li>"
        for r in related
    )
    body = f"""{route(q.crumbs)}
<div class="b_main clears">
<main class="b_left">
<section class="b_askbox">
  <div class="b_askti clears"><h1 id="d_askH1">{escape(q.title)}</h1></div>
  <div class="b_askab1 clears"><span>{q.sex} | {q.age}岁</span><span>来自{escape(q.place)}</span><span>{escape(q.asked)}</span><span>{len(q.answers)}人回复</span></div>
  <div class="b_askcont" id="d_msCon">
{sections}
  </div>
  <div class="b_answerarea clears"><span><a href="{HOST}/user/u{q.id % 99991}/" rel="nofollow">user{q.id % 99991}</a></span></div>
</section>
<section class="b_answerbox"><div class="b_answerti"><h2>医生回复</h2></div>
{answers}
</section>
<section class="b_relate"><div class="b_relateti"><h3>相关问题</h3></div><ul class="b_answerlist clears">{rel}</ul></section>
</main>
</div>"""  # noqa: E501
    return page(q.title, body, description=q.text or "", canonical=question_url(q.id))


@dataclass
class Listing:
    """One entry of a department list."""

    url: str
    title: str
    answers: int
    asked: str  # the date the list shows, or ""


def list_html(slug: str, name: str, pageno: int, pages: int, entries: list[Listing]) -> str:
    items = "\n".join(
        f'<li><a href="{HOST}{e.url.removeprefix("https://www.120ask.com")}" target="_blank" '
        f'title="{escape(e.title)}">{escape(e.title)}</a>'
        + (f'<span class="h-time">{escape(e.asked[:10])}</span>' if e.asked else "")
        + f"<span>{e.answers}人回复</span></li>"
        for e in entries
    )

    def href(n: int) -> str:
        return SITE.category_url(slug, n).removeprefix("https:")

    numbers = "".join(
        f'<span class="cur">{n}</span>' if n == pageno else f'<a href="{href(n)}">{n}</a>'
        for n in range(1, pages + 1)
    )
    nxt = f'<a href="{href(pageno + 1)}">下一页</a>' if pageno < pages else ""
    body = f"""<div class="b_route clears"><a href="{HOST}/" class="b_home">首页</a><em>&gt;</em><a href="{HOST}/list/">有问必答</a><em>&gt;</em><span>{escape(name)}</span></div>
<div class="h-main clears">
<h2 class="h-ti">{escape(name)}问题</h2>
<ul class="clears h-ul3">
{items}
</ul>
<div class="h-page">{numbers}{nxt}</div>
</div>"""  # noqa: E501
    return page(f"{name}_{name}在线咨询_第{pageno}页", body)


def index_html() -> str:
    tops = []
    for slug, (name, subs) in data.DEPARTMENTS.items():
        inner = "".join(
            f'<li><a href="{HOST}/list/{sub}/">{escape(sub_name)}</a></li>'
            for sub, sub_name in subs.items()
        )
        tops.append(
            f'<li><a href="{HOST}/list/{slug}/">{escape(name)}</a>'
            + (f'<ul class="h-ul2">{inner}</ul>' if inner else "")
            + "</li>"
        )
    body = f"""<div class="b_route clears"><a href="{HOST}/" class="b_home">首页</a><em>&gt;</em><span>有问必答</span></div>
<div class="h-allk"><h2>按科室找问题</h2>
<ul class="h-ul1 clears">
{"".join(tops)}
</ul></div>"""  # noqa: E501
    return page("有问必答_科室分类", body)


def removed_html() -> str:
    body = """<div class="b_tipbox"><h2>抱歉，您访问的问题不存在或已被删除！</h2>
<p><a href="//www.120ask.com/">返回首页</a></p></div>"""
    return page("提示信息", body)


NOT_FOUND_HTML = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>404 Not Found</title></head>
<body><h1>404 Not Found</h1><hr><center>nginx</center></body></html>
"""


# --- what goes in the archive -------------------------------------------------------------


def fixture_pages() -> list[FixturePage]:
    """The good fixture pages, under the URL a crawl asks for (a page fetched as `http://…`
    is archived under its canonical URL)."""
    pages = archive.fixture_pages(FIXTURES, SITE.canonical_url)
    clash = {question_url(q.id) for q in data.QUESTIONS} & {p.url for p in pages}
    assert not clash, f"fixture URLs clash with data_120ask question ids: {clash}"
    return pages


def bad_pages() -> list[FixturePage]:
    """The removed-question fixture pages of `bad/`, each with `expected = {"reject": …}`.
    The other bad pages (not a question, empty) are failed pages: a few of them in a demo
    this small would fail the run's error-rate check, as they should in a real crawl;
    tests/test_bad_pages.py covers them."""
    pages = archive.fixture_pages(FIXTURES / "bad", SITE.canonical_url, CRAWLED)
    for p in pages:
        meta = json.loads(p.path.with_suffix(".json").read_text(encoding="utf-8"))
        p.expected = {"reject": meta["reject"]}
    return [p for p in pages if p.expected["reject"] == "removed"]


def listings() -> dict[str, list[Listing]]:
    """Each department list's entries (top-level and second-level), newest first."""
    out: dict[str, list[Listing]] = {}
    for slug, (_, subs) in data.DEPARTMENTS.items():
        out[slug] = []
        out.update({sub: [] for sub in subs})

    def add(crumbs: list[str], entry: Listing) -> None:
        for crumb in crumbs[:2]:
            slug = slug_of(crumb)
            if slug in out:
                out[slug].append(entry)

    for p in fixture_pages():
        q = p.expected["questions"][0]
        entry = Listing(p.url, q["title"], q["answer_count"] or 0, q["asked_at_raw"] or "")
        add(q["category_path"], entry)
    for q in data.QUESTIONS:
        add(list(q.crumbs), Listing(question_url(q.id), q.title, len(q.answers), q.asked))
    for lst in out.values():
        lst.sort(key=lambda e: e.asked, reverse=True)
    extra = [Listing(p.url, p.name, 0, "") for p in bad_pages()]
    extra += [
        Listing(question_url(qid), title, 1, "")
        for qid, title in (
            (data.REMOVED, "头晕乏力是贫血吗"),
            (data.GONE, "总是口干口苦怎么回事"),
            (data.NOT_ARCHIVED, "咳嗽胸痛要拍片吗"),
        )
    ]
    out["neike"] += extra
    return out


def captures() -> Iterator[Capture]:
    """Every response of the demo site, in crawl order."""
    clock = iter(CRAWLED + timedelta(seconds=s) for s in range(10_000))
    yield Capture(INDEX_URL, index_html().encode(), next(clock))
    names = {slug: name for slug, (name, subs) in data.DEPARTMENTS.items()}
    names.update({sub: n for _, (_, subs) in data.DEPARTMENTS.items() for sub, n in subs.items()})
    for slug, entries in listings().items():
        size = data.LIST_PAGE_SIZE
        chunks = [entries[i : i + size] for i in range(0, len(entries), size)] or [[]]
        for n, chunk in enumerate(chunks, 1):
            html = list_html(slug, names[slug], n, len(chunks), chunk)
            yield Capture(SITE.category_url(slug, n), html.encode(), next(clock))
    for p in [*fixture_pages(), *bad_pages()]:
        yield fixture_capture(p)
    questions = list(data.QUESTIONS)
    for n, q in enumerate(questions):
        related = [questions[(n + k) % len(questions)] for k in (1, 3)]
        yield Capture(question_url(q.id), question_html(q, related).encode(), next(clock))
    yield Capture(question_url(data.REMOVED), removed_html().encode(), next(clock))
    yield Capture(question_url(data.GONE), NOT_FOUND_HTML, next(clock), "404 Not Found")


def build(path: Path = ARCHIVE) -> Path:
    """Write the demo archive to `path`."""
    return archive.write_archive(path, captures(), gzipped=GZIPPED, chunked=CHUNKED)


# --- what a crawl of it must give ---------------------------------------------------------


def expected() -> dict[str, set[str]]:
    """The ids a crawl of the archive writes, per output file, and the rejects as
    `{"rejects": {"<url> <reason>", …}}`. Links to questions the archive does not hold (the
    listed `NOT_ARCHIVED`, a fixture page's related questions) are no rejects: the crawl
    counts them (`medcrawl/replay/not_archived`)."""
    out = archive.fixture_ids(fixture_pages())
    for q in data.QUESTIONS:
        qid = f"{KEY}:{q.id}"
        out["questions"].add(qid)
        for n, a in enumerate(q.answers, 1):
            out["answers"].add(f"{qid}/a{n}")
            if len(a.items) >= 2:
                out["causes"].update(f"{qid}/a{n}/c{k}" for k in range(1, len(a.items) + 1))
            d = data.DOCTORS[a.doctor]
            profile = f"https://www.120ask.com/doctor/{d.profile}/" if d.profile else None
            out["doctors"].add(doctor_id(KEY, profile, d.name, None))
    out["rejects"] = {f"{p.url} {p.expected['reject']}" for p in bad_pages()}
    out["rejects"] |= {
        f"{question_url(data.REMOVED)} removed",
        f"{question_url(data.GONE)} http_404",
    }
    return out


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ARCHIVE)
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
