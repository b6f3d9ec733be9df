"""XPath compiled once and run on the parsed tree: the fast path under a page class.

`parsel` is the public face (a page's `sel`, what a user extends), but every `Selector.xpath`
call compiles its query again and wraps every result — each text node too — in a new
Selector; on a question page that was two thirds of the cost of finding its parts. These
helpers take the lxml elements under a Selector (`sel.root`), run each query compiled once
(`compiled`), and return elements and plain strings; the text helpers of
`medcrawl.extract.html` take elements too (`element_lines`), so no Selector is made.

Page classes write `/descendant::x[…]` and `descendant::x[…]`, not `//x[…]` and `.//x[…]`:
the same nodes where the predicate is not positional (`//x[1]` is not `descendant::x[1]`),
but libxml2 runs `//x[p]` as the children of every node of the page (it rewrites only `//x`
without a predicate): 2-8× less a query.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from medcrawl.extract.html import element_lines, element_tokens

Element = etree._Element


@cache
def has_class(*classes: str) -> str:
    """An XPath test: the element's class attribute holds each of these tokens (`b_sp1`
    matches `class="b_sp1 x"`, not `b_sp10`). The plain `contains` tests go first: most
    elements fail them, and they cost less than building the normalized string. Cached:
    page classes build queries in their methods too."""
    plain = [f"contains(@class,'{c}')" for c in classes]
    tokens = [f"contains(concat(' ',normalize-space(@class),' '),' {c} ')" for c in classes]
    return "(" + " and ".join(plain + tokens) + ")"


@cache
def compiled(query: str) -> etree.XPath:
    """`query` compiled; results are plain `str`, not lxml's smart strings (which keep the
    whole tree alive for as long as a value is)."""
    return etree.XPath(query, smart_strings=False)


def find(el: Element, *queries: str, default: Element | None = None) -> Element | None:
    """The first element matched by the first query that matches anything, else `default`
    (`medcrawl.extract.html.first` on elements)."""
    for query in queries:
        found = compiled(query)(el)
        if found:
            return found[0]
    return default


def find_all(el: Element, *queries: str) -> list[Element]:
    """All elements matched by the first query that matches anything."""
    for query in queries:
        found = compiled(query)(el)
        if found:
            return found
    return []


def string(el: Element, query: str = "string()") -> str:
    """The string value of an XPath `string(…)` expression (default: the element's text)."""
    return compiled(query)(el)


def strings(el: Element, query: str) -> list[str]:
    """Every text or attribute value `query` selects."""
    return compiled(query)(el)


def first_value(el: Element, query: str) -> str | None:
    """The first text or attribute value `query` selects, or None."""
    found = compiled(query)(el)
    return found[0] if found else None


def shows(page_text: str, *words: str) -> bool:
    """Whether a text node of the page parsed from `page_text` may hold one of `words` (no
    white space in them): a substring test of the source, so that a query anchored on a text
    node (`//*[starts-with(normalize-space(text()),'适用药品')]`, a walk of the whole tree)
    runs only on pages that show its words. A page with character references (`&#…;`) may
    spell a word in them, so it may show anything."""
    return "&#" in page_text or any(word in page_text for word in words)


def lines(el: Element | None) -> list[str]:
    """`medcrawl.extract.html.text_lines` of an element."""
    return [] if el is None else element_lines(el)


def tokens(el: Element | None) -> list[str]:
    """`medcrawl.extract.html.text_tokens` of an element."""
    return [] if el is None else element_tokens(el)


def in_document_order(found: list[Element]) -> list[Element]:
    """`found` (elements of one tree) in document order, each once: libxml2 sorts just
    these, where ordering them by a walk (`el.iter()`) would visit every element."""
    return compiled("$found/self::node()")(found[0], found=found) if found else []
