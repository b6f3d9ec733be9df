"""The compiled-query helpers under the page classes: `shows` never skips a query that would
have found something."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from parsel import Selector

from medcrawl.extract.xpaths import shows, string

WORD = "适用药品"

# Pieces of a page's source: the word's characters alone or as character references,
# tags, comments, white space — so a text node may spell the word in ways the source does not.
_PIECES = st.sampled_from(
    [
        *WORD,
        *(f"&#{ord(c)};" for c in WORD),
        *(f"&#x{ord(c):x};" for c in WORD),
        "<p>",
        "</p>",
        "<b>",
        "</b>",
        "<!--",
        "-->",
        " ",
        "\n",
        "&amp;",
        "x",
    ]
)


@given(st.lists(_PIECES, max_size=30))
def test_shows_is_true_whenever_a_text_node_holds_the_word(pieces: list[str]) -> None:
    source = "<html><body><div>" + "".join(pieces) + "</div></body></html>"
    root = Selector(text=source).root
    in_tree = any(WORD in text for text in root.xpath("//text()"))
    if in_tree:
        assert shows(source, WORD)


def test_shows_skips_a_page_without_the_word_and_keeps_one_with_it() -> None:
    assert not shows("<div>疾病百科</div>", WORD, "推荐医生")
    assert shows("<div>推荐医生</div>", WORD, "推荐医生")
    # Spelled in character references: the source does not hold it, the tree does.
    spelled = "<h3>&#36866;用药品</h3>"
    assert string(Selector(text=spelled).root, "string(//h3)") == WORD
    assert shows(spelled, WORD)
