"""club.xywy.com (寻医问药 有问必答): routing only. What the pages hold is
`medcrawl.sites.xywy.pages`.

The site lists its questions day by day. With `since`/`until` the crawl starts at the lists of
those days (`until` alone: the 7 days up to it; `since` alone: up to today); without them it
reads the day index and takes its newest `SITE.default_days` days. Related questions are
followed only when asked for (`-a related=1`): they would lead out of the days.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from scrapy.http import Response, TextResponse

from medcrawl.extract.dates import SITE_TZ
from medcrawl.sites.spider import QASpider
from medcrawl.sites.xywy.pages import XywyDayPage, XywyIndexPage, XywyRelatedBox
from medcrawl.sites.xywy.site import DAY_URL, INDEX_URL, SITE


class XywySpider(QASpider):
    """Day index → day lists (paged) → question pages (→ related questions, when asked)."""

    name = SITE.key
    site = SITE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._days_taken: set[date] = set()  # by a crawl from the index, without bounds
        if self.related is None:
            # Even a whole-site crawl is bounded, by days: related links lead to questions of
            # any day, and theirs on, through the whole site. Only `-a related=1` follows them.
            self.follow_related = False

    def related_urls(self, response: TextResponse) -> Iterable[str]:
        return self.open_page(XywyRelatedBox, response).question_urls()

    def start_pages(self) -> Iterable[str]:
        """The lists of the days `since`/`until` bound, newest first; else the day index."""
        window = self._window()
        if window is None or self.categories:
            return super().start_pages()
        first, last = window
        return (SITE.day_url(last - timedelta(days=n)) for n in range((last - first).days + 1))

    def _window(self) -> tuple[date, date] | None:
        """The days `since`/`until` ask for: `until` alone, the 7 days up to it; `since`
        alone, up to today (the site's time)."""
        if not (self.since or self.until):
            return None
        last = self.until or datetime.now(SITE_TZ).date()
        return self.since or last - timedelta(days=SITE.default_days - 1), last

    def parse(self, response: Response) -> Iterator[object]:
        """Route any start or followed URL by its shape."""
        url = response.url
        if SITE.is_question_url(url) or not isinstance(response, TextResponse):
            yield from self.parse_question(response)
        elif DAY_URL.match(url):
            page = self.open_page(XywyDayPage, response)
            yield from self.follow_list(page.entries(), page.next_url)
        elif INDEX_URL.match(url):
            yield from self.parse_index(response)
        else:
            yield from self.parse_question(response)  # a redirect or an unknown page: classify it

    def parse_index(self, response: TextResponse) -> Iterator[object]:
        """The days the crawl asks for: those within `since`/`until`, else the newest
        `SITE.default_days`; then the next index page while older days may still be wanted
        (the index runs newest first)."""
        page = self.open_page(XywyIndexPage, response)
        days = page.days()
        window = self._window()
        for day, url in days:
            if window is not None:
                wanted = window[0] <= day <= window[1]
            else:
                wanted = day in self._days_taken or len(self._days_taken) < SITE.default_days
            if wanted:
                self._days_taken.add(day)
                yield from self.follow_all([url])
        oldest = min((day for day, _ in days), default=None)
        if window is not None:
            more = oldest is not None and oldest > window[0]
        else:
            more = bool(days) and len(self._days_taken) < SITE.default_days
        if more and (next_url := page.next_url()):
            yield from self.follow_all([next_url])
