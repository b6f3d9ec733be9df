"""ask.39.net (39问医生) pages: every selector for the site lives here, and nothing else.

Selectors go sourced class names first ([SRC] in shared/site/ask39-markup.md), then text
anchors on the visible labels (疾病百科, 症状起因, 适用药品, 推荐医生) where the class names are
inferred or guessed, so a layout change is a one-file fix. The items are assembled from the
parts found here by the shared `medcrawl.extract.assemble`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cached_property

from parsel import Selector

from medcrawl.extract.assemble import (
    AnswerParts,
    DoctorParts,
    DrugParts,
    EncyclopediaParts,
    QuestionParts,
    follow_up,
)
from medcrawl.extract.dates import list_date
from medcrawl.extract.html import every, first, outermost_elements
from medcrawl.extract.medical import doctor_line, parse_count
from medcrawl.extract.notices import notice
from medcrawl.extract.text import clean_inline, drop_ui_word, split_label, strip_ui_suffix
from medcrawl.extract.xpaths import (
    Element,
    find,
    find_all,
    first_value,
    has_class,
    lines,
    shows,
    string,
    strings,
    tokens,
)
from medcrawl.sites.ask39.site import LIST_URL, SITE
from medcrawl.sites.page import ListEntry, Page, QuestionPage

# What makes a page a question page: the question block `div.ask_cont` (every generation),
# else — where the classes changed — these. The layout columns (cont_l) are on every page.
_QUESTION_MARKERS = (
    "/descendant::*[self::p or self::h1][contains(@class,'ask_tit')]",
    "/descendant::p[contains(@class,'sele_img')]",
    "/descendant::*[starts-with(normalize-space(text()),'医生回答')"
    " or starts-with(normalize-space(text()),'精选回答')]",
)

# Sidebar boxes by their heading's first words, and a query for headings that start with one.
_SIDE_LABELS = ("适用药品", "推荐医生")
_SIDE_LABELLED = (
    "/descendant::*["
    + " or ".join(f"starts-with(normalize-space(text()),'{w}')" for w in _SIDE_LABELS)
    + "]"
)

# Encyclopedia item labels → field names
_ENCYCLOPEDIA_LABELS = {
    "症状起因": "symptom_causes",
    "可能疾病": "possible_diseases",
    "常见检查": "common_checks",
    "就诊科室": "departments",
}


class Ask39QuestionPage(QuestionPage):
    """One ask.39.net question page. `problem()` says why it is not one; `parts()` finds it."""

    site = SITE

    # --- is this a question page at all? --------------------------------------------------

    def problem(self) -> str | None:
        """`challenge`, `empty`, `removed` or `not_question` when the page holds no question,
        else None."""
        if self.site.is_challenge_url(self.response.url):
            return "challenge"
        if not self.response.body.strip():
            return "empty"
        if self.native_id is None:
            return "not_question"
        # A title alone is no question: challenge, removed and error pages have one too, and
        # often the site's layout around a notice.
        if self.title_text and (
            self.question_block is not None or find(self.root, *_QUESTION_MARKERS) is not None
        ):
            return None
        return notice(self.sel) or "not_question"

    # --- blocks ---------------------------------------------------------------------------

    @cached_property
    def _layout(self) -> list[Element]:
        """The layout blocks — both columns and the breadcrumb — in one pass over the page."""
        return find_all(
            self.root,
            "/descendant::div[contains(@class,'cont_l') or contains(@class,'cont_r') or @id='sub']",
        )

    def _column(self, name: str) -> Element:
        """The first layout `div` whose class contains `name`, else the whole page."""
        return next((d for d in self._layout if name in (d.get("class") or "")), self.root)

    @cached_property
    def main(self) -> Element:
        return self._column("cont_l")

    @cached_property
    def question_block(self) -> Element | None:
        return find(self.main, "descendant::div[contains(@class,'ask_cont')]")

    @cached_property
    def ask(self) -> Element:
        return self.main if self.question_block is None else self.question_block

    @cached_property
    def side(self) -> Element:
        return self._column("cont_r")

    @cached_property
    def title_text(self) -> str | None:
        node = find(
            self.ask,
            "descendant::*[self::h1 or self::p][contains(@class,'ask_tit')]",
            "//h1",
            "/descendant::span[@class='sub_here']",
        )
        title = "" if node is None else clean_inline(" ".join(strings(node, ".//text()")))
        if not title:  # `<title>` without the site suffix
            raw = string(self.root, "string(//title)")
            title = clean_inline(re.split(r"_39(?:问医生|健康网)", raw)[0])
        return title or None

    @cached_property
    def answer_blocks(self) -> list[Element]:
        return outermost_elements(
            find_all(
                self.main,
                f"descendant::div[contains(@class,'selected')]/descendant::div[{has_class('sele_all')}]",
                f"descendant::div[{has_class('sele_all')}]",
                "descendant::div[p[contains(@class,'sele_txt')]]",
            )
        )

    @cached_property
    def encyclopedia_box(self) -> Element | None:
        box = find(
            self.main,
            "descendant::div[contains(@class,'sys-box')]",
            "descendant::li[starts-with(normalize-space(.),'症状起因')]/ancestor::div[1]",
        )
        if box is None and shows(self.response.text, "疾病百科"):
            box = find(
                self.root,
                "/descendant::*[normalize-space(text())='疾病百科']/ancestor::div[descendant::li][1]",
            )
        return box

    @cached_property
    def side_boxes(self) -> dict[str, Element]:
        """Right-column boxes by the first word of their heading (`适用药品`, `推荐医生` …):
        the nearest of the heading's three closest `div` ancestors that holds a list."""
        boxes: dict[str, Element] = {}
        for heading in find_all(self.side, "descendant::*[self::h3 or self::h2 or self::h4]"):
            label = clean_inline(string(heading))
            box = find(heading, "ancestor::div[position() <= 3][descendant::li][1]")
            if label and box is not None:
                boxes.setdefault(label, box)
        return boxes

    def _side_box(self, label: str) -> Element | None:
        """The sidebar box headed `label`; by its heading text anywhere if the columns moved."""
        box = next((b for text, b in self.side_boxes.items() if text.startswith(label)), None)
        return box if box is not None else self._labelled_boxes.get(label)

    @cached_property
    def _labelled_boxes(self) -> dict[str, Element]:
        """`适用药品` and `推荐医生` boxes found by an element whose text starts with the label
        (the nearest ancestor `div` holding a list). One pass tells which labels the page
        shows at all — most pages without the boxes show neither."""
        if not shows(self.response.text, *_SIDE_LABELS):
            return {}
        shown = {
            word
            for el in find_all(self.root, _SIDE_LABELLED)
            for word in _SIDE_LABELS
            if string(el, "normalize-space(text())").startswith(word)
        }
        boxes = {
            word: find(
                self.root,
                f"/descendant::*[starts-with(normalize-space(text()),'{word}')]"
                "/ancestor::div[descendant::li][1]",
            )
            for word in shown
        }
        return {word: box for word, box in boxes.items() if box is not None}

    # --- parts ----------------------------------------------------------------------------

    def parts(self) -> QuestionParts:
        sex, age, onset = self._patient()
        asked = string(self.ask, "string(descendant::p[contains(@class,'txt_nametime')]/span[2])")
        heading = string(self.main, "string(descendant::p[contains(@class,'sele_img')])")
        return QuestionParts(
            title=self.title_text,
            question=self._question_text(),
            patient_sex=sex,
            patient_age=age,
            patient_onset=onset,
            category_path=self._category_path(),
            tags=strings(
                self.ask,
                "descendant::p[contains(@class,'txt_label')]/span[not(@style)]/descendant::a/descendant::text()",
            ),
            asked_at=asked,
            answer_count=parse_count(heading),
            answers=[self.answer(block) for block in self.answer_blocks],
            encyclopedia=self.encyclopedia(),
            drugs=list(self.drugs()),
            recommended_doctors=list(self.recommended_doctors()),
        )

    def _question_text(self) -> list[str]:
        body = find_all(
            self.ask,
            "descendant::div[contains(@class,'ask_hid')]/descendant::p[contains(@class,'txt_ms') "
            "or contains(@class,'txt_bc')]",
        )
        return [line for p in body for line in lines(p)]

    def _patient(self) -> tuple[list[str], list[str], list[str]]:
        """Sex (`男`), age (`30岁`) and onset (`发病时间：…`) spans, as shown."""
        sex, age, onset = [], [], []
        for span in find_all(self.ask, "descendant::p[contains(@class,'mation')]/span"):
            text = clean_inline(string(span))
            label, value = split_label(text)
            if text in ("男", "女"):
                sex.append(text)
            elif text.endswith("岁"):
                age.append(text)
            elif label == "发病时间" and value:
                onset.append(value)
        return sex, age, onset

    def _category_path(self) -> list[str]:
        spans = [s for d in self._layout if d.get("id") == "sub" for s in d if s.tag == "span"]
        spans = spans or find_all(
            self.root, "(//div[contains(concat(' ',@class,' '),' sub ')])[1]/span"
        )
        crumbs = [clean_inline(string(s)) for s in spans]
        crumbs = [c for c in crumbs if c]
        if crumbs and crumbs[0] == "首页":
            crumbs = crumbs[1:]
        if crumbs and crumbs[-1] == self.title_text:
            crumbs = crumbs[:-1]
        return crumbs

    def answer(self, block: Element) -> AnswerParts:
        return AnswerParts(
            lines=[
                line
                for p in find_all(block, "descendant::p[contains(@class,'sele_txt')]")
                for line in lines(p)
            ],
            doctor=self.answering_doctor(block),
            answered_at=string(block, "string(descendant::p[contains(@class,'doc_time')])"),
            follow_ups=self._follow_ups(block),
        )

    def _follow_ups(self, block: Element) -> list[dict[str, str | None]]:
        out = []
        for zw in find_all(block, f"descendant::div[{has_class('doc_zw')}]"):
            spans = [clean_inline(string(s)) for s in find_all(zw, "./span")]
            if (one := follow_up(spans)) is not None:
                out.append(one)
        return out

    def answering_doctor(self, block: Element) -> DoctorParts | None:
        card = find(block, "descendant::div[contains(@class,'doctor_all')]")
        if card is None:
            return None
        name_tokens = tokens(find(card, "descendant::span[contains(@class,'doc_name')]"))
        if not name_tokens:
            return None
        name, roles = doctor_line(
            name_tokens
            + [
                token
                for span in find_all(card, "descendant::span[contains(@class,'doc_yshi')]")
                for token in tokens(span)
            ]
        )
        if not name:
            return None
        return DoctorParts(
            name=name,
            roles=roles,
            profile_url=self.link(
                first_value(card, "descendant::div[contains(@class,'doc_img')]/descendant::a/@href")
            ),
            specialties=strings(
                card, "descendant::p[contains(@class,'doc_sc')]/descendant::text()"
            ),
        )

    def encyclopedia(self) -> EncyclopediaParts | None:
        box = self.encyclopedia_box
        if box is None:
            return None
        name = clean_inline(string(box, "string(.//*[self::h4 or self::h2 or self::strong][1])"))
        if not name or name == "疾病百科":
            return None
        fields: list[tuple[str, list[str] | str]] = []
        for li in find_all(box, ".//li"):
            label, value = split_label(clean_inline(string(li)))
            field = _ENCYCLOPEDIA_LABELS.get(label or "")
            if field is None:
                continue
            links = strings(li, ".//a//text()")
            fields.append((field, links if links and field != "symptom_causes" else value))
        return EncyclopediaParts(
            name=name,
            summary=[t for p in find_all(box, "./p") for t in lines(p)],
            fields=fields,
        )

    def drugs(self) -> Iterator[DrugParts]:
        box = self._side_box("适用药品")
        for li in [] if box is None else find_all(box, ".//li"):
            name = clean_inline(string(li, "string(.//a[1])"))
            if not name:
                continue
            yield DrugParts(
                name=name,
                indication=[t for p in find_all(li, ".//p") for t in lines(p)],
                url=self.link(first_value(li, ".//a[1]/@href")),
            )

    def recommended_doctors(self) -> Iterator[DoctorParts]:
        box = self._side_box("推荐医生")
        for li in [] if box is None else find_all(box, ".//li"):
            name, roles = doctor_line(
                [t for t in map(strip_ui_suffix, tokens(li)) if drop_ui_word(t)]
            )
            if not name:
                continue
            yield DoctorParts(
                name=name,
                roles=roles,
                profile_url=self.link(
                    first_value(li, "descendant::a[contains(@href,'my.39.net')]/@href")
                ),
            )


# --- discovery: the category index, list pages, related questions ------------------------
# Not the question's items: these parts only find question pages and bound a crawl.


class Ask39RelatedBox(Page):
    """A question page's related box (`其他人还在看`): links to other question pages."""

    site = SITE

    def question_urls(self) -> list[str]:
        hrefs = self.response.xpath("//div[contains(@class,'relevant_ask')]//a/@href").getall()
        urls = (self.page_link(h) for h in hrefs)
        return list(dict.fromkeys(u for u in urls if u and SITE.is_question_url(u)))


class Ask39ListPage(Page):
    """A category list page (`news/<classid>-<page>.html`): its questions, each with the date
    the list shows (or None), and the next page."""

    site = SITE

    def entries(self) -> list[ListEntry]:
        """Questions in list order (newest first on the site); dates from the item's own text."""
        rows = self.response.xpath("//ul[contains(@class,'list_ask')]/li")
        out: dict[str, ListEntry] = {}
        for li in rows:
            href = first(
                li,
                ".//p[contains(@class,'p1')]/a/@href",
                ".//a[contains(@href,'/question/')]/@href",
            )
            url = None if href is None else self.page_link(href.get())
            if url and SITE.is_question_url(url) and url not in out:
                out[url] = ListEntry(url, self._posted(li))
        if not rows:  # unknown layout: any question link, undated
            for href in self.response.xpath("//a[contains(@href,'/question/')]/@href").getall():
                url = self.page_link(href)
                if url and SITE.is_question_url(url):
                    out.setdefault(url, ListEntry(url, None))
        return list(out.values())

    def _posted(self, li: Selector) -> date | None:
        return list_date(
            [clean_inline(t) for t in li.xpath(".//text()[not(ancestor::a)]").getall()], self.now
        )

    def last_page(self) -> int | None:
        """The highest page number the pager links (`span.pgleft a`, e.g. 尾页 → `…-57.html`)."""
        numbers = [
            int(m.group(2))
            for href in self.response.xpath("//span[contains(@class,'pages')]//a/@href").getall()
            if (m := LIST_URL.match(self.page_link(href) or ""))
        ]
        return max(numbers, default=None)

    def next_url(self) -> str | None:
        """The next list page: the pager's `下一页` link, else page + 1 while the pager shows
        a higher last page."""
        href = (
            self.response.xpath(
                "//span[contains(@class,'pages')]//a[contains(@class,'next')]/@href"
            ).get()
            or self.response.xpath("//a[normalize-space(.)='下一页']/@href").get()
        )
        if href:
            return self.page_link(href)
        m = LIST_URL.match(self.response.url)
        last = self.last_page()
        if m and last and int(m.group(2)) < last:
            return SITE.category_url(m.group(1), int(m.group(2)) + 1)
        return None


class Ask39IndexPage(Page):
    """The category index (`browse/jibing.html`): links to category list pages."""

    site = SITE

    def list_urls(self) -> list[str]:
        hrefs = every(
            self.response.selector,
            "//li[contains(@class,'sublink')]//a/@href",
            "//a[contains(@href,'/news/')]/@href",
        )
        urls = (self.page_link(h.get()) for h in hrefs)
        return list(dict.fromkeys(u for u in urls if u and LIST_URL.match(u)))
