"""The compiled-query helpers under the page classes: `shows` never skips a query that would
have found something; `in_document_order` orders what it is given as the document does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from parsel import Selector

from medcrawl.extract.xpaths import find_all, in_document_order, shows, string

WORD = "适用药品"

# A page's source: the word, each character written as itself or as a decimal or hex
# character reference, with tags, comments and white space around or inside it — so a text
# node may hold the word where the source does not spell it.
_SPELLINGS = st.tuples(*(st.sampled_from([c, f"&#{ord(c)};", f"&#x{ord(c):x};"]) for c in WORD))
_NOISE = st.lists(
    st.sampled_from(["<p>", "</p>", "<b>", "</b>", "<!--", "-->", " ", "\n", "&amp;", "x", "适"]),
    max_size=6,
)


@given(_NOISE, _SPELLINGS, _NOISE, st.integers(0, len(WORD)), _NOISE)
def test_shows_is_true_whenever_a_text_node_holds_the_word(
    before: list[str], spelling: tuple[str, ...], inside: list[str], cut: int, after: list[str]
) -> None:
    word = "".join(spelling[:cut]) + "".join(inside) + "".join(spelling[cut:])
    source = "<html><body><div>" + "".join(before) + word + "".join(after) + "</div></body></html>"
    root = Selector(text=source).root
    if any(WORD in text for text in root.xpath("//text()")):
        assert shows(source, WORD)


def test_shows_skips_a_page_without_the_word_and_keeps_one_with_it() -> None:
    assert not shows("<div>疾病百科</div>", WORD, "推荐医生")
    assert shows("<div>推荐医生</div>", WORD, "推荐医生")
    # Spelled in character references: the source does not hold it, the tree does.
    spelled = "<h3>&#36866;用药品</h3>"
    assert string(Selector(text=spelled).root, "string(//h3)") == WORD
    assert shows(spelled, WORD)


def test_in_document_order_orders_and_dedupes_what_it_is_given():
    root = Selector(text='<div id="a"><p id="b"><i id="c"></i></p></div><p id="d"></p>').root
    a, b, c, d = find_all(root, "//*[@id]")
    ordered = in_document_order([d, c, a, d, b])
    assert [el.get("id") for el in ordered] == ["a", "b", "c", "d"]
    assert all(got is want for got, want in zip(ordered, [a, b, c, d], strict=True))
    assert in_document_order([]) == []
