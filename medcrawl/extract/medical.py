"""The medical-text parts of extraction: numbered lists (causes, tips), drug mentions, doctor
tokens and title ranks, ages and counts.

Everything here works on the *patterns* of Chinese medical Q&A text (numbering styles,
labels, bracketed headings), never on strings of one page or one site.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

# --- numbered lists -----------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# One pattern per numbering style; each captures the number and the rest of the line.
_MARKERS: dict[str, re.Pattern[str]] = {
    "paren": re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*(.*)$", re.S),
    "digit": re.compile(r"^(\d{1,2})\s*(?:[.．、]|[)）](?!\d))(?!\d)\s*(.*)$", re.S),
    "circled": re.compile(rf"^([{_CIRCLED}])\s*(.*)$", re.S),
    "cn": re.compile(rf"^([{_CN_NUM}]{{1,3}})\s*[、.．]\s*(.*)$", re.S),
    "cn_ordinal": re.compile(rf"^第([{_CN_NUM}]{{1,3}})\s*[，,、：:]\s*(.*)$", re.S),
    "cn_paren": re.compile(rf"^[（(]([{_CN_NUM}]{{1,3}})[）)]\s*(.*)$", re.S),
}


#: The first character of every marker but the digit style's (`\d` is `str.isdecimal`).
_MARKER_STARTS = frozenset("（(第" + _CIRCLED + _CN_NUM)


def _cn_to_int(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_NUM.index(s[1]) + 1
    if len(s) == 1:
        return _CN_NUM.index(s) + 1
    tens = _CN_NUM.index(s[0]) + 1
    ones = _CN_NUM.index(s[2]) + 1 if len(s) == 3 else 0
    return tens * 10 + ones


def list_marker(line: str) -> tuple[str, int, str] | None:
    """(style, number, rest) when `line` starts with a list marker, else None.

    Styles: `1.` `1、` `1．` `1)` (digit), `（1）` `(1)` (paren), `①` (circled),
    `一、` (cn), `第一，` (cn_ordinal), `（一）` (cn_paren).
    """
    if not line or not (line[0].isdecimal() or line[0] in _MARKER_STARTS):
        return None  # most lines: no pattern can match, so none is tried
    for style, pattern in _MARKERS.items():
        m = pattern.match(line)
        if m:
            num, rest = m.groups()
            if style in ("paren", "digit"):
                n = int(num)
            elif style == "circled":
                n = _CIRCLED.index(num) + 1
            else:
                n = _cn_to_int(num)
            return style, n, rest.strip()
    return None


# A marker inside a paragraph, after a sentence or clause boundary: "原因有：1.神经受压；2.…"
_INLINE_MARKER = re.compile(
    rf"(?:(?<=[。；;：:！!？?])|(?<=[。；;：:！!？?]\s))"
    rf"(?=\d{{1,2}}(?:[.．、](?!\d))|[（(]\d{{1,2}}[）)]|[{_CIRCLED}])"
)


def split_inline_lists(lines: list[str]) -> list[str]:
    """Break paragraphs that carry a whole numbered list (`…：1.xx；2.yy。`) into lines.

    A paragraph is only split when the markers found in it count up from 1 without a gap,
    so numbers that are doses or dates (`0.5mg`, `2.5cm`) stay where they are.
    """
    out: list[str] = []
    for line in lines:
        pieces = _INLINE_MARKER.split(line)
        if len(pieces) > 2 and _counts_from_one(pieces[1:]):
            out.extend(p.strip().rstrip("；;，,") for p in pieces if p.strip())
        else:
            out.append(line)
    return out


def _counts_from_one(pieces: list[str]) -> bool:
    markers = [list_marker(p) for p in pieces]
    if any(m is None for m in markers):
        return False
    return [m[1] for m in markers] == list(range(1, len(markers) + 1))  # type: ignore[index]


_BRACKET_HEADING = re.compile(r"^[【\[]([^】\]]{1,30})[】\]]\s*(.*)$", re.S)

#: A closing paragraph starts with one of these: advice, not part of the last list item.
ADVICE_OPENERS = ("建议", "综上", "总之", "总的来说", "总而言之", "温馨提示", "另外建议", "平时")


@dataclass
class ListItem:
    """One item of a numbered list: the short heading (or None) and its explanation."""

    position: int
    name: str | None
    text: str


@dataclass
class AnswerParts:
    """An answer split into lead, numbered (cause) list, closing advice and tips."""

    summary: str | None = None
    items: list[ListItem] = field(default_factory=list)
    advice: str | None = None
    tips: list[str] = field(default_factory=list)
    tips_heading: str | None = None  # the bracketed heading the tips stand under


_HEADING_END = re.compile(r"[:：。]")
_CLAUSE = re.compile(r"[，,；;]")  # a comma or semicolon makes a clause; `、` may join a heading
_ITEM_SEPARATORS = "；;，,、"  # how list items end in running text, not part of the item
MAX_HEADING_CHARS = 16


def item_heading(first_line: str, more_lines: list[str]) -> ListItem:
    """Split one list item (without its marker) into its short heading and its text.

    The heading is what comes before the first `:`/`：`/`。` or line break, if it is short
    and not a clause (no `，；`); otherwise the item has no heading and all of it is text.
    The separator that ends an item in running text (`；`, `，`) is not part of it.
    """
    m = _HEADING_END.search(first_line)
    head = first_line[: m.start()].strip() if m else first_line.rstrip(_ITEM_SEPARATORS)
    rest = first_line[m.end() :].strip() if m else ""
    if not head or len(head) > MAX_HEADING_CHARS or _CLAUSE.search(head):
        text = "\n".join([first_line, *more_lines])
        return ListItem(0, None, text.rstrip(_ITEM_SEPARATORS))
    text = "\n".join(part for part in [rest, *more_lines] if part)
    return ListItem(0, head, text.rstrip(_ITEM_SEPARATORS))


def split_answer(paragraphs: list[str]) -> AnswerParts:
    """Split an answer's paragraphs into summary, list items, advice and tips.

    The first numbered list outside a bracketed section (`【预防小贴士:】`) is the answer's
    main (cause) list; numbered items under a bracketed heading are tips. Paragraphs before
    the list are the summary; those after its last item that open with advice words
    (`建议`, `综上所述` …) — or that follow a last item longer than the list's usual item —
    are the advice. Without a list, the advice runs from the first paragraph after the lead
    that opens with advice words to the end.
    """
    lines = split_inline_lists([p for p in paragraphs if p])
    parts = AnswerParts()
    lead: list[str] = []
    tail: list[str] = []
    groups: list[list[str]] = []  # each: marker line + its continuation lines, as published
    style: str | None = None
    in_tips = False
    tips: list[list[str]] = []  # each: a tip's lines (joined at the end: linear in the text)
    tips_style: str | None = None
    for line in lines:
        bracket = _BRACKET_HEADING.match(line)
        if bracket:
            parts.tips_heading = parts.tips_heading or bracket.group(1).strip()
            in_tips = True
            tips_style = None
            if bracket.group(2):
                tips.append([bracket.group(2)])
            continue
        marker = list_marker(line)
        if in_tips:
            if marker and (tips_style is None or marker[0] == tips_style):
                tips_style = marker[0]
                tips.append([marker[2]])
            elif tips and tips_style is not None:
                tips[-1].append(line)
            else:
                tail.append(line)
            continue
        expected = len(groups) + 1
        if marker and marker[1] == expected and (style is None or marker[0] == style):
            if tail and groups:  # a second list after closing text: keep it with the tail
                tail.append(line)
                continue
            style = marker[0]
            groups.append([line])
        elif groups and not tail and not line.startswith(ADVICE_OPENERS):
            groups[-1].append(line)
        elif groups:
            tail.append(line)
        else:
            lead.append(line)

    if len(groups) < 2:  # one "1." is not a list
        lead.extend(line for group in groups for line in group)
        groups = []
        lead.extend(tail)
        lead, tail = _split_closing(lead)
    else:
        tail = _move_overflow(groups) + tail

    parts.summary = "\n".join(lead) or None
    parts.advice = "\n".join(tail) or None
    parts.tips = ["\n".join(tip).rstrip(_ITEM_SEPARATORS) for tip in tips]
    for pos, (first_line, *more_lines) in enumerate(groups, 1):
        marker = list_marker(first_line)
        item = item_heading(marker[2] if marker else first_line, more_lines)
        item.position = pos
        parts.items.append(item)
    return parts


def labelled_sections(
    lines: list[str], summary_label: re.Pattern[str], advice_label: re.Pattern[str]
) -> tuple[list[str] | None, list[str] | None]:
    """An answer's analysis and guidance sections, by the labels a site writes at their start
    (its patterns match a line's label, colon included), labels removed; lines before the
    first label belong to the analysis. (None, None) when no line opens with a label: the
    answer is not laid out so."""
    if not any(summary_label.match(line) or advice_label.match(line) for line in lines):
        return None, None
    summary: list[str] = []
    advice: list[str] = []
    current = summary
    for line in lines:
        if m := summary_label.match(line):
            current, line = summary, line[m.end() :]
        elif m := advice_label.match(line):
            current, line = advice, line[m.end() :]
        if line:
            current.append(line)
    return summary, advice


def split_sections(summary_lines: list[str], advice_lines: list[str]) -> AnswerParts:
    """Split an answer the site lays out in two labelled sections — an analysis, then
    guidance — into summary, list items, advice and tips: each section's own text (labels
    removed by the page) is the summary and the advice, and the rules of `split_answer` still
    find the numbered list and the tips inside them.

    The first numbered list, in either section, is the main (cause) list and leaves its
    section's text; a later list in the guidance stays in the advice as published. Items
    under a bracketed heading (`【…】`) are tips in either section.
    """
    first = split_answer(summary_lines)
    parts = AnswerParts(items=first.items, tips=list(first.tips), tips_heading=first.tips_heading)
    summary = _lines(first.summary, first.advice)  # the section without its list and tips
    if first.items:
        advice, tips = _without_tips(advice_lines)
        second = split_answer(advice_lines)
    else:
        second = split_answer(advice_lines)
        parts.items, advice = second.items, _lines(second.summary, second.advice)
        tips = second.tips
    parts.tips += tips
    parts.tips_heading = parts.tips_heading or (second.tips_heading if tips else None)
    parts.summary = "\n".join(summary) or None
    parts.advice = "\n".join(advice) or None
    return parts


def _lines(*texts: str | None) -> list[str]:
    return [line for text in texts if text for line in text.split("\n")]


def _without_tips(lines: list[str]) -> tuple[list[str], list[str]]:
    """A section's lines as published up to a bracketed tips heading, and the tips under it
    (lines after the tips that are not theirs stay in the section)."""
    for cut, line in enumerate(lines):
        if _BRACKET_HEADING.match(line):
            rest = split_answer(lines[cut:])
            return lines[:cut] + _lines(rest.summary, rest.advice), rest.tips
    return [line for line in lines if line], []


def _split_closing(lines: list[str]) -> tuple[list[str], list[str]]:
    """Without a list: from the first paragraph after the lead that opens with advice words
    (`建议…`) to the end is the advice; the first paragraph is always the summary."""
    for cut in range(1, len(lines)):
        if lines[cut].startswith(ADVICE_OPENERS):
            return lines[:cut], lines[cut:]
    return lines, []


def _body_lines(group: list[str]) -> int:
    """Lines of an item's explanation: not its heading when the heading stands alone
    (`1、正常`), not the items of a nested sub-list (`①…` under `2.`)."""
    lines = 1 + sum(1 for line in group[1:] if list_marker(line) is None)
    return lines - 1 if _heading_alone(group[0]) else lines


def _heading_alone(marker_line: str) -> bool:
    marker = list_marker(marker_line)
    item = item_heading(marker[2] if marker else marker_line, [])
    return item.name is not None and not item.text


def _move_overflow(groups: list[list[str]]) -> list[str]:
    """The last item keeps as many explanation lines as the list's other items; the rest
    is advice.

    Items whose heading stands on its own line carry their explanation in the next line(s),
    run-in items in the same line; the closing paragraph of the answer follows the last
    explanation. Lines of a nested sub-list belong to their item and do not count.
    """
    usual = max(_body_lines(g) for g in groups[:-1])
    last = groups[-1]
    body = 0 if _heading_alone(last[0]) else 1
    for i, line in enumerate(last[1:], 1):
        if list_marker(line) is not None:
            continue
        body += 1
        if body > usual:
            overflow = last[i:]
            del last[i:]
            return overflow
    return []


# --- drug mentions ------------------------------------------------------------------------

_TRIGGER = re.compile(r"(?:例如|比如|譬如|诸如|如)(?!果|何|此|下|同|若|有|需|出现|今|实|期|常)")
# Where a list of names ends: `等`, a verb of purpose (`来缓解`, `以控制`), punctuation. `来`
# and `以` alone do not end it: they start names (`来氟米特`) and joiners (`以及`).
_LIST_END = re.compile(
    r"等|(?:来|以)?(?:缓解|治疗|控制|改善|帮助|减轻|降低|消除|促进|调节|抑制|预防)|进行"
    r"|[，,。；;：:！!？?（(\n]"
)
_NAME_SEP = re.compile(r"、|以及|和|及|或|与|/")
# How to take it, written before the name: `如口服奥美拉唑…` (not `注射用…`, part of names)
_ADMINISTRATION = re.compile(
    r"^(?:遵医嘱)?(?:使用|服用|口服|外用|外涂|涂抹|含服|吸入|雾化吸入|静脉滴注|静滴|注射(?!用)|选用)"
)
_DRUG_CONTEXT = re.compile(r"药|抗生素|激素|注射|溶液|制剂|维生素|补充|口服|外用|服用|涂抹|滴")
_DRUG_SUFFIX = re.compile(
    r"(片|胶囊|颗粒|注射液|注射剂|丸|散|膏|软膏|乳膏|口服液|糖浆|霜|滴眼液|滴耳液|滴鼻液|喷雾剂?"
    r"|混悬液|凝胶|贴|栓|酊|合剂|冲剂|溶液|素|胺|林|芬|酸|钠|钾|钙|醇|酮|唑|星|平|汀|洛尔|沙坦|普利"
    r"|霉素|西林|头孢\w*|苷|碱|酯|肽|昔|韦|嗪|定|松|龙|B\d*|C|D\d*|E|K\d*)$"
)
_NOT_DRUG = re.compile(r"(术|疗法|检查|治疗|训练|锻炼|按摩|针灸|理疗|饮食|运动|休息|手术|康复)$")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
#: A list of names runs at most this far (names are at most 20 characters); a run without an
#: end is cut here and its last, cut name dropped. Bounds the work per `如` on any text.
MAX_LIST_CHARS = 300


def drugs_mentioned(text: str) -> list[str]:
    """Drug names that the text gives as examples of treatment, in order, without repeats.

    Finds `如X`, `例如X、Y等`, `比如X和Y` lists and keeps the names that read as drugs: the
    clause before the list speaks of medication (`药物`, `抗生素`, `注射` …) or a name in
    the list ends like one (`…片`, `…胶囊`, `…霉素`; a list names one kind of thing).
    Surgeries and therapies (`开颅减压术`) are left out.

    One pass over the text, however many `如` it holds: sentence starts and medication words
    are found once and looked up per list (bisect), each list's end search resumes where the
    last one stopped.
    """
    if "如" not in text:  # every trigger holds it: most texts name no examples
        return []
    found: dict[str, None] = {}
    sentence_starts = [m.end() for m in _SENTENCE_END.finditer(text)]
    contexts = [(m.start(), m.end()) for m in _DRUG_CONTEXT.finditer(text)]
    context_ends = [end for _, end in contexts]
    end: re.Match[str] | None = None
    searched_from = len(text) + 1  # where `end` was searched from (none yet)
    for m in _TRIGGER.finditer(text):
        i = bisect_right(sentence_starts, m.start())
        sentence_start = sentence_starts[i - 1] if i else 0
        j = bisect_right(context_ends, m.start()) - 1  # the last medication word before `如`
        medication = j >= 0 and contexts[j][0] >= sentence_start
        start = m.end()
        while start < len(text) and text[start] in "：: ":  # `如：布洛芬…`
            start += 1
        if start < searched_from or (end is not None and end.start() < start):
            end, searched_from = _LIST_END.search(text, start), start
        stop = end.start() if end is not None else len(text)
        pieces = _NAME_SEP.split(text[start : min(stop, start + MAX_LIST_CHARS)])
        if stop > start + MAX_LIST_CHARS:
            pieces.pop()  # cut mid-name
        names = [_ADMINISTRATION.sub("", n.strip().rsplit("中的", 1)[-1]) for n in pieces]
        names = [n for n in names if 2 <= len(n) <= 20 and not _NOT_DRUG.search(n)]
        if medication or any(_DRUG_SUFFIX.search(n) for n in names):
            found.update(dict.fromkeys(names))
    return list(found)


# --- doctors ------------------------------------------------------------------------------

# Most senior first; `主任中医师`, `主治中西医结合医师` rank like `主任医师`, `主治医师`.
_TITLE_RANKS = (
    (re.compile(r"副主任[\u4e00-\u9fff]{0,5}医师"), "associate_chief"),
    (re.compile(r"主任[\u4e00-\u9fff]{0,5}医师"), "chief"),
    (re.compile(r"主治[\u4e00-\u9fff]{0,5}医师"), "attending"),
    (re.compile(r"医师"), "resident"),
)
_TITLE = re.compile(r"(医师|医生|教授|药师|护师|技师|讲师|主任|院长|专家)$")
_GRADE = re.compile(r"^(?:[一二三]级)?[特一二三]?[甲乙丙]等?$|^[一二三]级$|^(三甲|二甲|一甲)$")
_HOSPITAL = re.compile(r"(医院|卫生院|中心|诊所|门诊|医科|大学|院|保健所|卫生室|门诊部)$")


def title_rank(title: str | None) -> str | None:
    """`主治医师` → `attending`; `副主任医师` → `associate_chief`; unknown → None."""
    if not title:
        return None
    for pattern, rank in _TITLE_RANKS:
        if pattern.search(title):
            return rank
    return None


@dataclass
class DoctorTokens:
    """A doctor line split by what each token is, not where it stands."""

    title: str | None = None
    hospital: str | None = None
    grade: str | None = None
    other: list[str] = field(default_factory=list)


def classify_doctor_tokens(tokens: list[str]) -> DoctorTokens:
    """Sort the tokens of a doctor line (`主治医师`, `三甲`, `…医院`) into their roles."""
    out = DoctorTokens()
    for token in tokens:
        if out.title is None and _TITLE.search(token):
            out.title = token
        elif out.grade is None and _GRADE.match(token):
            out.grade = token
        elif out.hospital is None and _HOSPITAL.search(token):
            out.hospital = token
        else:
            out.other.append(token)
    return out


# A name run into its title: `孙伟主任医师`, `李慧副主任医师`, `王芳主治医生`.
_GLUED_TITLE = re.compile(
    r"^([\u4e00-\u9fff·]{2,5}?)"
    r"((?:副)?主任(?:中|中西医结合)?医[师生]|主治(?:中|中西医结合)?医[师生]|住院医[师生]"
    r"|(?:副)?教授|(?:中|执业)?医师|医生)$"
)


def split_name(token: str) -> tuple[str, str | None]:
    """`孙伟主任医师` → (`孙伟`, `主任医师`); a name alone → (name, None)."""
    m = _GLUED_TITLE.match(token)
    if m is None or any(word in m.group(1) for word in ("主任", "主治", "住院", "医")):
        return token, None  # a title alone (`主任医师`) is no name
    return m.group(1), m.group(2)


def doctor_line(tokens: list[str]) -> tuple[str | None, DoctorTokens]:
    """A doctor block's tokens (name first, then title, hospital, grade in any order) → the
    name and the classified rest. A title run into the name is split off first."""
    if not tokens:
        return None, DoctorTokens()
    name, title = split_name(tokens[0])
    return name, classify_doctor_tokens(([title] if title else []) + tokens[1:])


_AGE = re.compile(r"(?<!\d)(\d{1,3})\s*岁")
MAX_AGE = 150  # the output contract's bound


def parse_age(text: str | None) -> int | None:
    """`30岁` → 30; anything without an age in years (`1234岁`, `200岁`) → None."""
    m = _AGE.search(text or "")
    return int(m.group(1)) if m and int(m.group(1)) <= MAX_AGE else None


# At most 9 digits: no page has a billion answers, and int() never reads 5,000 digits.
_COUNT = re.compile(r"[（(]\s*(\d{1,9})\s*[）)]")


def parse_count(text: str | None) -> int | None:
    """The count in an answer-count heading: `…回答(12)`, `（3）` → 12, 3; a "count" of more
    than 9 digits is none."""
    m = _COUNT.search(text or "")
    return int(m.group(1)) if m else None
