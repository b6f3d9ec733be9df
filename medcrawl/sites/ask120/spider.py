"""www.120ask.com (快速问医生): routing only; what the pages hold is in `.pages`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scrapy.http import Response, TextResponse

from medcrawl.sites.ask120.pages import Ask120IndexPage, Ask120ListPage, Ask120RelatedBox
from medcrawl.sites.ask120.site import SITE
from medcrawl.sites.spider import QASpider


class Ask120Spider(QASpider):
    """Category tree (`list/`) → department lists (paged `over/<n>/`) → question pages →
    related questions. `-a categories=<slug,…>` takes department slugs (`erke`, `fuke`)."""

    name = SITE.key
    site = SITE

    def related_urls(self, response: TextResponse) -> Iterable[str]:
        return self.open_page(Ask120RelatedBox, response).question_urls()

    def parse(self, response: Response) -> Iterator[object]:
        """Route any start or followed URL by its shape."""
        url = response.url
        if SITE.is_question_url(url) or not isinstance(response, TextResponse):
            yield from self.parse_question(response)
        elif SITE.list_category(url):
            yield from self.parse_list(response)
        elif SITE.is_index_url(url):
            yield from self.parse_index(response)
        else:
            yield from self.parse_question(response)  # a redirect or an unknown page: classify it

    def parse_index(self, response: Response) -> Iterator[object]:
        urls = self.open_page(Ask120IndexPage, response).list_urls()
        yield from self.follow_all(
            url for url in urls if not self.categories or SITE.list_category(url) in self.categories
        )

    def parse_list(self, response: Response) -> Iterator[object]:
        page = self.open_page(Ask120ListPage, response)
        yield from self.follow_list(page.entries(), page.next_url)
