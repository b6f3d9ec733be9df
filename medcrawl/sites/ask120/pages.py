"""www.120ask.com (快速问医生) pages: every selector for the site lives here, and nothing else.

Selectors follow shared/site/120ask-markup.md: the sourced class names first ([SRC]: `h1#d_askH1`,
`div.b_route`, `div.b_askab1`, `div#d_msCon p.crazy_new`, `div.b_answerli`, `b_acceptcont` /
`b_answercont`, `span.b_sp1` / `b_sp2`, `span.b_anscont_time`, `div.b_ansaddli` /
`span.b_docaddti`, the 2016 `itemprop` microdata), classes matched by token, then anchors on the
visible labels (健康咨询描述, 病情分析, 指导意见, 擅长 …) and on the shape of the text (a date,
`男 | 35岁`). The items are assembled from the parts found here by the shared
`medcrawl.extract.assemble`; the site shows no encyclopedia, drug or recommended-doctor box.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from urllib.parse import urlsplit

from parsel import Selector

from medcrawl.extract.assemble import AnswerParts, DoctorParts, QuestionParts
from medcrawl.extract.dates import list_date
from medcrawl.extract.html import every, first
from medcrawl.extract.medical import classify_doctor_tokens, doctor_line, labelled_sections
from medcrawl.extract.notices import notice
from medcrawl.extract.text import clean_inline
from medcrawl.extract.xpaths import Element, find, find_all, has_class, lines, string, strings
from medcrawl.sites.ask120.site import SITE
from medcrawl.sites.page import ListEntry, Page, QuestionPage


def _having(attr: str, value: str) -> str:
    """The elements whose `attr` is `value`, found through the attribute: libxml2 then tests
    only the elements that have one, where `//*[@id='x']` tests every element of the page."""
    return f"/descendant::*/@{attr}[.='{value}']/.."


# The question's body, by its id.
_MS_CON = _having("id", "d_msCon")


# --- the question ------------------------------------------------------------------------

# `<title>` is `<question title>_快速问医生` (or `_120健康网`).
_TITLE_SUFFIX = re.compile(r"\s*[_|-]\s*(?:快速问医生|120健康网|有问必答)(?:\W.*)?$")
# The body's section labels, in a `span` before the text or run into it (`健康咨询描述：…`),
# with an optional aside (`病情描述（发病时间、主要症状等）：`).
_BODY_LABEL = re.compile(
    r"^(?:健康咨询描述|问题描述|病情描述|曾经的?治疗情况(?:和|及)?效果|想得到怎样的帮助"
    r"|需要医生帮助提供远程诊断|需要医生提供的帮助|补充(?:问题|说明))"
    r"\s*(?:[（(][^）)]{0,30}[）)])?\s*[：:]\s*"
)
# A label held by its own inline element: short, ends with a colon.
_HELD_LABEL = re.compile(r"^[\u4e00-\u9fff（）()、，,\s]{2,30}[：:]$")
# The patient line: `男 | 35岁`, `女|2岁`; a date-time; `来自…` and `N人回复` are not collected.
_PATIENT_SEPARATORS = re.compile(r"\s*[|｜丨/,，]\s*|\s+")
_AGE = re.compile(r"^\d{1,3}\s*岁")
_ABSOLUTE_DATETIME = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"
    r"(?:\s*\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)?"
)
_DATETIME = re.compile(
    rf"{_ABSOLUTE_DATETIME.pattern}|\d+\s*(?:秒|分钟|小时|天)前"
    r"|(?:今天|昨天|前天)\s*\d{1,2}\s*[:：]\s*\d{2}"
)
# An answer's sections: the analysis (→ summary), the guidance (→ advice).
_SUMMARY_LABEL = re.compile(r"^\s*(?:病情分析|问题分析)\s*(?:[：:]\s*|$)")
_ADVICE_LABEL = re.compile(r"^\s*(?:指导意见|意见建议)\s*(?:[：:]\s*|$)")
# A follow-up's own label, when it sits in the text (`追问：…`, `医生回复：…`).
_FOLLOW_UP_LABEL = re.compile(
    r"^(?:患者|病人|提问者|医生|医师)?(?:追问|回复|追答|补充(?:问题)?)\s*(?:[：:]\s*|$)"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# What a voice answer's player says where it cannot play: never answer text.
_NO_AUDIO = re.compile(
    r"^您的浏览器不支持\s*(?:audio|video|音频|视频)?\s*(?:元素|播放)?[。.!！]?$", re.I
)
# A doctor's profile: `//www.120ask.com/doctor/<id>/`; a name link may also end in the id.
_PROFILE = re.compile(r"^(?:https?:)?//[^/]*/doctor/\w+/?$|^/doctor/\w+/?$", re.I)
_NUMBERED = re.compile(r"^(?:https?:)?//[^?#]+/\d+/?$", re.I)
_QUERY = re.compile(r"[?#].*$")
_ACCEPTED_BADGE = re.compile(r"已被?采纳|(?:提问者|患者)采纳|采纳(?:的|为)?(?:最佳)?答案|最佳答案")
# The site's home and Q&A root as breadcrumb crumbs: not categories.
_HOME_CRUMBS = frozenset({"首页", "快速问医生", "120健康网", "有问必答"})
# What makes a page a question page, besides its title.
_QUESTION_MARKERS = (
    "/descendant::h1[@id='d_askH1']",
    _MS_CON,
    f"/descendant::div[{has_class('b_askab1')}]",
    f"/descendant::div[{has_class('b_answerli')}]",
    _having("itemprop", "post_time"),
    "/descendant::p[starts-with(normalize-space(.),'健康咨询描述')"
    " or starts-with(normalize-space(.),'病情描述')]",
)


class Ask120QuestionPage(QuestionPage):
    """One www.120ask.com question page. `problem()` says why it is not one; `parts()` finds it."""

    site = SITE

    # --- is this a question page at all? --------------------------------------------------

    def problem(self) -> str | None:
        """`empty`, `removed` or `not_question` when the page holds no question, else None.
        A removed question is a 200 page saying so (not there, deleted, closed)."""
        if not self.response.body.strip():
            return "empty"
        if self.native_id is None:
            return "not_question"
        # A title alone is no question: removed and error pages have one too, in the frame.
        if self.title_text and find(self.root, *_QUESTION_MARKERS) is not None:
            if self.question_lines or self.answer_blocks:
                return None
            # The question's template around a notice, with nothing asked or answered.
            return "removed" if notice(self.sel) == "removed" else None
        return notice(self.sel) or "not_question"

    # --- blocks ---------------------------------------------------------------------------

    @cached_property
    def ask(self) -> Element:
        """The question block (title, patient line, body), else the whole page."""
        return find(
            self.root,
            f"/descendant::div[{has_class('b_askbox')}]",
            f"{_MS_CON}/ancestor::div[descendant::h1 or descendant::*[@itemprop]][1]",
            default=self.root,
        )

    @cached_property
    def title_text(self) -> str | None:
        node = find(
            self.root,
            "/descendant::h1[@id='d_askH1']",
            f"/descendant::div[{has_class('b_askti')}]/descendant::h1",
        )
        title = "" if node is None else clean_inline(string(node))
        if not title:  # `<title>` without the site's suffix
            raw = clean_inline(string(self.root, "string(/descendant::title)"))
            title = _TITLE_SUFFIX.sub("", raw)
        return title or None

    @cached_property
    def answer_blocks(self) -> list[Element]:
        """One block per answer: `b_answerli`, else the accepted/other answer boxes, else —
        where the classes changed — the nearest `div` around each `病情分析` label that also
        holds the doctor's line (else the answer time)."""
        blocks = find_all(
            self.root,
            f"/descendant::div[{has_class('b_answerli')}]",
            f"/descendant::div[{has_class('b_acceptcont')} or {has_class('b_answercont')}]",
            "/descendant::*[starts-with(normalize-space(text()),'病情分析')]/ancestor::div"
            "[descendant::*[contains(@class,'sp1')] or descendant::var"
            " or descendant::a[contains(@href,'/doctor/')]][1]",
            "/descendant::*[starts-with(normalize-space(text()),'病情分析')]/ancestor::div"
            "[descendant::*[contains(@class,'time')]][1]",
        )
        return list(dict.fromkeys(blocks))  # one block per answer, however many labels it holds

    # --- parts ----------------------------------------------------------------------------

    def parts(self) -> QuestionParts:
        sex, age, asked = self._patient()
        return QuestionParts(
            title=self.title_text,
            question=self.question_lines,
            patient_sex=sex,
            patient_age=age,
            category_path=self._category_path(),
            asked_at=asked,
            answers=[self.answer(block) for block in self.answer_blocks],
        )

    @cached_property
    def question_lines(self) -> list[str]:
        """The body's labelled sections in page order, labels removed, empty ones left out."""
        paragraphs = find_all(
            self.root,
            f"{_MS_CON}/descendant::p[{has_class('crazy_new')}]",
            f"{_MS_CON}/descendant::p",
            f"/descendant::div[{has_class('b_askcont')} or {has_class('b_askdesc')}]/descendant::p",
            f"{_having('itemprop', 'text')}/descendant::p",
            "/descendant::p[starts-with(normalize-space(.),'健康咨询描述')"
            " or starts-with(normalize-space(.),'病情描述')"
            " or starts-with(normalize-space(.),'问题描述')]",
        )
        if not paragraphs:  # the body's container without paragraphs
            paragraphs = find_all(self.root, _MS_CON)
        return [line for p in paragraphs for line in _unlabelled(p)]

    def _patient(self) -> tuple[list[str], list[str], str | None]:
        """Sex (`男`), age (`35岁`) and the ask time as shown: the `b_askab1` spans, else the
        older `itemprop` microdata."""
        sex: list[str] = []
        age: list[str] = []
        asked: str | None = None
        line = find(
            self.ask,
            f"descendant::*[{has_class('b_askab1')}]",
            f"/descendant::*[{has_class('b_askab1')}]",
        )
        for span in (
            [] if line is None else find_all(line, "descendant::span[not(descendant::span)]")
        ):
            text = clean_inline(string(span))
            if asked is None and (d := _DATETIME.search(text)):
                asked = d.group(0)
                text = text.replace(asked, " ")
            for token in _PATIENT_SEPARATORS.split(text):
                if token in ("男", "女"):
                    sex.append(token)
                elif _AGE.match(token):
                    age.append(token)
        sex += [t for t in self._itemprop("gender") if t in ("男", "女")]
        age += [t for t in self._itemprop("age") if _AGE.match(t)]
        if asked is None:
            asked = next(
                (d.group(0) for t in self._itemprop("post_time") if (d := _DATETIME.search(t))),
                None,
            )
        return sex, age, asked

    @cached_property
    def _itemprops(self) -> frozenset[str]:
        """The `itemprop` names the page uses: one pass, and most pages use none."""
        return frozenset(strings(self.root, "/descendant::*/@itemprop"))

    def _itemprop(self, name: str) -> list[str]:
        if name not in self._itemprops:
            return []
        texts = (
            clean_inline(t)
            for t in strings(self.root, f"{_having('itemprop', name)}/descendant::text()")
        )
        return [t for t in texts if t]

    def _category_path(self) -> list[str]:
        """The `b_route` links after the home crumb (and a link to the category tree itself);
        the question's own title, when it is a crumb, is not a category."""
        route = find(
            self.root,
            f"/descendant::div[{has_class('b_route')}]",
            "/descendant::*[contains(@class,'route')]",
        )
        crumbs: list[str] = []
        for a in [] if route is None else find_all(route, "descendant::a"):
            text = clean_inline(string(a))
            href = self.link(a.get("href")) or ""
            if not text or self._is_home(href) or self.site.is_index_url(href):
                continue
            if not crumbs and text in _HOME_CRUMBS:  # the home crumb, linked some other way
                continue
            crumbs.append(text)
        if crumbs and crumbs[-1] == self.title_text:
            crumbs = crumbs[:-1]
        return crumbs

    @staticmethod
    def _is_home(url: str) -> bool:
        parts = urlsplit(url)
        return parts.path in ("", "/") and not parts.query

    # --- answers --------------------------------------------------------------------------

    def answer(self, block: Element) -> AnswerParts:
        lines = self._answer_lines(block)
        summary, advice = labelled_sections(lines, _SUMMARY_LABEL, _ADVICE_LABEL)
        return AnswerParts(
            lines=lines,
            doctor=self.answering_doctor(block),
            accepted=self._accepted(block),
            answered_at=self._answered_at(block),
            follow_ups=self._follow_ups(block),
            summary_lines=summary,
            advice_lines=advice,
        )

    def _answer_lines(self, block: Element) -> list[str]:
        content = find(
            block,
            f"descendant::div[{has_class('b_anscont_cont')}]",
            f"descendant::div[{has_class('crazy_new')}][not(ancestor::div[{has_class('b_ansaddbox')}])]",
            f"descendant::div[{has_class('b_anscontc')}]",
        )
        if content is None:
            return []
        time = clean_inline(
            string(content, f"string(descendant::span[{has_class('b_anscont_time')}])")
        )
        found = [line for line in lines(content) if line != time and not _NO_AUDIO.match(line)]
        if (
            not any(_CJK.search(t) for t in found)
            and find(content, "descendant::audio") is not None
        ):
            return []  # a voice answer: what is left is the player's length (`35"`), no text
        return found

    @staticmethod
    def _accepted(block: Element) -> bool:
        """True for the answer the asker accepted (`b_acceptcont`), False for the others."""
        if find(block, f"descendant-or-self::div[{has_class('b_acceptcont')}]") is not None:
            return True
        if find(block, f"descendant-or-self::div[{has_class('b_answercont')}]") is not None:
            return False
        badge = " ".join(
            strings(
                block,
                f"descendant::*[not(ancestor-or-self::div[{has_class('b_anscont_cont')}])]"
                "[contains(@class,'accept')]/@title | "
                f"descendant::*[not(ancestor-or-self::div[{has_class('b_anscont_cont')}])]"
                "[contains(@class,'accept')]/descendant::text()",
            )
        )
        return _ACCEPTED_BADGE.search(badge) is not None

    def _answered_at(self, block: Element) -> str | None:
        raw = clean_inline(
            string(block, f"string(descendant::span[{has_class('b_anscont_time')}])")
        )
        if raw:
            return d.group(0) if (d := _DATETIME.search(raw)) else raw
        outside = strings(
            block,
            f"descendant::text()[not(ancestor::div[{has_class('b_ansaddbox')}])]"
            "[not(ancestor::script or ancestor::style)]",
        )
        return next((d.group(0) for t in outside if (d := _DATETIME.search(t))), None)

    def _follow_ups(self, block: Element) -> list[dict[str, str | None]]:
        """Each `b_ansaddli` in order: the doctor's when marked `b_docaddti`, else the
        patient's; its text in `p` (the label and the date left out)."""
        out: list[dict[str, str | None]] = []
        items = find_all(
            block,
            f"descendant::div[{has_class('b_ansaddli')}]",
            f"following-sibling::*[1][{has_class('b_ansaddbox')}]/descendant::div[{has_class('b_ansaddli')}]",
        )  # the follow-up box right after the answer, where it is not inside it
        for li in items:
            role = (
                "doctor"
                if find(li, f"descendant::*[{has_class('b_docaddti')}]") is not None
                else "patient"
            )
            found = [line for p in find_all(li, "descendant::p") for line in lines(p)]
            if not found:  # text straight in the item
                found = lines(li)
            text = "\n".join(_follow_up_lines(found))
            if text:
                out.append({"role": role, "text": text})
        return out

    def answering_doctor(self, block: Element) -> DoctorParts | None:
        """Name from the `b_sp1` link (older pages: `var`), title from the rest of `b_sp1`,
        specialties from `b_sp2` (`擅长:`), the profile from a doctor link of the header, the
        hospital when the header shows one."""
        header = find(
            block,
            f"descendant::div[{has_class('b_answertl')}]",
            f"descendant::div[{has_class('b_answertop')}]",
            ".//*[.//span[contains(@class,'sp1')] or .//var or .//a[contains(@href,'/doctor/')]]"
            "[not(ancestor-or-self::*[contains(@class,'anscont')])][last()]",
        )
        if header is None:
            return None
        sp1 = find(header, f"descendant::span[{has_class('b_sp1')}]")
        if sp1 is not None:
            name_node = find(
                sp1, "descendant::a[normalize-space(.)]", "descendant::var[normalize-space(.)]"
            )
        else:
            name_node = find(
                header,
                "descendant::var[normalize-space(.)]",
                "descendant::a[contains(@href,'/doctor/')][normalize-space(.)]",
            )
        name = "" if name_node is None else clean_inline(string(name_node))
        rest = [] if sp1 is None else self._rest(sp1, name_node)
        if not name and rest and classify_doctor_tokens(rest[:1]).title is None:
            name, rest = rest[0], rest[1:]  # the name as plain text, first on the line
        if not name:
            return None  # a title alone is no doctor
        others = [
            token
            for t in strings(
                header,
                "descendant::text()"
                f"[not(ancestor::span[{has_class('b_sp1')} or {has_class('b_sp2')}])]"
                "[not(ancestor::a or ancestor::script or ancestor::style)]",
            )
            for token in clean_inline(t).split(" ")
            if token and not t.strip().startswith("擅长")
        ]
        name, roles = doctor_line([name, *rest, *others])  # a title run into the name: split
        if not name:
            return None
        specialties = string(header, f"string(descendant::span[{has_class('b_sp2')}])")
        if not specialties.strip():
            specialties = string(
                header, "string(descendant::*[starts-with(normalize-space(text()),'擅长')])"
            )
        return DoctorParts(
            name=name,
            roles=roles,
            profile_url=self.link(self._profile_href(header, name_node)),
            specialties=[specialties] if specialties.strip() else [],
        )

    @staticmethod
    def _rest(sp1: Element, name_node: Element | None) -> list[str]:
        """The tokens of `b_sp1` besides the name: the title (and whatever else it shows)."""
        texts = strings(sp1, "descendant::text()")
        name_texts = [] if name_node is None else strings(name_node, "descendant::text()")
        for t in name_texts:  # the name's own text nodes, once each
            if t in texts:
                texts.remove(t)
        return [tok for t in texts for tok in clean_inline(t).split(" ") if tok]

    @staticmethod
    def _profile_href(header: Element, name_node: Element | None) -> str | None:
        """The name link's href when it leads to a doctor (`…/doctor/<id>/` or `…/<id>`),
        else the header's link to a doctor page (the face picture's, on older pages)."""
        names = [] if name_node is None else strings(name_node, "./@href | ./a/@href")
        for href in (_QUERY.sub("", h.strip()) for h in names):
            if _PROFILE.search(href) or _NUMBERED.search(href):
                return href
        for href in (_QUERY.sub("", h.strip()) for h in strings(header, "descendant::a/@href")):
            if _PROFILE.search(href):
                return href
        return None


def _follow_up_lines(lines: list[str]) -> list[str]:
    """A follow-up's lines without its label (`追问：`, a reply's) and its date."""
    out = []
    for line in lines:
        line = _FOLLOW_UP_LABEL.sub("", line, count=1) if not out else line
        if (d := _ABSOLUTE_DATETIME.search(line)) and d.end() == len(line):  # its date
            line = line[: d.start()].strip()
        if line:
            out.append(line)
    return out


def _unlabelled(p: Element) -> list[str]:
    """A body paragraph's lines without their section labels: the label an inline element
    holds (`<span>健康咨询描述：</span>…`), and known labels run into a line's text (sections
    only `<br>` apart)."""
    found = lines(p)
    if not found:
        return []
    held = clean_inline(string(p, "string(./*[self::span or self::strong or self::b][1])"))
    if held and _HELD_LABEL.match(held) and found[0].startswith(held):
        found[0] = found[0][len(held) :].strip()
    found = [_BODY_LABEL.sub("", line, count=1).strip() for line in found]  # `<br>`-joined
    return [line for line in found if line]


# --- discovery: the category tree, department lists, related questions -------------------
# Not the question's items: these parts only find question pages and bound a crawl.


class Ask120RelatedBox(Page):
    """Other question pages a question page links (related and popular questions)."""

    site = SITE

    def question_urls(self) -> list[str]:
        own = SITE.canonical_url(self.response.url)
        hrefs = self.response.xpath("//a[contains(@href,'/question/')]/@href").getall()
        urls = (self.page_link(h) for h in hrefs)
        return list(dict.fromkeys(u for u in urls if u and SITE.is_question_url(u) and u != own))


class Ask120ListPage(Page):
    """A department list (`list/<slug>/`, paged `list/<slug>/over/<n>/`): its questions, each
    with the date the list shows (or None), and the next page."""

    site = SITE

    def entries(self) -> list[ListEntry]:
        """Questions in list order (newest first on the site); dates from the item's own text."""
        rows = every(
            self.response.selector,
            f"//ul[{has_class('h-ul3')}]/li",
            f"//*[{has_class('h-color')}][.//a[contains(@href,'/question/')]]",
            "//li[.//a[contains(@href,'/question/')]]",
        )
        out: dict[str, ListEntry] = {}
        for row in rows:
            href = first(
                row,
                f".//a[{has_class('q-quename')}]/@href",
                ".//a[contains(@href,'/question/')]/@href",
            )
            url = None if href is None else self.page_link(href.get())
            if url and SITE.is_question_url(url) and url not in out:
                out[url] = ListEntry(url, self._posted(row))
        return list(out.values())

    def _posted(self, row: Selector) -> date | None:
        return list_date(
            [clean_inline(t) for t in row.xpath(".//text()[not(ancestor::a)]").getall()], self.now
        )

    def last_page(self) -> int | None:
        """The highest page number the pager (`.h-page`) links."""
        numbers = [
            n
            for href in every(
                self.response.selector,
                f"//*[{has_class('h-page')}]//a/@href",
                "//a[contains(@href,'/over/')]/@href",
            )
            if (n := SITE.list_page_number(self.page_link(href.get()) or ""))
        ]
        return max(numbers, default=None)

    def next_url(self) -> str | None:
        """The pager's `下一页` link, else page + 1 while the pager shows a higher page."""
        href = self.response.xpath("//a[normalize-space(.)='下一页']/@href").get()
        if href:
            url = self.page_link(href)
            if url and SITE.list_category(url):
                return url
        slug = SITE.list_category(self.response.url)
        page = SITE.list_page_number(self.response.url)
        last = self.last_page()
        if slug and page and last and page < last:
            return SITE.category_url(slug, page + 1)
        return None


class Ask120IndexPage(Page):
    """The category tree (`list/`): links to the department lists, every level."""

    site = SITE

    def list_urls(self) -> list[str]:
        hrefs = every(
            self.response.selector,
            f"//*[{has_class('h-ul1')}]//a/@href",
            "//a[contains(@href,'/list/')]/@href",
        )
        urls = (self.page_link(h.get()) for h in hrefs)
        return list(dict.fromkeys(u for u in urls if u and SITE.list_category(u)))
