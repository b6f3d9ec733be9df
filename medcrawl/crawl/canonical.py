"""Every request in its site's canonical URL form, so Scrapy's dupefilter sees a page once."""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler

from medcrawl.crawl.redirect import same_page_redirect
from medcrawl.sites.base import site_of


class CanonicalUrlMiddleware:
    """Put every request in the spider's canonical form (the site's `canonical_url`), redirect
    targets included: a question reached by a redirect to `http://…?from=x` is still one
    URL, so Scrapy's dupefilter fetches it once. A request not yet canonical is sent back to
    the scheduler in canonical form (and dropped there if that page was already asked for).
    A redirect from a page to another form of itself is fetched as is: its canonical form is
    the page already asked for (see medcrawl.crawl.redirect)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalUrlMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        site = site_of(self.crawler.spider)
        if site is None:
            return None
        url = site.canonical_url(request.url)
        if url == request.url or same_page_redirect(request, self.crawler.spider):
            return None
        self.crawler.stats.inc_value("medcrawl/canonicalised")
        return request.replace(url=url)
