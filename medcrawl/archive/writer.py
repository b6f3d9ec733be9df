"""Archiving while crawling: every fetched response and its request into rotating, gzipped
WARC files (`-s MEDCRAWL_WARC=DIR`), standard records that warcio, pywb and Common Crawl
tooling read, and that `-a replay=DIR` answers a later crawl from.

Bodies are stored as the server sent them: gzip/br/zstd bytes stay compressed and keep their
`Content-Encoding`, so the archive holds what was received and the reader decodes it. Only
the chunked transfer framing is gone (the HTTP client removes it), so `Transfer-Encoding` is
not stored either — it would tell readers to de-chunk a body that no longer is.
"""

from __future__ import annotations

import logging
import socket
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import IO

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.utils.python import to_unicode
from warcio.warcwriter import WARCWriter

from medcrawl import __version__
from medcrawl.archive.warc import write_capture

logger = logging.getLogger(__name__)

#: Response headers not stored: they describe framing the HTTP client has already undone.
_UNSTORED = frozenset({b"transfer-encoding"})


def _header_list(headers: Headers, drop: frozenset[bytes] = frozenset()) -> list[tuple[str, str]]:
    """Scrapy `Headers` → `[(name, value)]`, one pair per value, latin-1 as on the wire."""
    return [
        (to_unicode(name, "latin-1"), to_unicode(value, "latin-1"))
        for name, values in headers.items()
        if name.lower() not in drop
        for value in values
    ]


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class WarcFiles:
    """Writes request/response records to `<dir>/<prefix>-<serial>.warc.gz`, starting a new
    file (with its own `warcinfo` record) once one reaches `max_bytes`.

    A file being written is named `….warc.gz.open` and renamed when it is complete, so a
    replay of the folder never reads a half-written file; every record is flushed as it is
    written, so even a killed crawl leaves complete records behind.
    """

    def __init__(self, folder: str | Path, prefix: str, max_bytes: int, info: dict) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.info = info
        self.serial = 0
        self._out: IO[bytes] | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        while True:  # a serial no other process (same run id, same folder) has taken
            path = self.folder / f"{self.prefix}-{self.serial:05d}.warc.gz"
            self.serial += 1
            if path.exists():
                continue
            try:
                self._out = open(f"{path}.open", "xb")  # noqa: SIM115 — closed in _close
            except FileExistsError:
                continue
            break
        self._path = path
        self._writer = WARCWriter(self._out, gzip=True)
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, self.info))
        return self._writer

    def write(self, request: Request, response: Response) -> None:
        """Archive one exchange: the `response` record, then its `request` record."""
        writer = self._writer or self._open()
        protocol = response.protocol if (response.protocol or "").startswith("HTTP/1") else None
        write_capture(
            writer,
            response.url,
            response.body,
            date=datetime.now(timezone.utc),
            status=_status_line(response.status),
            headers=_header_list(response.headers, _UNSTORED),
            request_headers=_header_list(request.headers),
            method=request.method,
            request_body=request.body,
            protocol=protocol or "HTTP/1.1",
            ip_address=None if response.ip_address is None else str(response.ip_address),
            fixed_ids=False,
        )
        assert self._out is not None
        self._out.flush()
        if self._out.tell() >= self.max_bytes:
            self.close()

    def close(self) -> None:
        """Finish the current file (if any) under its final name."""
        if self._out is None or self._path is None:
            return
        self._out.close()
        Path(f"{self._path}.open").rename(self._path)
        logger.info("WARC archive written: %s", self._path)
        self._out = self._writer = self._path = None


class ArchiveMiddleware:
    """Downloader middleware: archive every fetched response (`MEDCRAWL_WARC=DIR`).

    It sits closest to the downloader (see settings), so `process_response` sees the body
    before HttpCompressionMiddleware decodes it and a redirect before RedirectMiddleware
    follows it, and the request with every header the other middlewares added. Responses
    replayed from an archive are not archived again unless `MEDCRAWL_WARC_REPLAYED` is set
    (replay misses never are: no server sent them).
    """

    def __init__(self, crawler: Crawler, folder: str) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.folder = folder
        self.max_bytes = settings.getint("MEDCRAWL_WARC_MAX_BYTES")
        self.replayed = settings.getbool("MEDCRAWL_WARC_REPLAYED")
        self.files: WarcFiles | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        folder = crawler.settings.get("MEDCRAWL_WARC")
        if not folder:
            raise NotConfigured  # off by default: no warning on every crawl
        return cls(crawler, folder)

    def spider_opened(self, spider: Spider) -> None:
        run_id = getattr(spider, "run_id", None) or datetime.now(timezone.utc).strftime(
            "%Y%m%dT%H%M%SZ"
        )
        settings = self.crawler.settings
        info = {
            "software": f"medcrawl/{__version__} (Scrapy, warcio)",
            "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "isPartOf": f"{spider.name}-{run_id}",
            "hostname": socket.gethostname(),
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        }
        self.files = WarcFiles(
            self.folder, f"medcrawl-{spider.name}-{run_id}", self.max_bytes, info
        )

    def spider_closed(self, spider: Spider) -> None:
        if self.files is not None:
            self.files.close()

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        flags = set(response.flags)
        skip = "replay-miss" in flags or ("replay" in flags and not self.replayed)
        if self.files is None or skip:
            return response
        self.files.write(request, response)
        self.stats.inc_value("medcrawl/warc/records", 2)
        self.stats.inc_value("medcrawl/warc/response_bytes", len(response.body))
        return response
