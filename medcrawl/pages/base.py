"""What every question page class offers the shared spider code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple

from scrapy.http import TextResponse
from w3lib.url import safe_url_string


class ListEntry(NamedTuple):
    """A question as a list page shows it: its URL and, when the list shows one, its date."""

    url: str
    posted: date | None


class QuestionPage:
    """A question page of one site: `problem()` says why it holds no question (a stat
    and reject reason such as `challenge`, `removed`), `items()` yields what it holds."""

    site: str = ""

    def __init__(self, response: TextResponse, now: datetime) -> None:
        self.response = response
        self.now = now

    def link(self, href: str | None) -> str | None:
        """An href on the page as an absolute URL fit for output: resolved against the page
        and percent-encoded (`/药品/x.html` → `/%E8%8D%AF%E5%93%81/x.html`); None if absent."""
        return safe_url_string(self.response.urljoin(href)) if href else None

    @classmethod
    def is_challenge_url(cls, url: str) -> bool:
        """Whether a URL is the site's bot check (a redirect there is a challenge)."""
        return False

    def problem(self) -> str | None:
        raise NotImplementedError

    def items(self) -> Iterator[object]:
        raise NotImplementedError
