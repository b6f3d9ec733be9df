"""ask.39.net (39问医生): routing only. What the pages hold is `medcrawl.pages.ask39`."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.http import Response

from medcrawl.pages.ask39 import (
    INDEX_URL,
    LIST_URL,
    QUESTION_URL,
    Ask39IndexPage,
    Ask39ListPage,
    Ask39QuestionPage,
)
from medcrawl.spiders.base import QASpider


class Ask39Spider(QASpider):
    """Category index → category list pages (paged) → question pages."""

    name = "ask39"
    allowed_domains = ("39.net",)
    page_class = Ask39QuestionPage
    default_start = ("https://ask.39.net/browse/jibing.html",)

    def parse(self, response: Response) -> Iterator[object]:
        """Route any start or followed URL by its shape."""
        url = response.url
        if QUESTION_URL.match(url):
            yield from self.parse_question(response)
        elif LIST_URL.match(url):
            yield from self.parse_list(response)
        elif INDEX_URL.match(url):
            yield from self.parse_index(response)
        else:
            yield from self.parse_question(response)  # a redirect or an unknown page: classify it

    def parse_index(self, response: Response) -> Iterator[object]:
        for url in Ask39IndexPage(response).list_urls():
            yield self.follow(url)

    def parse_list(self, response: Response) -> Iterator[object]:
        page = Ask39ListPage(response)
        for url in page.question_urls():
            yield self.follow(url)
        next_url = page.next_url()
        if next_url:
            yield self.follow(next_url)
