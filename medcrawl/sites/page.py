"""What every page class offers the shared spider code, and the parts a question page finds.

A site's question page class says why a page holds no question (`problem()`) and finds the
page's parts (`parts()`), by its markup only; the items are assembled from the parts by the
shared `medcrawl.extract.assemble`, so every site fills the contract the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar, NamedTuple
from urllib.parse import urlsplit

from scrapy.http import TextResponse
from w3lib.url import safe_url_string

from medcrawl.extract.assemble import QuestionParts, assemble

if TYPE_CHECKING:
    from medcrawl.sites.base import Site


_HOST = re.compile(r"[a-z0-9._:-]+")  # a host name (IDNs are punycode by now) or an IP


class ListEntry(NamedTuple):
    """A question as a list page shows it: its URL and, when the list shows one, its date."""

    url: str
    posted: date | None


class Page:
    """Any page of a site: the response, when it was fetched, and links made absolute."""

    site: ClassVar[Site]

    def __init__(self, response: TextResponse, now: datetime) -> None:
        self.response = response
        self.now = now

    def link(self, href: str | None) -> str | None:
        """An href on the page as an absolute URL fit for output: resolved against the page
        and percent-encoded (`/药品/x.html` → `/%E8%8D%AF%E5%93%81/x.html`); None if absent,
        or if its host is no host name (a damaged page: `club.x\x04wy.com`, `[::1`)."""
        if not href:
            return None
        try:
            url = safe_url_string(self.response.urljoin(href))
            host = urlsplit(url).hostname or ""
        except ValueError:
            return None
        return url if _HOST.fullmatch(host) else None


class QuestionPage(Page):
    """A question page of one site: `problem()` says why it holds no question (a stat and
    reject reason such as `challenge`, `removed`), `parts()` finds what it holds."""

    def __init__(self, response: TextResponse, now: datetime) -> None:
        super().__init__(response, now)
        self.native_id = self.site.question_native_id(response.url)

    def problem(self) -> str | None:
        raise NotImplementedError

    def parts(self) -> QuestionParts:
        raise NotImplementedError

    def items(self) -> Iterator[object]:
        """The page's items, question first (see `medcrawl.extract.assemble`)."""
        url = self.site.canonical_url(self.response.url)  # fetched as `?from=x`, say
        return assemble(self.site.key, self.native_id or "", url, self.parts(), self.now)
