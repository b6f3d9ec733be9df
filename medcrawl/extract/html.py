"""Generic HTML helpers shared by page modules."""

from __future__ import annotations

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
    if sel is None:
        return []
    parts: list[str] = []
    _walk(sel.root, parts)
    text = clean("".join(parts))
    return text.split("\n") if text else []


def _walk(root: etree._Element, parts: list[str]) -> None:
    """Depth first with a stack of its own, not recursion: a page can nest elements thousands
    deep, and a recursive walk hits Python's RecursionError near 1,000. A table row is one
    line (`_row`)."""
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, children_done = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if not children_done and tag == "tr":
            parts.append(f"\n{_row(el)}\n")
        elif not children_done and tag not in _SKIP:
            if tag in _BREAKS:
                parts.append("\n")
            if el.text and tag:
                parts.append(el.text)
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
            continue
        if children_done and tag in _BREAKS:
            parts.append("\n")
        if el is not root and el.tail:
            parts.append(el.tail)


def _row(tr: etree._Element) -> str:
    """A table row as one line: each cell's text, joined by a space — none after a label
    cell that ends with a colon (`身高：` + `98cm`)."""
    line = ""
    for cell in tr:
        if cell.tag not in _CELLS:
            continue
        parts: list[str] = []
        _walk(cell, parts)
        text = " ".join("".join(parts).split())
        if text:
            line = f"{line}{'' if not line or line.endswith(_LABEL_ENDS) else ' '}{text}"
    return line


def text_tokens(sel: Selector | None) -> list[str]:
    """The visible text of an element as tokens: each text node on its own, split at white
    space, cleaned; scripts and styles skipped. Unlike `text_lines`, inline elements that
    touch (`<a>孙伟</a><span>主任医师</span>`) stay separate tokens: a doctor's name and title
    are never glued."""
    if sel is None:
        return []
    return [token for text in _VISIBLE_TEXTS(sel.root) for token in clean(text).split() if token]


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


def outermost(found: list[Selector]) -> list[Selector]:
    """The elements of `found` (in document order) that are not inside another of them.

    A block found by class can hold blocks of the same class (nested answer blocks on a
    broken or hostile page): each would be read with all the blocks inside it, which costs
    the square of the page. One pass: the subtrees of the blocks kept are disjoint, so marking
    them costs the page's size once.
    """
    kept: list[Selector] = []
    inside: set[etree._Element] = set()
    for sel in found:
        el = sel.root
        if not isinstance(el, etree._Element):  # a text or attribute result: nothing nests
            kept.append(sel)
        elif el not in inside:
            kept.append(sel)
            inside.update(el.iterdescendants())
    return kept
