"""Generic HTML helpers shared by page modules."""

from __future__ import annotations

from typing import Any

from lxml import etree
from parsel import Selector

from medcrawl.extract.text import clean

_BREAKS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section"}
)
# Not shown: code, and what a media player shows only where it cannot play (the
# "your browser does not support audio" fallback of a voice answer).
_SKIP = frozenset({"script", "style", "noscript", "template", "audio", "video"})
_CELLS = frozenset({"td", "th"})
_LABEL_ENDS = (":", "：")


def text_lines(sel: Selector | None) -> list[str]:
    """The visible text of an element as cleaned lines: `<br>` and block tags break lines,
    inline tags (`<a>`, `<strong>`) do not; scripts, styles and the fallback text of
    `<audio>`/`<video>` players are skipped. A table row is one line, its cells joined by a
    space — none after a label cell (`身高：` + `98cm`)."""
    return [] if sel is None else element_lines(sel.root)


def element_lines(el: etree._Element) -> list[str]:
    """`text_lines` of an lxml element (no Selector to make: the fast path's helpers)."""
    parts: list[str] = []
    _walk(el, parts)
    text = clean("".join(parts))
    return text.split("\n") if text else []


# What the walk does with a stack entry: open an element, close it (after its children),
# finish a table cell, finish a table row.
_OPEN, _CLOSE, _CELL, _ROW = range(4)


def _walk(root: etree._Element, parts: list[str]) -> None:
    """Depth first with a stack of its own, not recursion: a page can nest elements (tables
    in tables too) thousands deep, and a recursive walk hits Python's RecursionError near
    1,000. Each entry says what to do, with which element, writing into which buffer (a table
    cell has its own), and whether the element's tail follows it."""
    stack: list[tuple[int, etree._Element, list[str], bool, list[str] | None]] = [
        (_OPEN, root, parts, False, None)
    ]
    while stack:
        what, el, buf, with_tail, row = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if what == _OPEN and tag == "tr":  # one line: its cells' texts (`_row_line`)
            cells: list[str] = []
            stack.append((_ROW, el, buf, with_tail, cells))
            for cell in reversed([c for c in el if c.tag in _CELLS]):
                cell_buf: list[str] = []
                stack.append((_CELL, cell, cell_buf, False, cells))
                stack.append((_OPEN, cell, cell_buf, False, None))
            continue
        if what == _OPEN and tag not in _SKIP:
            if tag in _BREAKS:
                buf.append("\n")
            if el.text and tag:
                buf.append(el.text)
            stack.append((_CLOSE, el, buf, with_tail, None))
            stack.extend((_OPEN, child, buf, True, None) for child in reversed(el))
            continue
        if what == _CELL:
            if text := " ".join("".join(buf).split()):
                row.append(text)  # type: ignore[union-attr]
            continue
        if what == _ROW:
            buf.append(f"\n{_row_line(row)}\n")  # type: ignore[arg-type]
        elif what == _CLOSE and tag in _BREAKS:
            buf.append("\n")
        if with_tail and el.tail:
            buf.append(el.tail)


def _row_line(cells: list[str]) -> str:
    """A table row's cell texts as one line, joined by a space — none after a label cell that
    ends with a colon (`身高：` + `98cm`)."""
    out: list[str] = []
    for text in cells:
        if out and not out[-1].endswith(_LABEL_ENDS):
            out.append(" ")
        out.append(text)
    return "".join(out)


def text_tokens(sel: Selector | None) -> list[str]:
    """The visible text of an element as tokens: each text node on its own, split at white
    space, cleaned; scripts and styles skipped. Unlike `text_lines`, inline elements that
    touch (`<a>孙伟</a><span>主任医师</span>`) stay separate tokens: a doctor's name and title
    are never glued."""
    return [] if sel is None else element_tokens(sel.root)


def element_tokens(el: etree._Element) -> list[str]:
    """`text_tokens` of an lxml element."""
    return [token for text in _VISIBLE_TEXTS(el) for token in clean(text).split() if token]


# Compiled once, run on the element: parsel would compile it per call and wrap every text node.
_VISIBLE_TEXTS = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style)]", smart_strings=False
)


def first(sel: Selector, *queries: str, default: Selector | None = None) -> Selector | None:
    """The first element matched by the first XPath query that matches anything, else
    `default`. Queries go from the sourced selector to text-anchored fallbacks.

    Test the result with `is None`: a parsel Selector's truth value serializes the element.
    """
    for query in queries:
        found = sel.xpath(query)
        if found:
            return found[0]
    return default


def every(sel: Selector, *queries: str) -> list[Selector]:
    """All elements matched by the first XPath query that matches anything."""
    for query in queries:
        found = sel.xpath(query)
        if found:
            return list(found)
    return []


def outermost_elements(found: list[Any]) -> list[Any]:
    """The elements of `found` (in document order) that are not inside another of them; text
    and attribute results (nothing nests in them) are all kept.

    A block found by class can hold blocks of the same class (nested answer blocks on a
    broken or hostile page): each would be read with all the blocks inside it, which costs
    the square of the page. One pass: the subtrees of the blocks kept are disjoint, so marking
    them costs the page's size once.
    """
    kept: list[Any] = []
    inside: set[etree._Element] = set()
    for el in found:
        if not isinstance(el, etree._Element):
            kept.append(el)
        elif el not in inside:
            kept.append(el)
            inside.update(el.iterdescendants())
    return kept
