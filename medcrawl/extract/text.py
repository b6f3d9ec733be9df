"""Text cleaning shared by every site: widths, spaces, zero-width characters, UI words, labels.

Nothing here knows medicine; the medical-text parts (numbered lists, drug mentions, doctor
tokens) are `medcrawl.extract.medical`.
"""

from __future__ import annotations

import re

# Full-width ASCII letters/digits (U+FF10–FF19, FF21–FF3A, FF41–FF5A) → ASCII; the ideographic
# and no-break spaces → space; zero-width characters and BOM removed. Chinese punctuation stays.
_TRANSLATE = {
    **{cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)},
    0x3000: " ",
    0x00A0: " ",
    0x200B: None,
    0x200C: None,
    0x200D: None,
    0x2060: None,
    0xFEFF: None,
}
_SPACES = re.compile(r"[ \t\r\f\v]+")

#: Words that are page chrome (buttons, links), never content, when they stand alone.
UI_WORDS = frozenset({"举报", "向医生提问", "提问", "找医生", "更多", "查看全部", "展开", "收起"})


# Anything `normalise` would change: a character it maps, a run of spaces, a space at a line
# end, an empty line. Text without one is returned as it is (most text is cleaned twice:
# once to parse the page, once by the loaders).
_DIRTY = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000\xa0\u200b-\u200d\u2060\ufeff\t\r\f\v]"
    r"|  |\s\n|\n\s"
)


def clean(text: str | None) -> str:
    """Normalise one string: widths, spaces and zero-width characters; keeps line breaks.

    Each line is stripped and inner runs of spaces collapse to one; empty lines are dropped.
    Idempotent, and cheap on text that is already clean.
    """
    if not text:
        return ""
    if text[0].isspace() or text[-1].isspace() or _DIRTY.search(text):
        return normalise(text)
    return text


# A character `_TRANSLATE` maps: str.translate looks every character of a CJK string up in
# the table, ~35 µs for a 5 KB answer, so it runs only when there is something to map.
_MAPPED = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000\xa0\u200b-\u200d\u2060\ufeff]")


def normalise(text: str) -> str:
    """The work behind `clean`, unconditionally."""
    if _MAPPED.search(text):
        text = text.translate(_TRANSLATE)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def clean_inline(text: str | None) -> str:
    """`clean`, then fold line breaks into single spaces (for names, titles, labels)."""
    return " ".join(clean(text).split("\n"))


def drop_ui_word(text: str) -> str | None:
    """None for a string that is only a UI word (`举报`, `提问` …), else the string."""
    return None if text in UI_WORDS else text


def strip_ui_suffix(text: str) -> str:
    """Remove a trailing UI word run into a heading, e.g. `热门问题更多` → `热门问题`."""
    for word in UI_WORDS:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)].rstrip()
    return text


# --- labels -------------------------------------------------------------------------------

#: A label (`发病时间：`, `追问：`, `擅长:`) is at most this many characters before its colon;
#: a longer run before a colon is a sentence, not a label.
MAX_LABEL_CHARS = 8
_LABEL = re.compile(rf"^\s*([\u4e00-\u9fff]{{2,{MAX_LABEL_CHARS}}})\s*[:：]\s*(.*)$", re.S)


def split_label(text: str) -> tuple[str | None, str]:
    """`发病时间:三天前` → (`发病时间`, `三天前`); text with no label → (None, text)."""
    m = _LABEL.match(text)
    return (m.group(1), m.group(2).strip()) if m else (None, text.strip())


_LIST_SPLIT = re.compile(r"[\s、，,；;/|]+")


def split_list(text: str) -> list[str]:
    """Split a run of names separated by spaces or `、，；` into a list, order kept."""
    return [part for part in _LIST_SPLIT.split(text) if part]
