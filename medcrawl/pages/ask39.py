"""ask.39.net (39问医生) question page → items. Every selector for the site lives here.

Selectors go sourced class names first ([SRC] in shared/site/ask39-markup.md), then text
anchors on the visible labels (疾病百科, 症状起因, 适用药品, 推荐医生) where the class names are
inferred or guessed, so a layout change is a one-file fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import cached_property

from parsel import Selector
from scrapy.http import TextResponse

from medcrawl import items
from medcrawl.dates import parse_date
from medcrawl.html import every, first, text_lines
from medcrawl.ids import doctor_id, named_id
from medcrawl.loaders import (
    AnswerLoader,
    CauseLoader,
    DoctorLoader,
    DrugLoader,
    EncyclopediaLoader,
    QuestionLoader,
)
from medcrawl.pages.base import ListEntry, QuestionPage
from medcrawl.text import (
    DoctorTokens,
    classify_doctor_tokens,
    clean_inline,
    drugs_mentioned,
    parse_count,
    split_answer,
    split_label,
    strip_ui_suffix,
    title_rank,
)

SITE = "ask39"
QUESTION_URL = re.compile(r"^https?://(?:ask|wapask)\.39\.net/question/(\d+)\.html", re.I)
_CHALLENGE_URL = re.compile(r"//image\.39\.net/verify\.html|/verify\.html\?", re.I)
_CHALLENGE_TEXT = re.compile(r"安全验证|人机验证|访问验证|请输入验证码|拖动滑块")
# What makes a page a question page: the question block `div.ask_cont` (every generation),
# else — where the classes changed — these. The layout columns (cont_l) are on every page.
_QUESTION_MARKERS = (
    "//*[self::p or self::h1][contains(@class,'ask_tit')]",
    "//p[contains(@class,'sele_img')]",
    "//*[starts-with(normalize-space(text()),'医生回答') or starts-with(normalize-space(text()),"
    "'精选回答')]",
)
_VISIBLE_TEXT = (
    "(//title//text() | //body//text()[not(ancestor::script or ancestor::style)])"
    "[position() <= 200]"
)
_REMOVED_TEXT = re.compile(r"问题不存在|已被删除|已删除|已被屏蔽|页面不存在|找不到该问题|审核中")
# A follow-up's label (`追问：`, `医生回复：`, `回答：`) → who wrote it; first matching word wins.
_ROLE_WORDS = (
    ("追问", "patient"),
    ("患者", "patient"),
    ("回复", "doctor"),
    ("回答", "doctor"),
    ("医生", "doctor"),
    ("医师", "doctor"),
    ("问", "patient"),
    ("答", "doctor"),
)
MAX_LABEL_CHARS = 8

# Encyclopedia item labels → field names
_ENCYCLOPEDIA_LABELS = {
    "症状起因": "symptom_causes",
    "可能疾病": "possible_diseases",
    "常见检查": "common_checks",
    "就诊科室": "departments",
}


def _follow_up_role(label: str) -> str | None:
    """`追问：` → `patient`; `医生回复：`, `回答` → `doctor`; not a label → None."""
    label = label.rstrip(":：")
    if len(label) > MAX_LABEL_CHARS:
        return None
    return next((role for word, role in _ROLE_WORDS if word in label), None)


def question_native_id(url: str) -> str | None:
    """`https://ask.39.net/question/123.html` → `123` (the wapask twin too)."""
    m = QUESTION_URL.match(url)
    return m.group(1) if m else None


class Ask39QuestionPage(QuestionPage):
    """One ask.39.net question page. `problem()` says why it is not one; `items()` splits it."""

    site = SITE

    def __init__(self, response: TextResponse, now: datetime) -> None:
        super().__init__(response, now)
        self.sel: Selector = response.selector
        self.native_id = question_native_id(response.url)
        self.question_id = f"{SITE}:{self.native_id}"

    # --- is this a question page at all? --------------------------------------------------

    @classmethod
    def is_challenge_url(cls, url: str) -> bool:
        return _CHALLENGE_URL.search(url) is not None

    def problem(self) -> str | None:
        """`challenge`, `empty`, `removed` or `not_question` when the page holds no question,
        else None."""
        if self.is_challenge_url(self.response.url):
            return "challenge"
        if not self.response.body.strip():
            return "empty"
        if self.native_id is None:
            return "not_question"
        # A title alone is no question: challenge, removed and error pages have one too, and
        # often the site's layout around a notice.
        if self.title_text and (
            self.question_block is not None or first(self.sel, *_QUESTION_MARKERS) is not None
        ):
            return None
        head = " ".join(self.sel.xpath(_VISIBLE_TEXT).getall()).strip()
        if not head:
            return "empty"
        if _CHALLENGE_TEXT.search(head):
            return "challenge"
        if _REMOVED_TEXT.search(head):
            return "removed"
        return "not_question"

    # --- blocks ---------------------------------------------------------------------------

    @cached_property
    def main(self) -> Selector:
        return first(self.sel, "//div[contains(@class,'cont_l')]", default=self.sel)

    @cached_property
    def question_block(self) -> Selector | None:
        return first(self.main, ".//div[contains(@class,'ask_cont')]")

    @cached_property
    def ask(self) -> Selector:
        return self.main if self.question_block is None else self.question_block

    @cached_property
    def side(self) -> Selector:
        return first(self.sel, "//div[contains(@class,'cont_r')]", default=self.sel)

    @cached_property
    def title_text(self) -> str | None:
        node = first(
            self.ask,
            ".//*[self::h1 or self::p][contains(@class,'ask_tit')]",
            "//h1",
            "//span[@class='sub_here']",
        )
        title = "" if node is None else clean_inline(" ".join(node.xpath(".//text()").getall()))
        if not title:  # `<title>` without the site suffix
            raw = self.sel.xpath("string(//title)").get() or ""
            title = clean_inline(re.split(r"_39(?:问医生|健康网)", raw)[0])
        return title or None

    @cached_property
    def answer_blocks(self) -> list[Selector]:
        return every(
            self.main,
            ".//div[contains(@class,'selected')]"
            "//div[contains(concat(' ',@class,' '),' sele_all ')]",
            ".//div[contains(concat(' ',@class,' '),' sele_all ')]",
            ".//div[p[contains(@class,'sele_txt')]]",
        )

    @cached_property
    def encyclopedia_box(self) -> Selector | None:
        return first(
            self.main,
            ".//div[contains(@class,'sys-box')]",
            ".//li[starts-with(normalize-space(.),'症状起因')]/ancestor::div[1]",
            "//*[normalize-space(text())='疾病百科']/ancestor::div[.//li][1]",
        )

    @cached_property
    def side_boxes(self) -> dict[str, Selector]:
        """Right-column boxes by the first word of their heading (`适用药品`, `推荐医生` …):
        the nearest of the heading's three closest `div` ancestors that holds a list."""
        boxes: dict[str, Selector] = {}
        for heading in self.side.xpath(".//*[self::h3 or self::h2 or self::h4]"):
            label = clean_inline(heading.xpath("string()").get())
            box = heading.xpath("ancestor::div[position() <= 3][.//li][1]")
            if label and box:
                boxes.setdefault(label, box[0])
        return boxes

    def _side_box(self, label: str) -> Selector | None:
        """The sidebar box headed `label`; by its heading text anywhere if the columns moved."""
        box = next((b for text, b in self.side_boxes.items() if text.startswith(label)), None)
        return (
            box
            if box is not None
            else first(
                self.sel,
                f"//*[starts-with(normalize-space(text()),'{label}')]/ancestor::div[.//li][1]",
            )
        )

    # --- items ----------------------------------------------------------------------------

    def items(self) -> Iterator[object]:
        """Question first, then the things it links to by id."""
        encyclopedia = self.encyclopedia()
        drugs = list(self.drugs())
        recommended = list(self.recommended_doctors())
        answers = [self.answer(block, pos) for pos, block in enumerate(self.answer_blocks, 1)]
        yield self.question(
            encyclopedia_id=encyclopedia.id if encyclopedia else None,
            drug_ids=[d.id for d in drugs],
            doctor_ids=[d.id for d in recommended],
            answers_found=len(answers),
        )
        for answer, doctor, causes in answers:
            if doctor:
                yield doctor
            yield answer
            yield from causes
        if encyclopedia:
            yield encyclopedia
        yield from drugs
        yield from recommended

    def question(
        self,
        *,
        encyclopedia_id: str | None,
        drug_ids: list[str],
        doctor_ids: list[str],
        answers_found: int,
    ) -> items.Question:
        loader = QuestionLoader(selector=self.ask, now=self.now)
        loader.add_value("id", self.question_id)
        loader.add_value("site", SITE)
        loader.add_value("url", canonical_url(self.response.url))  # fetched as ?from=x, say
        loader.add_value("title", self.title_text)
        loader.add_value("question", self._question_text())
        self._add_patient(loader)
        loader.add_value("category_path", self._category_path())
        loader.add_xpath("tags", ".//p[contains(@class,'txt_label')]/span[not(@style)]//a//text()")
        asked = self.ask.xpath("string(.//p[contains(@class,'txt_nametime')]/span[2])").get()
        loader.add_value("asked_at_raw", asked)
        loader.add_value("asked_at", asked)
        heading = self.main.xpath("string(.//p[contains(@class,'sele_img')])").get()
        count = parse_count(heading)
        loader.add_value("answer_count", answers_found if count is None else count)
        loader.add_value("encyclopedia_id", encyclopedia_id)
        loader.add_value("drug_ids", drug_ids)
        loader.add_value("recommended_doctor_ids", doctor_ids)
        loader.add_value("crawled_at", self.now.isoformat())
        return loader.load_item()

    def _question_text(self) -> list[str]:
        body = self.ask.xpath(
            ".//div[contains(@class,'ask_hid')]//p[contains(@class,'txt_ms') "
            "or contains(@class,'txt_bc')]"
        )
        return [line for p in body for line in text_lines(p)]

    def _add_patient(self, loader: QuestionLoader) -> None:
        for span in self.ask.xpath(".//p[contains(@class,'mation')]/span"):
            text = clean_inline(span.xpath("string()").get())
            label, value = split_label(text)
            if text in ("男", "女"):
                loader.add_value("patient_sex", text)
            elif text.endswith("岁"):
                loader.add_value("patient_age", text)
            elif label == "发病时间":
                loader.add_value("patient_onset", value or None)

    def _category_path(self) -> list[str]:
        crumbs = [
            clean_inline(s.xpath("string()").get())
            for s in every(
                self.sel,
                "//div[@id='sub']/span",
                "(//div[contains(concat(' ',@class,' '),' sub ')])[1]/span",
            )
        ]
        crumbs = [c for c in crumbs if c]
        if crumbs and crumbs[0] == "首页":
            crumbs = crumbs[1:]
        if crumbs and crumbs[-1] == self.title_text:
            crumbs = crumbs[:-1]
        return crumbs

    def answer(
        self, block: Selector, position: int
    ) -> tuple[items.Answer, items.Doctor | None, list[items.Cause]]:
        doctor = self.answering_doctor(block)
        answer_id = f"{self.question_id}/a{position}"
        paragraphs = [
            line for p in block.xpath(".//p[contains(@class,'sele_txt')]") for line in text_lines(p)
        ]
        parts = split_answer(paragraphs)
        loader = AnswerLoader(selector=block, now=self.now)
        loader.add_value("id", answer_id)
        loader.add_value("question_id", self.question_id)
        loader.add_value("position", position)
        loader.add_value("doctor_id", doctor.id if doctor else None)
        loader.add_value("text", paragraphs)
        loader.add_value("summary", parts.summary)
        loader.add_value("advice", parts.advice)
        loader.add_value("tips", parts.tips)
        loader.add_value("follow_ups", self._follow_ups(block))
        answered = block.xpath("string(.//p[contains(@class,'doc_time')])").get()
        loader.add_value("answered_at_raw", answered)
        loader.add_value("answered_at", answered)
        causes = []
        for item in parts.items:
            cause = CauseLoader(now=self.now)
            cause.add_value("id", f"{answer_id}/c{item.position}")
            cause.add_value("answer_id", answer_id)
            cause.add_value("question_id", self.question_id)
            cause.add_value("position", item.position)
            cause.add_value("name", item.name)
            cause.add_value("text", item.text)
            cause.add_value("drugs_mentioned", drugs_mentioned(item.text))
            causes.append(cause.load_item())
        return loader.load_item(), doctor, causes

    def _follow_ups(self, block: Selector) -> list[dict[str, str]]:
        out = []
        follow_ups = ".//div[contains(concat(' ',@class,' '),' doc_zw ')]"
        for zw in block.xpath(follow_ups):
            spans = [clean_inline(s.xpath("string()").get()) for s in zw.xpath("./span")]
            spans = [s for s in spans if s]
            if not spans:
                continue
            if len(spans) == 1:  # `追问：…` in one span
                label, rest = split_label(spans[0])
                spans = [label, rest] if label and rest else spans
            role = _follow_up_role(spans[0]) if len(spans) > 1 else None
            text = "\n".join(spans[1:] if role else spans)
            out.append({"role": role, "text": text})
        return out

    def answering_doctor(self, block: Selector) -> items.Doctor | None:
        card = first(block, ".//div[contains(@class,'doctor_all')]")
        if card is None:
            return None
        name = clean_inline(card.xpath("string(.//span[contains(@class,'doc_name')])").get())
        if not name:
            return None
        tokens = [
            clean_inline(t)
            for t in card.xpath(".//span[contains(@class,'doc_yshi')]//text()").getall()
        ]
        roles = classify_doctor_tokens([t for t in tokens if t])
        profile = card.xpath(".//div[contains(@class,'doc_img')]//a/@href").get()
        loader = self._doctor_loader(card, name, roles, profile)
        loader.add_xpath("specialties", ".//p[contains(@class,'doc_sc')]//text()")
        return loader.load_item()

    def _doctor_loader(
        self, sel: Selector, name: str, roles: DoctorTokens, href: str | None
    ) -> DoctorLoader:
        """A doctor's loader filled from the name, the classified line and the profile link."""
        profile_url = self.link(href)
        loader = DoctorLoader(selector=sel, now=self.now)
        loader.add_value("id", doctor_id(SITE, profile_url, name, roles.hospital))
        loader.add_value("name", name)
        loader.add_value("title", roles.title)
        loader.add_value("title_rank", title_rank(roles.title))
        loader.add_value("hospital", roles.hospital)
        loader.add_value("hospital_grade", roles.grade)
        loader.add_value("profile_url", profile_url)
        return loader

    def encyclopedia(self) -> items.Encyclopedia | None:
        box = self.encyclopedia_box
        if box is None:
            return None
        name = clean_inline(
            box.xpath("string(.//*[self::h4 or self::h2 or self::strong][1])").get()
        )
        if not name or name == "疾病百科":
            return None
        loader = EncyclopediaLoader(selector=box, now=self.now)
        loader.add_value("id", named_id(SITE, "disease", name))
        loader.add_value("name", name)
        loader.add_value("summary", [t for p in box.xpath("./p") for t in text_lines(p)])
        for li in box.xpath(".//li"):
            label, value = split_label(clean_inline(li.xpath("string()").get()))
            field = _ENCYCLOPEDIA_LABELS.get(label or "")
            if field is None:
                continue
            links = li.xpath(".//a//text()").getall()
            loader.add_value(field, links if links and field != "symptom_causes" else value)
        return loader.load_item()

    def drugs(self) -> Iterator[items.Drug]:
        box = self._side_box("适用药品")
        for li in [] if box is None else box.xpath(".//li"):
            name = clean_inline(li.xpath("string(.//a[1])").get())
            if not name:
                continue
            href = li.xpath(".//a[1]/@href").get()
            loader = DrugLoader(selector=li, now=self.now)
            loader.add_value("id", named_id(SITE, "drug", name))
            loader.add_value("name", name)
            loader.add_value("indication", [t for p in li.xpath(".//p") for t in text_lines(p)])
            loader.add_value("url", self.link(href))
            yield loader.load_item()

    def recommended_doctors(self) -> Iterator[items.Doctor]:
        box = self._side_box("推荐医生")
        for li in [] if box is None else box.xpath(".//li"):
            tokens = [strip_ui_suffix(t) for t in text_lines(li)]
            tokens = [t for line in tokens for t in line.split(" ") if t and t != "提问"]
            if not tokens:
                continue
            name, roles = tokens[0], classify_doctor_tokens(tokens[1:])
            href = li.xpath(".//a[contains(@href,'my.39.net')]/@href").get()
            yield self._doctor_loader(li, name, roles, href).load_item()


# --- discovery: URLs, the category index, list pages, related questions -----------------
# Not the question page: these parts only find question pages and bound a crawl.

ORIGIN = "https://ask.39.net"
LIST_URL = re.compile(r"^https?://ask\.39\.net/news/(\d+)-(\d+)\.html", re.I)
INDEX_URL = re.compile(r"^https?://ask\.39\.net/browse/[\w-]+\.html", re.I)
# A list item's date as lists show it: `2024-02-24`, `2024/2/24 10:20`, `02-24`, `3天前`.
_LIST_DATE = re.compile(
    r"^(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
    r"|^\d+\s*(?:分钟|小时|天)前$|^(?:今天|昨天|刚刚)"
)


def question_url(native_id: str | int) -> str:
    """The one URL of a question: `question_url(123)` → `https://ask.39.net/question/123.html`."""
    return f"{ORIGIN}/question/{int(native_id)}.html"


def list_url(class_id: str | int, page: int = 1) -> str:
    """A category list page: `list_url(3166, 2)` → `https://ask.39.net/news/3166-2.html`."""
    return f"{ORIGIN}/news/{int(class_id)}-{int(page)}.html"


def canonical_url(url: str) -> str:
    """One form per page, so a page is fetched once: question and list pages become
    `https://ask.39.net/…` whatever their scheme, host twin (`wapask.`), query string or
    fragment; any other URL only loses its fragment."""
    if m := QUESTION_URL.match(url):
        return question_url(m.group(1))
    if m := LIST_URL.match(url):
        return list_url(m.group(1), int(m.group(2)))
    return url.split("#", 1)[0]


def list_class_id(url: str) -> str | None:
    """`…/news/3166-2.html` → `3166`: the category of a list page."""
    m = LIST_URL.match(url)
    return str(int(m.group(1))) if m else None


def related_question_urls(response: TextResponse) -> list[str]:
    """Question pages linked from a question page's related box (`其他人还在看`)."""
    hrefs = response.xpath("//div[contains(@class,'relevant_ask')]//a/@href").getall()
    urls = (canonical_url(response.urljoin(h)) for h in hrefs)
    return list(dict.fromkeys(u for u in urls if QUESTION_URL.match(u)))


class Ask39ListPage:
    """A category list page (`news/<classid>-<page>.html`): its questions, each with the date
    the list shows (or None), and the next page."""

    def __init__(self, response: TextResponse, now: datetime | None = None) -> None:
        self.response = response
        self.now = now or datetime.now().astimezone()

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
            url = "" if href is None else canonical_url(self.response.urljoin(href.get()))
            if QUESTION_URL.match(url) and url not in out:
                out[url] = ListEntry(url, self._posted(li))
        if not rows:  # unknown layout: any question link, undated
            for href in self.response.xpath("//a[contains(@href,'/question/')]/@href").getall():
                url = canonical_url(self.response.urljoin(href))
                if QUESTION_URL.match(url):
                    out.setdefault(url, ListEntry(url, None))
        return list(out.values())

    def _posted(self, li: Selector) -> date | None:
        for text in li.xpath(".//text()[not(ancestor::a)]").getall():
            text = clean_inline(text)
            if text and _LIST_DATE.match(text):
                iso = parse_date(text, self.now)
                if iso:
                    return date.fromisoformat(iso[:10])
        return None

    def last_page(self) -> int | None:
        """The highest page number the pager links (`span.pgleft a`, e.g. 尾页 → `…-57.html`)."""
        numbers = [
            int(m.group(2))
            for href in self.response.xpath("//span[contains(@class,'pages')]//a/@href").getall()
            if (m := LIST_URL.match(self.response.urljoin(href)))
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
            return canonical_url(self.response.urljoin(href))
        m = LIST_URL.match(self.response.url)
        last = self.last_page()
        if m and last and int(m.group(2)) < last:
            return list_url(m.group(1), int(m.group(2)) + 1)
        return None


class Ask39IndexPage:
    """The category index (`browse/jibing.html`): links to category list pages."""

    def __init__(self, response: TextResponse) -> None:
        self.response = response

    def list_urls(self) -> list[str]:
        hrefs = every(
            self.response.selector,
            "//li[contains(@class,'sublink')]//a/@href",
            "//a[contains(@href,'/news/')]/@href",
        )
        urls = (canonical_url(self.response.urljoin(h.get())) for h in hrefs)
        return list(dict.fromkeys(u for u in urls if LIST_URL.match(u)))
