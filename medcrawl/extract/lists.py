"""What each numbered list of an answer is: causes, treatment, checks, advice, or other.

Doctors' answers carry several lists — 可能的原因, 治疗方法, 需要做的检查, 注意事项 — and only
cause lists belong in `causes.jsonl`. A list's kind is read, in this order, from:

1. its lead — the clause before the list that names the list's items (`…神经受压、外伤等原因
   导致的`), else the last sentence before the list, else the bracketed heading it stands
   under (`【预防小贴士】`);
2. then the items' own headings (`药物治疗`, `免疫治疗` → treatment; `多喝水`, `避免…` → advice;
   disease names such as `带状疱疹`, `甲状腺功能亢进` → causes: the possible causes of what the
   patient has), by majority;
3. else `other`.

Within one clause several kinds may be named. The rules, each tested in tests/test_lists.py:
- causes and treatment together (`原因及治疗方法如下`) are decided by the items' headings, else
  causes: such lists give each cause with its treatment;
- otherwise the word nearest the list wins: `建议做以下检查` is checks, `治疗期间要注意：` advice.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from medcrawl.extract.medical import AnswerParts, ListItem, drugs_mentioned, split_answer

KINDS = ("causes", "treatment", "checks", "advice", "other")

#: The words that name each kind of list, in one place. A word is matched anywhere in a clause.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "causes": (
        "原因", "病因", "诱因", "引起", "导致", "所致", "造成", "引发", "因素", "可能是",
        "有关", "相关", "见于", "几种可能",
    ),
    "treatment": ("治疗", "用药", "药物", "手术", "疗法", "治法", "服用", "服药", "处理"),
    "checks": ("检查", "化验", "检测", "筛查", "验血", "B超", "彩超", "CT", "拍片", "复查"),
    "advice": (
        "注意", "建议", "预防", "饮食", "护理", "小贴士", "保健", "调理", "日常", "生活中",
        "生活上", "调整", "避免", "忌",
    ),
    # A lead that sorts the items into types or cases (`按病程分为：`, `要分情况来看：`).
    "other": ("分为", "分两种", "分情况", "分类", "类型"),
}  # fmt: skip
#: An item headed by a disease (`带状疱疹`, `甲状腺功能亢进`): a list of diseases is a list of
#: (possible) causes of what the patient has.
_DISEASE = re.compile(r"(病|症|炎|征|瘤|癌|疹|亢进|减退|感染|结石|溃疡|损伤|不全|失调|紊乱)$")
#: An item that opens with one of these is advice (`多喝水`, `避免辛辣`, `保持心情舒畅`).
ADVICE_OPENERS = ("多", "少", "避免", "保持", "注意", "戒", "忌", "不要", "适当", "定期", "规律")
#: The most lists read from one answer. Real answers hold a handful; each list is found by
#: reading the rest of the answer again, so without a bound an answer of thousands of short
#: lists costs the square of its length (1,000 lists: 25 s). Lists past it stay in the text.
MAX_LISTS = 20
_SENTENCE_END = re.compile(r"(?<=[。！!？?])")
_CLAUSE_SEP = re.compile(r"[，,；;：:。！!？?]")


@dataclass
class NumberedList:
    """One numbered list of an answer: its kind, the sentence that introduces it, its items."""

    kind: str
    lead: str | None
    items: list[ListItem] = field(default_factory=list)

    def as_record(self) -> dict:
        return {
            "kind": self.kind,
            "lead": self.lead,
            "items": [
                {
                    "position": item.position,
                    "name": item.name,
                    "text": item.text or None,
                    "drugs_mentioned": drugs_mentioned(item.text),
                }
                for item in self.items
            ],
        }


def answer_lists(split: AnswerParts) -> list[NumberedList]:
    """Every numbered list of an answer, in page order, each with its kind, from the answer's
    `split_answer` parts.

    The lists are those `split_answer` finds — the first list, then each further list in the
    text after it (at most MAX_LISTS), then the items under a bracketed tips heading — so the
    causes are the same items as ever, only now kept apart from the other kinds.
    """
    found: list[NumberedList] = []
    # Tips stand under a bracketed heading that runs to the end of the answer: last.
    tips = [ListItem(n, None, tip) for n, tip in enumerate(split.tips, 1)]
    tips_heading = split.tips_heading
    while split.items and len(found) < MAX_LISTS:
        lead, kind = lead_and_kind(split.summary or "", split.items)
        found.append(NumberedList(kind, lead, split.items))
        if not split.advice:
            break
        split = split_answer(split.advice.split("\n"))
    if tips:
        found.append(NumberedList("advice", tips_heading, tips))
    return found


def section_lists(summary_lines: list[str], advice_lines: list[str]) -> list[NumberedList]:
    """Every numbered list of an answer laid out in two labelled sections (an analysis, then
    guidance; see `medical.split_sections`), in page order: each section's lists, read with
    the section's own text as their lead."""
    return answer_lists(split_answer(summary_lines)) + answer_lists(split_answer(advice_lines))


def lead_and_kind(lead_text: str, items: list[ListItem]) -> tuple[str | None, str]:
    """The sentence that introduces a list and the list's kind (see the module doc)."""
    sentences = [  # a paragraph ends a sentence too (a section's label on its own line)
        s.strip() for line in lead_text.split("\n") for s in _SENTENCE_END.split(line) if s.strip()
    ]
    names = [item.name for item in items if item.name]
    by_items = kind_of_items(items)
    for sentence in reversed(sentences):  # the clause that names the items
        for clause in _CLAUSE_SEP.split(sentence):
            if sum(1 for name in names if name in clause) >= 2 and (
                kind := kind_of(clause, by_items)
            ):
                return sentence, kind
    lead = sentences[-1] if sentences else None
    if lead:
        for clause in reversed([c for c in _CLAUSE_SEP.split(lead) if c.strip()]):
            if kind := kind_of(clause, by_items):
                return lead, kind
    return lead, by_items or "other"


def kind_of(text: str, by_items: str | None = None) -> str | None:
    """The kind a clause names (None: it names none), by the rules of the module doc."""
    hits = {
        kind: max(text.rfind(word) for word in words)
        for kind, words in KIND_WORDS.items()
        if any(word in text for word in words)
    }
    if not hits:
        return None
    if {"causes", "treatment"} <= hits.keys():
        return by_items if by_items in ("causes", "treatment") else "causes"
    return max(hits, key=hits.__getitem__)


def kind_of_items(items: list[ListItem]) -> str | None:
    """The kind most of the items' headings name (an item opening with advice words counts as
    advice), or None when they name none."""
    votes: Counter[str] = Counter()
    for item in items:
        head = item.name or (item.text or "").split("\n", 1)[0][:12]
        if head.startswith(ADVICE_OPENERS):
            votes["advice"] += 1
        elif (kind := kind_of(head)) is not None:
            votes[kind] += 1
        elif item.name and _DISEASE.search(item.name):
            votes["causes"] += 1
    if not votes:
        return None
    (top, count), *rest = votes.most_common()
    return None if rest and rest[0][1] == count else top
