"""What every page class offers the shared spider code, and the parts a question page finds.

A site's question page class says why a page holds no question (`problem()`) and finds the
page's parts (`parts()`), by its markup only; the items are assembled from the parts by the
shared `medcrawl.extract.assemble`, so every site fills the contract the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from lxml import etree
from parsel import Selector
from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url

from medcrawl.extract.assemble import QuestionParts, assemble
from medcrawl.extract.urls import BadLink, resolve_link

if TYPE_CHECKING:
    from medcrawl.sites.base import Site


class ListEntry(NamedTuple):
    """A question as a list page shows it: its URL and, when the list shows one, its date."""

    url: str
    posted: date | None


#: Told of each href a page skipped: `(href, why)`. The spider counts them
#: (`QASpider.open_page`); a page made elsewhere (a test, a benchmark) skips them silently.
BadLinkSink = Callable[[str, str], None]


def _ignore(href: str, why: str) -> None:
    pass


class Page:
    """Any page of a site: the response, when it was fetched, and links made absolute.

    A bad href (a broken host or port, `javascript:`, control characters) is no link: it is
    skipped and reported to `on_bad_link`, never raised, so it costs only itself."""

    site: ClassVar[Site]

    def __init__(
        self,
        response: TextResponse,
        now: datetime | None = None,
        on_bad_link: BadLinkSink | None = None,
    ) -> None:
        self.response = response
        self.now = now or datetime.now().astimezone()
        self.on_bad_link = on_bad_link or _ignore

    def link(self, href: str | None) -> str | None:
        """An href on the page as an absolute http(s) URL fit for output and requests:
        resolved against the page and percent-encoded (`/药品/x.html` →
        `/%E8%8D%AF%E5%93%81/x.html`, see `medcrawl.extract.urls`); None if absent or bad."""
        if not href:
            return None
        try:
            return resolve_link(self.base_url, href)
        except BadLink as error:
            self.on_bad_link(href, str(error))
            return None

    @cached_property
    def base_url(self) -> str:
        """What the page's relative links resolve against: its `<base href>`, else its URL
        (also when the `<base>` is no URL)."""
        try:
            return get_base_url(self.response)
        except ValueError:
            return self.response.url

    def page_link(self, href: str | None) -> str | None:
        """`link()` in the site's canonical form (`Site.canonical_url`): a page to follow."""
        url = self.link(href)
        if url is None:
            return None
        try:
            return self.site.canonical_url(url)
        except ValueError as error:  # a site's URL helper refused it (an id past its digits)
            self.on_bad_link(href, str(error))
            return None


class QuestionPage(Page):
    """A question page of one site: `problem()` says why it holds no question (a stat and
    reject reason such as `challenge`, `removed`), `parts()` finds what it holds."""

    @cached_property
    def sel(self) -> Selector:
        """The page's parsel Selector: what a user's selector runs on."""
        return self.response.selector

    @cached_property
    def root(self) -> etree._Element:
        """The parsed tree under `sel`: page classes run their queries compiled on it
        (`medcrawl.extract.xpaths`), each block an lxml element of it."""
        return self.sel.root

    @cached_property
    def native_id(self) -> str | None:
        """The site's id of the question this page shows (None: the URL is no question's)."""
        return self.site.question_native_id(self.response.url)

    def problem(self) -> str | None:
        raise NotImplementedError

    def parts(self) -> QuestionParts:
        raise NotImplementedError

    def items(self) -> Iterator[object]:
        """The page's items, question first (see `medcrawl.extract.assemble`)."""
        url = self.site.canonical_url(self.response.url)  # fetched as `?from=x`, say
        return assemble(self.site.key, self.native_id or "", url, self.parts(), self.now)
