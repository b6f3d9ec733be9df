"""Encoding repair for CJK pages whose charset is missing or wrong."""

from __future__ import annotations

import codecs

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom


class EncodingFallbackMiddleware:
    """Decode every page by what its bytes are when its charset is missing or wrong.

    Older Chinese pages serve GBK without a charset; Scrapy then guesses, and a short GBK
    page can come out as another CJK codec: an undeclared page is UTF-8 when its bytes are,
    else `MEDCRAWL_FALLBACK_ENCODING` (gb18030, which decodes GBK and gb2312 and the
    characters beyond them). A declared charset is kept unless the bytes contradict it: bytes
    that are valid UTF-8 with multi-byte characters are UTF-8 whatever the page declares (GBK
    text practically never is valid UTF-8), and a page declared UTF-8 whose bytes are not is
    decoded with the fallback when they are valid in it; bytes damaged so that they are valid
    in none are read the way that breaks the fewest characters. A BOM always wins.
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
        if read_bom(body)[0]:
            return response
        declared = http_content_type_encoding(
            response.headers.get(b"Content-Type", b"").decode("latin-1")
        ) or html_body_declared_encoding(body)
        actual = self.decoding(body, declared)
        if actual is None:
            return response
        if declared:
            self.stats.inc_value(f"medcrawl/encoding/declared_{declared}_decoded_{actual}")
        elif actual == self.encoding:
            self.stats.inc_value(f"medcrawl/encoding/fallback_{self.encoding}")
        return rebuilt(response, encoding=actual)

    def decoding(self, body: bytes, declared: str | None) -> str | None:
        """The encoding to decode `body` with, or None to keep the one it declares."""
        if _valid(body, "utf-8"):
            keep = declared and (_is_utf8(declared) or body.isascii())
            return None if keep else "utf-8"
        if declared and not _is_utf8(declared) and _valid(body, declared):
            return None
        if _valid(body, self.encoding):
            return self.encoding
        # Damaged bytes, valid in none: the reading with the fewest broken characters.
        candidates = [c for c in (declared, self.encoding, "utf-8") if c]
        best = min(candidates, key=lambda encoding: _broken(body, encoding))
        return None if best == declared else best


def _valid(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _broken(body: bytes, encoding: str) -> int:
    """How many characters of `body` do not decode in `encoding`."""
    try:
        return body.decode(encoding, errors="replace").count("\ufffd")
    except LookupError:
        return len(body)


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def rebuilt(response: Response, **changes: object) -> Response:
    """`response.replace(**changes)` without reading the old response's encoding, which the
    new one derives again unless `encoding` is among `changes`. replace() reads every
    attribute, and reading `.encoding` of a page that declares none runs Scrapy's charset
    guess (charset-normalizer, ~4 ms a page) — the work EncodingFallbackMiddleware avoids."""
    kept = (name for name in response.attributes if name != "encoding" and name not in changes)
    return type(response)(**{name: getattr(response, name) for name in kept}, **changes)
