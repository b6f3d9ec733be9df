"""Downloader middlewares: replay from a WARC archive, and encoding repair for CJK pages."""

from __future__ import annotations

from email.utils import format_datetime

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from medcrawl.redirect import same_page_redirect
from medcrawl.warc import WarcIndex


class ReplayMiddleware:
    """Answer every request from a WARC archive (`MEDCRAWL_REPLAY`, or `-a replay=PATH`).

    A URL the archive does not hold gets a 404 — the network is never used. Archived
    redirects and error statuses are replayed as they were. A capture without a `Date`
    header gets its WARC-Date, so relative dates on the page count from the capture.
    """

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.stats = crawler.stats
        self.index = WarcIndex(path)
        crawler.signals.connect(self.index.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        path = crawler.settings.get("MEDCRAWL_REPLAY")
        if not path:
            # Off in an ordinary run: no message, so Scrapy logs no warning about it.
            raise NotConfigured
        return cls(crawler, path)

    def process_request(self, request: Request, spider: Spider | None = None) -> Response:
        capture = self.index.get(request.url)
        if capture is None:
            self.stats.inc_value("medcrawl/replay/miss")
            return Response(request.url, status=404, request=request, flags=["replay-miss"])
        self.stats.inc_value("medcrawl/replay/hit")
        headers = Headers(capture.headers)
        if b"Date" not in headers and capture.date:
            headers[b"Date"] = format_datetime(capture.date, usegmt=True)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=capture.body)
        return cls(
            url=request.url,
            status=capture.status,
            headers=headers,
            body=capture.body,
            request=request,
            flags=["replay"],
        )


class EncodingFallbackMiddleware:
    """Decode undeclared, non-UTF-8 pages with `MEDCRAWL_FALLBACK_ENCODING` (gb18030).

    Older Chinese pages serve GBK without a charset; Scrapy then guesses, and a short GBK
    page can come out as another CJK codec. A declared charset or a BOM is always kept.
    """

    def __init__(self, crawler: Crawler, encoding: str) -> None:
        self.stats = crawler.stats
        self.encoding = encoding

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingFallbackMiddleware:
        encoding = crawler.settings.get("MEDCRAWL_FALLBACK_ENCODING")
        if not encoding:
            raise NotConfigured("MEDCRAWL_FALLBACK_ENCODING is empty")
        return cls(crawler, encoding)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        body = response.body
        declared = (
            http_content_type_encoding(response.headers.get(b"Content-Type", b"").decode("latin-1"))
            or read_bom(body)[0]
            or html_body_declared_encoding(body)
        )
        if declared:
            return response
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            self.stats.inc_value(f"medcrawl/encoding/fallback_{self.encoding}")
            return rebuilt(response, encoding=self.encoding)
        return rebuilt(response, encoding="utf-8")


def rebuilt(response: Response, **changes: object) -> Response:
    """`response.replace(**changes)` without reading the old response's encoding, which the
    new one derives again unless `encoding` is among `changes`. replace() reads every
    attribute, and reading `.encoding` of a page that declares none runs Scrapy's charset
    guess (charset-normalizer, ~4 ms a page) — the work EncodingFallbackMiddleware avoids."""
    kept = (name for name in response.attributes if name != "encoding" and name not in changes)
    return type(response)(**{name: getattr(response, name) for name in kept}, **changes)


class CanonicalUrlMiddleware:
    """Put every request in the spider's canonical form (`spider.canonical_url`), redirect
    targets included: a question reached by a redirect to `http://…?from=x` is still one
    URL, so Scrapy's dupefilter fetches it once. A request not yet canonical is sent back to
    the scheduler in canonical form (and dropped there if that page was already asked for).
    A redirect from a page to another form of itself is fetched as is: its canonical form is
    the page already asked for (see medcrawl.redirect)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalUrlMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        canonical = getattr(self.crawler.spider, "canonical_url", None)
        if canonical is None:
            return None
        url = canonical(request.url)
        if url == request.url or same_page_redirect(request, self.crawler.spider):
            return None
        self.crawler.stats.inc_value("medcrawl/canonicalised")
        return request.replace(url=url)
