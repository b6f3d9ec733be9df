"""club.xywy.com (寻医问药 有问必答): the site's URLs and ids, its politeness.

URL forms are from shared/site/xywy-markup.md: questions `static/<yyyymmdd>/<id>.htm` (`http`,
the older `question/<yyyymmdd>/<id>.htm`, the mobile mirrors `3g.club.xywy.com/…` and
`…/mip/…`), the day index `keshi/<n>.html`, a day's question list
`keshi/<yyyy-mm-dd>/<page>.html`. A question's URL holds the day it was asked as well as its
id, and no URL form without the day is known: an id alone names no page.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

from medcrawl.extract.numbers import whole_number
from medcrawl.sites.base import Site

ORIGIN = "https://club.xywy.com"
# Ids have at most 18 digits (medcrawl.extract.numbers), page numbers 9: a link with a longer
# "id" is no question or list page, and int() is never asked to read 5,000 digits.
QUESTION_URL = re.compile(
    r"^https?://(?:(?:3g|m|wap)\.)?club\.xywy\.com/(?:mip/)?(?:static|question)/"
    r"([0-9]{8})/([0-9]{1,18})\.htm",
    re.I,
)
DAY_URL = re.compile(
    r"^https?://club\.xywy\.com/keshi/([0-9]{4}-[0-9]{2}-[0-9]{2})/([0-9]{1,9})\.html", re.I
)
INDEX_URL = re.compile(r"^https?://club\.xywy\.com/keshi/([0-9]{1,9})\.html", re.I)


class XywySite(Site):
    key = "xywy"
    domains = ("xywy.com",)
    default_start = (f"{ORIGIN}/keshi/1.html",)
    #: Days a whole-site crawl takes from the day index when no `since`/`until` bounds it.
    default_days: ClassVar[int] = 7
    # Public crawlers of the site slept 2–5 s between pages (xywy-markup.md, "access").
    politeness: ClassVar[dict[str, Any]] = {"DOWNLOAD_DELAY": 2}

    def question_native_id(self, url: str) -> str | None:
        """`…/static/20170223/126671067.htm` → `126671067` (every URL form of a question)."""
        m = QUESTION_URL.match(url)
        return str(int(m.group(2))) if m else None

    def question_url(self, native_id: str) -> str:
        """Refused: a question's URL holds the day it was asked, which its id does not tell."""
        raise ValueError(
            f"{self.key} question pages are addressed by day and id "
            f"({ORIGIN}/static/<yyyymmdd>/<id>.htm); give the page's URL, not {native_id!r}"
        )

    def question_page_url(self, day: str, native_id: str | int) -> str:
        """`question_page_url("20170223", 126671067)` → the question's canonical URL."""
        return f"{ORIGIN}/static/{day}/{whole_number(native_id)}.htm"

    def day_url(self, day: date, page: int = 1) -> str:
        """A day's question list: `day_url(date(2024, 3, 1), 2)` → `…/keshi/2024-03-01/2.html`."""
        return f"{ORIGIN}/keshi/{day.isoformat()}/{whole_number(page)}.html"

    def index_url(self, page: int = 1) -> str:
        """A page of the day index: `index_url(2)` → `…/keshi/2.html`."""
        return f"{ORIGIN}/keshi/{whole_number(page)}.html"

    def canonical_url(self, url: str) -> str:
        """One form per page: questions (any scheme, mirror or older path, with a query or
        fragment) → `https://club.xywy.com/static/<yyyymmdd>/<id>.htm`; day lists and the day
        index → `https://club.xywy.com/keshi/…`; any other URL only loses its fragment."""
        if m := QUESTION_URL.match(url):
            return self.question_page_url(m.group(1), m.group(2))
        if (m := DAY_URL.match(url)) and (day := self.day_of(url)):
            return self.day_url(day, int(m.group(2)))
        if m := INDEX_URL.match(url):
            return self.index_url(int(m.group(1)))
        return url.split("#", 1)[0]

    def day_of(self, url: str) -> date | None:
        """The day a day-list URL lists (`…/keshi/2024-03-01/3.html` → 2024-03-01)."""
        m = DAY_URL.match(url)
        if not m:
            return None
        try:
            return date.fromisoformat(m.group(1))
        except ValueError:
            return None


SITE = XywySite()
