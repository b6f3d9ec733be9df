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


def text_lines(sel: Selector | None) -> list[str]:
    """The visible text of an element as cleaned lines: `<br>` and block tags break lines,
    inline tags (`<a>`, `<strong>`) do not; scripts, styles and the fallback text of
    `<audio>`/`<video>` players are skipped."""
    if sel is None:
        return []
    parts: list[str] = []
    _walk(sel.root, parts)
    text = clean("".join(parts))
    return text.split("\n") if text else []


def _walk(el: etree._Element, parts: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP:
        return
    block = tag in _BREAKS
    if block:
        parts.append("\n")
    if el.text and tag:
        parts.append(el.text)
    for child in el:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")


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
