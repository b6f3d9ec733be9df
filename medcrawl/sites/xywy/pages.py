"""club.xywy.com (寻医问药 有问必答) pages: every selector for the site lives here, nothing else.

Selectors are the class names public crawlers used, 2016–2021 ([SRC] in
shared/site/xywy-markup.md), matched by token — the site's class attributes carry stray and
doubled spaces — then structure and the visible labels (最佳答案, 追问, 回复 …). Two markup
generations are live: ≈2017 answer blocks `div.docall.clearfix` with the text in
`div.pt15.f14.graydeep` (inside `qsdetail`), ≈2021 blocks `div.Doc_dochf` with the text in
their first `div`. Which doctor card, follow-ups and best-answer mark belong to which answer is
read from document order (card before the text, follow-ups after it), so it holds however the
blocks nest. The items are assembled from these parts by the shared `medcrawl.extract.assemble`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from medcrawl.extract.assemble import AnswerParts, DoctorParts, QuestionParts, follow_up_role
from medcrawl.extract.html import every, first, outermost_elements
from medcrawl.extract.medical import classify_doctor_tokens, labelled_sections
from medcrawl.extract.notices import notice
from medcrawl.extract.text import clean_inline, split_label
from medcrawl.extract.xpaths import (
    Element,
    find,
    find_all,
    has_class,
    in_document_order,
    lines,
    string,
    strings,
    tokens,
)
from medcrawl.sites.page import ListEntry, Page, QuestionPage
from medcrawl.sites.xywy.site import SITE

# A date as the site prints it: `2017-02-23 09:40:12` (seconds or time may be missing).
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_AGE = re.compile(r"^\d{1,3}\s*岁")
# Breadcrumb links to the site itself, not departments: `寻医问药网 > 有问必答 > 内科 > …`.
_SITE_CRUMBS = frozenset({"首页", "寻医问药", "寻医问药网", "有问必答", "问题列表"})
_SITE_ROOT = re.compile(r"^(?:(?:https?:)?//[^/]+)?/?(?:index\.html?)?$")
_TITLE_SUFFIX = re.compile(r"\s*[_|－-]\s*(?:有问必答|寻医问药).*$")
_ELLIPSIS = ".…。 "

# The question block `div.User_askcon` (else the user line's parent); the title `p.fl.dib.fb`
# inside such a block, else anywhere, else `h2.Uerth2`.
_ASK_BLOCKS = f"/descendant::div[{has_class('User_askcon')}]"
_QUESTION_BLOCK_ELSE = f"/descendant::div[{has_class('Userinfo')}]/.."
_TITLE_IN_ASK = f"descendant::p[{has_class('fl', 'dib', 'fb')}]"
_TITLE_ELSE = (
    f"/descendant::p[{has_class('fl', 'dib', 'fb')}]",
    f"/descendant::h2[{has_class('Uerth2')}]",
)
_USER_SPANS = (
    f"/descendant::div[{has_class('Userinfo')}]//span",
    f"/descendant::span[{has_class('User_time')}]",
)
_BODY = ("/descendant::div[@id='qdetailc']", f"/descendant::div[{has_class('User_quecol')}]")
_CRUMBS = (
    f"/descendant::p[{has_class('znblue', 'normal-a')}]",
    f"/descendant::*[{has_class('pt10', 'pb10', 'lh180')}]",
    "/descendant::*[a[normalize-space(.)='有问必答']]",
)
# Each answer's text: 2021 the first non-empty div of div.Doc_dochf, 2017 div.pt15.f14.graydeep
# in a docall block (not the related-question teasers, `docall relate-con`); then structure.
# The 2017 text is asked for by its ancestors, not found below every docall block: that form
# merged each block's results into the set so far, n² on a page of n blocks.
_ANSWER_TEXTS = (
    f"/descendant::div[{has_class('Doc_dochf')}]/div[normalize-space()][1]"
    f" | /descendant::div[{has_class('pt15', 'f14', 'graydeep')}]"
    f"[not(ancestor::div[{has_class('Doc_dochf')}])]"
    f"[ancestor::div[{has_class('docall')}][not({has_class('relate-con')})]]",
    f"/descendant::div[{has_class('qsdetail')}]/div[normalize-space()][1]",
    f"/descendant::*[contains(@id, '_reply')]//div[{has_class('f14', 'graydeep')}][1]",
    # the text before an answer's time line
    f"/descendant::p[{has_class('col99', 'tr')}][not(ancestor::div[{has_class('usezw')}])]"
    "/preceding-sibling::div[normalize-space()][1]",
)
_ANSWER_BLOCK = (
    f"ancestor::div[{has_class('Doc_dochf')} or {has_class('docall')} or contains(@id, '_reply')]"
)
_BEST_BLOCK = f"ancestor-or-self::div[{has_class('Best_dochf')} or {has_class('Bestbg')}]"
# Within the answers' scope (`answer_units`): the doctor card; where a page has none, the
# doctor's name link alone (not a follow-up label); the follow-ups; the best answer's badge.
_CARDS = (
    f"descendant::div[{has_class('Doc_zytpmd')}]"
    f" | descendant::a[{has_class('Doc_bla')}]"
    f"[not(ancestor::div[{has_class('Doc_zytpmd')} or {has_class('usezw')}])]"
)
_FOLLOW_UPS = f"descendant::div[{has_class('usezw')}]"
# The best answer's badge (最佳答案) or heading (提问者采纳, 被患者采纳的回复), not in scripts.
_BEST_WORDS = ("最佳答案", "提问者采纳", "患者采纳", "网友采纳")
# `text()[1][contains(., w)]` is `contains(normalize-space(text()), w)` for words without
# spaces, without normalizing a string per element and word; it goes first, as it rules out
# nearly every element (the three `self::` tests cost more: a step each).
_BADGES = (
    "descendant::*[text()[1]["
    + " or ".join(f"contains(., '{w}')" for w in _BEST_WORDS)
    + "]][not(self::script or self::style or self::title)]"
)
_ANSWERS_BOX = f"/descendant::div[{has_class('Doc_con')}]"
# Answers written in two labelled sections: the analysis, then the guidance.
_ANALYSIS = re.compile(r"^\s*(?:病情分析|问题分析)\s*(?:[：:]\s*|$)")
_GUIDANCE = re.compile(r"^\s*(?:指导意见|意见建议|处理意见)\s*(?:[：:]\s*|$)")
_ANSWER_TIME = (
    f"following-sibling::p[{has_class('col99')}][1]//span//text()",
    "following-sibling::p[1]//text()",
    f"../p/descendant::span[{has_class('Doc_time')}]//text()",
    f"({_ANSWER_BLOCK})[1]/descendant::span[{has_class('Doc_time')}][not(ancestor::div[{has_class('usezw')}])]//text()",
)

# In a follow-up: its label, its text.
_FOLLOW_UP_LABEL = f"string(descendant::span[{has_class('Doc_bla')}])"
_FOLLOW_UP_TEXT = (f"descendant::*[{has_class('w390')}]", f"descendant::div[{has_class('ml10')}]")
# In a doctor card: the name link, the title.
_DOCTOR_LINK = (f"descendant-or-self::a[{has_class('Doc_bla')}]", ".//a[normalize-space()][1]")
_DOCTOR_TITLE = f"string(descendant::span[{has_class('btn-a')}])"


@dataclass
class _Unit:
    """One answer as found in document order: its text, the doctor card before it, the
    follow-ups after it, whether it is marked best."""

    text: Element
    card: Element | None
    best: bool
    follow_ups: list[Element] = field(default_factory=list)


class XywyQuestionPage(QuestionPage):
    """One club.xywy.com question page. `problem()` says why it is not one; `parts()` finds it."""

    site = SITE

    # --- is this a question page at all? --------------------------------------------------

    def problem(self) -> str | None:
        """`empty`, `removed`, `challenge` or `not_question` when the page holds no question,
        else None."""
        if not self.response.body.strip():
            return "empty"
        if self.native_id is None:
            return "not_question"
        # A title alone is no question: notices and the site's front page have one too, and
        # a removed question may keep the question's template, emptied.
        shown = self.own_title or (self.title_text and self.question_lines)
        if shown and (self.question_block is not None or self.body is not None):
            return None
        return notice(self.sel) or "not_question"

    # --- blocks ---------------------------------------------------------------------------

    @cached_property
    def _ask_blocks(self) -> list[Element]:
        """Every `div.User_askcon`, in one walk: the question block and the title's place."""
        return find_all(self.root, _ASK_BLOCKS)

    @cached_property
    def question_block(self) -> Element | None:
        blocks = self._ask_blocks
        return blocks[0] if blocks else find(self.root, _QUESTION_BLOCK_ELSE)

    @cached_property
    def body(self) -> Element | None:
        return find(self.root, *_BODY)

    @cached_property
    def question_lines(self) -> list[str]:
        """The body's text lines: `problem()` asks for them where the title is not the
        question's own, `parts()` always."""
        return lines(self.body)

    @cached_property
    def own_title(self) -> str:
        """The question's title element `p.fl.dib.fb`: its text, or its `@title` where the
        text is cut short (`…`); "" when the page has none."""
        # The first title in a block: blocks come in document order, and a block's subtree
        # holds any block nested in it, so the first block holding one holds the first.
        blocks = self._ask_blocks
        if len(blocks) > 1:  # each nested block once, not again inside every outer one
            blocks = outermost_elements(blocks)
        found = (find(block, _TITLE_IN_ASK) for block in blocks)
        node = next((el for el in found if el is not None), None)
        if node is None:
            node = find(self.root, *_TITLE_ELSE)
        if node is None:
            return ""
        text = clean_inline(string(node))
        full = clean_inline(node.get("title"))
        cut = text.rstrip(_ELLIPSIS)
        return full if full and (not text or full.startswith(cut)) else text

    @cached_property
    def title_text(self) -> str | None:
        """The question's title, else `<title>` without the site's suffix."""
        title = self.own_title
        if not title:
            raw = string(self.root, "string(//title)")
            title = clean_inline(_TITLE_SUFFIX.sub("", raw))
        return title or None

    # --- parts ----------------------------------------------------------------------------

    def parts(self) -> QuestionParts:
        sex, age, asked = self._user_line()
        return QuestionParts(
            title=self.title_text,
            question=self.question_lines,
            patient_sex=sex,
            patient_age=age,
            category_path=self._category_path(),
            asked_at=asked,
            answers=[self.answer(unit) for unit in self.answer_units()],
        )

    def _user_line(self) -> tuple[list[str], list[str], str | None]:
        """Sex (`男`), age (`34岁`) and time from the user line's spans; the user name, the
        first span, is not collected."""
        spans = find_all(self.root, *_USER_SPANS)
        texts = [clean_inline(string(s)) for s in spans]
        words = [w for t in texts for w in t.split(" ")]  # `女 28岁` in one span, too
        sex = [w for w in words if w in ("男", "女")]
        age = [w for w in words if _AGE.match(w)]
        asked = next((m.group(0) for t in texts if (m := _DATE.search(t))), None)
        return sex, age, asked

    def _category_path(self) -> list[str]:
        """The breadcrumb's links below the site's own (寻医问药网, 有问必答), without the
        question's title (the last crumb, maybe cut short)."""
        crumb = find(self.root, *_CRUMBS)
        if crumb is None:
            return []
        out = []
        for a in find_all(crumb, ".//a"):
            text = clean_inline(string(a))
            href = a.get("href") or ""
            if text and text not in _SITE_CRUMBS and not _SITE_ROOT.match(href):
                out.append(text)
        title = self.title_text or ""
        if out and len(cut := out[-1].rstrip(_ELLIPSIS)) >= 4 and title.startswith(cut):
            out.pop()
        return out

    def answer_units(self) -> list[_Unit]:
        """Each answer's text with the doctor card before it, the follow-ups after it and its
        best-answer mark — by document order, however the generation nests its blocks. A
        badge inside an answer's block marks that answer; one between answers (or before
        the first, inside the answers box) marks the next — unless a block's class marks the
        best answer, which says more."""
        texts = find_all(self.root, *_ANSWER_TEXTS)
        if not texts:
            return []
        box = find(self.root, _ANSWERS_BOX)
        if box is not None and all(box in t.iterancestors() for t in texts):
            scope, in_box = box, True  # the answers box holds them all: look only there
        else:
            scope, in_box = self.root, box is None
        kinds: dict[Element, str] = {}
        queries = [("card", _CARDS), ("follow_up", _FOLLOW_UPS)]
        shown = string(scope)  # a badge's text is in it: no word, no badge, no walk for them
        if any(word in shown for word in _BEST_WORDS):
            queries.append(("badge", _BADGES))
        for kind, query in queries:
            kinds.update((el, kind) for el in find_all(scope, query))
        kinds.update((el, "text") for el in texts)
        units: list[_Unit] = []
        card, best = None, False
        for el in in_document_order([*kinds, *([] if in_box else [box])]):
            if el is box:
                in_box = True
            kind = kinds.get(el)
            if kind == "card":
                card = el
            elif kind == "text":
                units.append(_Unit(el, card, best))
                card, best = None, False
            elif kind == "follow_up" and units:
                units[-1].follow_ups.append(el)
            elif kind == "badge":
                if units and _inside(el, find_all(units[-1].text, _ANSWER_BLOCK)):
                    units[-1].best = True
                elif in_box:
                    best = True
        by_class = [find(unit.text, _BEST_BLOCK) is not None for unit in units]
        if any(by_class):
            for unit, marked in zip(units, by_class, strict=True):
                unit.best = marked
        return units

    def answer(self, unit: _Unit) -> AnswerParts:
        doctor = self.doctor(unit.card) if unit.card is not None else None
        name = doctor.name if doctor else None
        text = lines(unit.text)
        summary, advice = labelled_sections(text, _ANALYSIS, _GUIDANCE)
        return AnswerParts(
            lines=text,
            summary_lines=summary,
            advice_lines=advice,
            doctor=doctor,
            accepted=unit.best,
            answered_at=self._answer_time(unit.text),
            follow_ups=[f for zw in unit.follow_ups if (f := self._follow_up(zw, name))],
        )

    @staticmethod
    def _answer_time(text: Element) -> str | None:
        """The time printed after the answer's text (`p.col99 span`), not a follow-up's."""
        for query in _ANSWER_TIME:
            for piece in strings(text, query):
                if m := _DATE.search(piece):
                    return m.group(0)
        return None

    @staticmethod
    def _follow_up(zw: Element, doctor_name: str | None) -> dict[str, str | None] | None:
        """One follow-up (`div.usezw`): its label (`span.Doc_bla`: `追问：`, a doctor's
        `…回复：`) says who wrote it — a label of no known word is kept as shown, and without
        a label the text tells (`回复` in it: the doctor's); the text is `.w390` (else the
        rest of `div.ml10`), its time left out."""
        label = clean_inline(string(zw, _FOLLOW_UP_LABEL))
        holder = find(zw, *_FOLLOW_UP_TEXT, default=zw)
        text = "\n".join(line for line in lines(holder) if not _DATE.fullmatch(line))
        if label and text.startswith(label):
            text = text[len(label) :].strip()
        if not label:  # `追问：…` in one piece
            found, rest = split_label(text)
            if found and rest:
                label, text = found, rest
        if not text:
            return None
        label = label.rstrip(":：")
        if not label:
            role = "doctor" if "回复" in string(zw) else "patient"
        elif (role := follow_up_role(label)) is None:
            role = "doctor" if doctor_name and doctor_name in label else label  # `王芳：`
        return {"role": role, "text": text}

    def doctor(self, card: Element) -> DoctorParts | None:
        """The doctor card `div.Doc_zytpmd`: name and profile `a.Doc_bla`, title span
        (`span.btn-a`), specialties (`p.graydeep` 擅长：…); other tokens by what they are."""
        link = find(card, *_DOCTOR_LINK)
        name = clean_inline(string(link)) if link is not None else ""
        if not name:
            return None
        href = (link.get("href") or "").strip()
        if href.startswith(("javascript", "#")):
            href = ""
        specialties = [
            t
            for t in (clean_inline(string(p)) for p in find_all(card, ".//p"))
            if t.startswith("擅长")
        ]
        said = " ".join(specialties)
        others = [  # title, hospital, grade: each its own text node, never glued to the name
            t
            for t in tokens(card)
            if t != name and t not in said and not t.startswith(("擅长", "已帮助"))
        ]
        roles = classify_doctor_tokens(others)
        title = clean_inline(string(card, _DOCTOR_TITLE))
        if title:
            roles.title = title
        return DoctorParts(
            name=name, roles=roles, profile_url=self.link(href or None), specialties=specialties
        )


def _inside(el: Element, blocks: list[Element]) -> bool:
    """Whether `el` is inside one of `blocks`: up its ancestors (the page's depth), not down
    each block's subtree (the page's size, for every badge)."""
    roots = set(blocks)
    return any(ancestor in roots for ancestor in el.iterancestors())


# --- discovery: the day index, day lists, related questions ---------------------------------
# Not the question's items: these parts only find question pages and bound a crawl.


class XywyRelatedBox(Page):
    """Question pages a question page links as related (`#ulxgwtg`, `ul.Doc_xgqul`, the
    `relate-con` teasers)."""

    site = SITE

    def question_urls(self) -> list[str]:
        hrefs = self.response.xpath(
            "/descendant::div[@id='ulxgwtg']//a/@href"
            f" | /descendant::ul[{has_class('Doc_xgqul')}]//a/@href"
            f" | /descendant::div[{has_class('relate-con')}]//a/@href"
        ).getall()
        urls = (self.page_link(h) for h in hrefs)
        return list(dict.fromkeys(u for u in urls if u and SITE.is_question_url(u)))


class _Paged(Page):
    """A page of a paged listing (`div.subFen`: `[下一页]`, `共N页`)."""

    site = SITE

    def next_url(self) -> str | None:
        """The pager's `[下一页]` link, else page + 1 while the pager says `共N页` is more."""
        href = first(
            self.response.selector,
            f"/descendant::div[{has_class('subFen')}]"
            "/descendant::a[contains(normalize-space(.), '下一页')]/@href",
            "/descendant::a[contains(normalize-space(.), '下一页')]/@href",
        )
        if href is not None:
            return self.page_link(href.get())
        text = self.response.xpath("string(//body)").get() or ""
        pages = re.search(r"共\s*([0-9]{1,9})\s*页", text)
        page = re.search(r"/([0-9]{1,9})\.html", self.response.url)
        if pages and page and int(page.group(1)) < int(pages.group(1)):
            return self.response.url[: page.start(1)] + f"{int(page.group(1)) + 1}.html"
        return None


class XywyDayPage(_Paged):
    """A day's question list (`keshi/<yyyy-mm-dd>/<page>.html`, 20 a page): its questions,
    dated by the day (or the day in their own URL)."""

    def entries(self) -> list[ListEntry]:
        day = SITE.day_of(self.response.url)
        hrefs = every(
            self.response.selector,
            f"/descendant::div[{has_class('club_dic')}]//h4/em/a/@href",
            "/descendant::a[contains(@href, '/static/') or contains(@href, '/question/')]/@href",
        )
        out: dict[str, ListEntry] = {}
        for href in hrefs:
            url = self.page_link(href.get())
            if url and SITE.is_question_url(url):
                out.setdefault(url, ListEntry(url, day or _url_day(url)))
        return list(out.values())


class XywyIndexPage(_Paged):
    """The day index (`keshi/<n>.html`): one link per day, newest first."""

    def days(self) -> list[tuple[date, str]]:
        hrefs = every(
            self.response.selector,
            f"/descendant::ul[{has_class('club_Date')}]/li//a/@href",
            "/descendant::a[contains(@href, '/keshi/')]/@href",
        )
        out: dict[date, str] = {}
        for href in hrefs:
            url = self.page_link(href.get())
            day = SITE.day_of(url) if url else None
            if url and day is not None:
                out.setdefault(day, url)
        return list(out.items())


def _url_day(url: str) -> date | None:
    """The day in a question's URL (`/static/20170223/…` → 2017-02-23)."""
    m = re.search(r"/(\d{4})(\d{2})(\d{2})/", url)
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None
