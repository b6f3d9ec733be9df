"""ask.39.net (39问医生): routing only. What the pages hold is `medcrawl.sites.ask39.pages`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scrapy.http import Response, TextResponse

from medcrawl.sites.ask39.pages import Ask39IndexPage, Ask39ListPage, Ask39RelatedBox
from medcrawl.sites.ask39.site import INDEX_URL, LIST_URL, SITE
from medcrawl.sites.spider import QASpider


class Ask39Spider(QASpider):
    """Category index → category list pages (paged) → question pages → related questions."""

    name = SITE.key
    site = SITE

    def related_urls(self, response: TextResponse) -> Iterable[str]:
        return self.open_page(Ask39RelatedBox, response).question_urls()

    def parse(self, response: Response) -> Iterator[object]:
        """Route any start or followed URL by its shape."""
        url = response.url
        if SITE.is_question_url(url) or not isinstance(response, TextResponse):
            yield from self.parse_question(response)
        elif LIST_URL.match(url):
            yield from self.parse_list(response)
        elif INDEX_URL.match(url):
            yield from self.parse_index(response)
        else:
            yield from self.parse_question(response)  # a redirect or an unknown page: classify it

    def parse_index(self, response: Response) -> Iterator[object]:
        urls = self.open_page(Ask39IndexPage, response).list_urls()
        yield from self.follow_all(
            url for url in urls if not self.categories or SITE.list_category(url) in self.categories
        )

    def parse_list(self, response: Response) -> Iterator[object]:
        page = self.open_page(Ask39ListPage, response)
        yield from self.follow_list(page.entries(), page.next_url)
