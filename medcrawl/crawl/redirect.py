"""Following redirects without losing a page to the dupefilter.

Scrapy's RedirectMiddleware sends a redirect's target back through the scheduler, whose
dupefilter drops a URL already asked for — with no error, no errback, no reject. Three redirects
of the site would end there: one to another form of the same page (canonical again, so already
seen), one to the bot check at a fixed URL (seen at the first challenge), and one to another
page already asked for (two questions the site merged into one).
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from medcrawl.crawl.challenge import Challenged
from medcrawl.sites.base import site_of


def requested_url(request: Request) -> str:
    """The URL the spider asked for, before any redirect (to a challenge page, say)."""
    return request.meta.get("redirect_urls", [request.url])[0]


class Redirected(IgnoreRequest):
    """A request redirected to another page (`target`, canonical), which the spider follows as
    a link of its own: the dupefilter then fetches it once, whichever asked for it first."""

    reason = "redirected"

    def __init__(self, target: str) -> None:
        super().__init__(f"to {target}")
        self.target = target


def same_page_redirect(request: Request, spider: Spider | None) -> bool:
    """Whether `request` is a redirect to another form (`?from=x`, the `wapask` twin, http) of
    the page first asked for, by the spider's `canonical_url`."""
    site = site_of(spider)
    if site is None or "redirect_urls" not in request.meta:
        return False
    return site.canonical_url(request.url) == site.canonical_url(requested_url(request))


class SiteRedirectMiddleware(RedirectMiddleware):
    """Scrapy's RedirectMiddleware (600), except:

    - a redirect to the bot check (the site's `is_challenge_url`) is not followed: the
      request fails with `Challenged`, which the spider retries with backoff or rejects as
      `challenge` — under the URL asked for, counted as a challenge each time;
    - a redirect to another form of the page asked for is fetched as is, past the dupefilter
      (CanonicalUrlMiddleware leaves it alone too); `REDIRECT_MAX_TIMES` still ends a loop,
      as a `redirect_loop` reject;
    - a redirect to another page is not followed here: the request fails with `Redirected`,
      a `redirected` reject of the URL asked for ("to <the other page>"), and the spider
      follows that page as a link, which the dupefilter drops if it was already asked for (two
      questions the site merged). The outcome does not depend on which was asked for first.
    """

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if not isinstance(result, Request):
            return result
        spider = self.crawler.spider
        site = site_of(spider)
        if site is not None and site.is_challenge_url(result.url):
            raise Challenged(f"answered by {result.url}")
        if same_page_redirect(result, spider):
            result.dont_filter = True
        elif site is not None:
            raise Redirected(site.canonical_url(result.url))
        return result
