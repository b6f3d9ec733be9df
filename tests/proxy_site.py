"""A local stand-in for a site, for crawls in tests: an HTTP proxy on 127.0.0.1 that serves
canned pages by URL, so the crawl asks for the real site's URLs (`http://ask.39.net/…`,
routing and ids unchanged) and never leaves the machine.

Run a crawl with `http_proxy=<server.url>` in its environment (Scrapy's HttpProxyMiddleware
reads it). Pages are served as a server would: compressed when the client accepts the
page's encoding, chunked when asked, with a `Date` header.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from backports import zstd  # Scrapy's own zstd dependency on Python < 3.14

_COMPRESS = {"gzip": lambda b: gzip.compress(b, mtime=0), "zstd": zstd.compress}


@dataclass
class Page:
    """One canned answer: a body, or a redirect (`location`), how to encode it."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    encoding: str | None = None  # "gzip" or "zstd", used when the request accepts it
    chunked: bool = False
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        key = f"{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        self.server.seen.append(self.path)
        page = self.server.pages.get(key) or Page(b"not here", status=404)
        body, headers = page.body, {"Content-Type": page.content_type, **page.headers}
        accepted = self.headers.get("Accept-Encoding", "")
        if page.encoding and page.encoding in accepted:
            body = _COMPRESS[page.encoding](body)
            headers["Content-Encoding"] = page.encoding
        if page.location:
            headers["Location"] = page.location
        if "Date" in headers:  # a capture's own date
            self.send_response_only(page.status)
        else:
            self.send_response(page.status)  # adds Date and Server
        for name, value in headers.items():
            self.send_header(name, value)
        if page.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(body) // 2
            for part in (body[:half], body[half:], b""):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: dict[str, Page]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = pages
        self.seen: list[str] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


@contextmanager
def proxy_site(pages: dict[str, Page]) -> Iterator[_Server]:
    """Serve `pages` (keyed `host/path?query`) until the block ends."""
    server = _Server(pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
