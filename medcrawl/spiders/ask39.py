"""ask.39.net (39问医生): routing only. What the pages hold is `medcrawl.pages.ask39`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scrapy.http import Response, TextResponse

from medcrawl.pages import ask39
from medcrawl.pages.ask39 import (
    INDEX_URL,
    LIST_URL,
    QUESTION_URL,
    Ask39IndexPage,
    Ask39ListPage,
    Ask39QuestionPage,
)
from medcrawl.spiders.base import QASpider, fetched_at


class Ask39Spider(QASpider):
    """Category index → category list pages (paged) → question pages → related questions."""

    name = "ask39"
    allowed_domains = ("39.net",)
    page_class = Ask39QuestionPage
    default_start = ("https://ask.39.net/browse/jibing.html",)

    def canonical_url(self, url: str) -> str:
        return ask39.canonical_url(url)

    def is_question_url(self, url: str) -> bool:
        return QUESTION_URL.match(url) is not None

    def question_url(self, native_id: str) -> str:
        return ask39.question_url(native_id)

    def category_url(self, category: str) -> str:
        return ask39.list_url(category)

    def related_urls(self, response: TextResponse) -> Iterable[str]:
        return ask39.related_question_urls(response)

    def parse(self, response: Response) -> Iterator[object]:
        """Route any start or followed URL by its shape."""
        url = response.url
        if QUESTION_URL.match(url) or not isinstance(response, TextResponse):
            yield from self.parse_question(response)
        elif LIST_URL.match(url):
            yield from self.parse_list(response)
        elif INDEX_URL.match(url):
            yield from self.parse_index(response)
        else:
            yield from self.parse_question(response)  # a redirect or an unknown page: classify it

    def parse_index(self, response: Response) -> Iterator[object]:
        for url in Ask39IndexPage(response).list_urls():
            if not self.categories or ask39.list_class_id(url) in self.categories:
                yield self.follow(url)

    def parse_list(self, response: Response) -> Iterator[object]:
        page = Ask39ListPage(response, fetched_at(response))
        yield from self.follow_list(page.entries(), page.next_url())
