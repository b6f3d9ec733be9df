"""ask39 whose pages raise in places: a stand-in for parser bugs no fixture shows yet. A question
page whose parse raises must become one `parse_error` reject, a list page whose pager raises a
`parse_error` reject that keeps the questions it had followed — never a `Spider error
processing` line."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.http import Response

from medcrawl.extract.assemble import QuestionParts
from medcrawl.sites.ask39.pages import Ask39ListPage, Ask39QuestionPage
from medcrawl.sites.ask39.spider import Ask39Spider

#: The question whose parse raises.
RAISES_ID = "90000009"


class RaisingPage(Ask39QuestionPage):
    def parts(self) -> QuestionParts:
        if self.native_id == RAISES_ID:
            raise RuntimeError("a parser bug")
        return super().parts()


class RaisingListPage(Ask39ListPage):
    def next_url(self) -> str | None:
        raise RuntimeError("a pager bug")


class HostileAsk39Spider(Ask39Spider):
    name = "ask39_hostile"

    @property
    def page_class(self) -> type[Ask39QuestionPage]:
        return RaisingPage

    def parse_list(self, response: Response) -> Iterator[object]:
        page = self.open_page(RaisingListPage, response)
        yield from self.follow_list(page.entries(), page.next_url)
