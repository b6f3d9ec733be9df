"""www.120ask.com (快速问医生): the site's URLs and ids, its politeness, its run checks.

The site key is `120ask` (spider name, id prefix, output folder); the package is `ask120`
because a Python name cannot start with a digit.

URL forms are from shared/site/120ask-markup.md: questions `question/<id>.htm` (`http` too, and
slugged duplicates `question/<slug>/<id>.htm`), the category tree `list/`, department lists
`list/<slug>/` paged `list/<slug>/over/<n>/`, linked protocol-relative (`//www.120ask.com/…`).
No bot check is reported for the site.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from medcrawl.extract.numbers import whole_number
from medcrawl.sites.base import DEFAULT_COVERAGE_THRESHOLDS, Site

ORIGIN = "https://www.120ask.com"
_HOST = r"^(?:https?:)?//(?:www\.)?120ask\.com"
# Ids have at most 18 digits (medcrawl.extract.numbers), page numbers 9: a link with a longer
# "id" is no question or list page, and int() is never asked to read 5,000 digits.
QUESTION_URL = re.compile(rf"{_HOST}/question/(?:[\w-]+/)?([0-9]{{1,18}})\.htm(?![\w.])", re.I)
LIST_URL = re.compile(rf"{_HOST}/list/([a-z0-9_-]+)/(?:over/([0-9]{{1,9}})/?)?(?:[?#]|$)", re.I)
INDEX_URL = re.compile(rf"{_HOST}/list/?(?:[?#]|$)", re.I)
_SLUG = re.compile(r"^[a-z0-9_-]+$", re.I)


class Ask120Site(Site):
    key = "120ask"
    domains = ("120ask.com",)
    default_start = (f"{ORIGIN}/list/",)
    # One page every 2 s, one at a time: the site reports no bot check, so the crawl keeps
    # itself slow rather than waiting to be told (the project's AutoThrottle still applies).
    politeness: ClassVar[dict[str, Any]] = {
        "DOWNLOAD_DELAY": 2,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    }
    # Voice-only answers have no text (a few in a hundred), and most answers are short prose
    # without a numbered list: thresholds that a healthy run of this site meets.
    coverage_thresholds: ClassVar[dict[str, float]] = {
        **DEFAULT_COVERAGE_THRESHOLDS,
        "answers.text": 0.9,
    }
    min_answers_with_causes: ClassVar[float] = 0.1

    @property
    def settings(self) -> dict[str, Any]:
        return {
            **super().settings,
            "MEDCRAWL_MIN_ANSWERS_WITH_CAUSES": self.min_answers_with_causes,
        }

    def question_native_id(self, url: str) -> str | None:
        """`https://www.120ask.com/question/123.htm` → `123` (`http`, the slugged duplicate
        `/question/<slug>/123.htm`, a query string or fragment too)."""
        m = QUESTION_URL.match(url)
        return str(int(m.group(1))) if m else None

    def question_url(self, native_id: str | int) -> str:
        """`question_url(123)` → `https://www.120ask.com/question/123.htm`."""
        if not str(native_id).strip().isdigit():
            raise ValueError(f"not a question id of {self.key}: {native_id!r}")
        return f"{ORIGIN}/question/{whole_number(native_id)}.htm"

    def category_url(self, category: str, page: int = 1) -> str:
        """A department list page: `category_url("erke")` → `…/list/erke/`, page 2 and on
        `…/list/erke/over/2/`. ValueError for what is not a department slug."""
        slug = str(category).strip().lower()
        if not _SLUG.match(slug):
            raise ValueError(f"not a department slug of {self.key}: {category!r}")
        if whole_number(page) <= 1:
            return f"{ORIGIN}/list/{slug}/"
        return f"{ORIGIN}/list/{slug}/over/{whole_number(page)}/"

    def canonical_url(self, url: str) -> str:
        """One form per page, so a page is fetched once: questions, department lists and the
        category tree become `https://www.120ask.com/…` whatever their scheme (or none: a
        protocol-relative link), slug, query string or fragment; any other URL only loses its
        fragment."""
        if m := QUESTION_URL.match(url):
            return self.question_url(m.group(1))
        if m := LIST_URL.match(url):
            return self.category_url(m.group(1), int(m.group(2) or 1))
        if INDEX_URL.match(url):
            return f"{ORIGIN}/list/"
        return url.split("#", 1)[0]

    def list_category(self, url: str) -> str | None:
        """`…/list/erke/over/2/` → `erke`: the department of a list page."""
        m = LIST_URL.match(url)
        return m.group(1).lower() if m else None

    def list_page_number(self, url: str) -> int | None:
        """`…/list/erke/over/2/` → 2; `…/list/erke/` → 1; not a list page → None."""
        m = LIST_URL.match(url)
        return int(m.group(2) or 1) if m else None

    def is_index_url(self, url: str) -> bool:
        return INDEX_URL.match(url) is not None


SITE = Ask120Site()
