"""ask.39.net (39问医生): the site's URLs and ids, its bot check, its run checks.

URL forms are from shared/site/ask39-markup.md: questions `question/<id>.html` (the `wapask`
twin too), category lists `news/<classid>-<page>.html`, the category index `browse/…`.
"""

from __future__ import annotations

import re

from medcrawl.extract.numbers import whole_number
from medcrawl.sites.base import Site

ORIGIN = "https://ask.39.net"
# Ids have at most 18 digits (medcrawl.extract.numbers), page numbers 9: a link with a longer
# "id" is no question or list page, and int() is never asked to read 5,000 digits.
QUESTION_URL = re.compile(r"^https?://(?:ask|wapask)\.39\.net/question/([0-9]{1,18})\.html", re.I)
LIST_URL = re.compile(r"^https?://ask\.39\.net/news/([0-9]{1,18})-([0-9]{1,9})\.html", re.I)
INDEX_URL = re.compile(r"^https?://ask\.39\.net/browse/[\w-]+\.html", re.I)
_CHALLENGE_URL = re.compile(r"//image\.39\.net/verify\.html|/verify\.html\?", re.I)


class Ask39Site(Site):
    key = "ask39"
    domains = ("39.net",)
    default_start = (f"{ORIGIN}/browse/jibing.html",)

    def question_native_id(self, url: str) -> str | None:
        """`https://ask.39.net/question/123.html` → `123` (the wapask twin too)."""
        m = QUESTION_URL.match(url)
        return m.group(1) if m else None

    def question_url(self, native_id: str | int) -> str:
        """`question_url(123)` → `https://ask.39.net/question/123.html`."""
        return f"{ORIGIN}/question/{whole_number(native_id)}.html"

    def category_url(self, category: str | int, page: int = 1) -> str:
        """A category list page: `category_url(3166, 2)` → `https://ask.39.net/news/3166-2.html`."""
        return f"{ORIGIN}/news/{whole_number(category)}-{whole_number(page)}.html"

    def canonical_url(self, url: str) -> str:
        """One form per page, so a page is fetched once: question and list pages become
        `https://ask.39.net/…` whatever their scheme, host twin (`wapask.`), query string or
        fragment; any other URL only loses its fragment."""
        if m := QUESTION_URL.match(url):
            return self.question_url(m.group(1))
        if m := LIST_URL.match(url):
            return self.category_url(m.group(1), int(m.group(2)))
        return url.split("#", 1)[0]

    def is_challenge_url(self, url: str) -> bool:
        return _CHALLENGE_URL.search(url) is not None

    def list_category(self, url: str) -> str | None:
        """`…/news/3166-2.html` → `3166`: the category of a list page."""
        m = LIST_URL.match(url)
        return str(int(m.group(1))) if m else None


SITE = Ask39Site()
