"""What every site's demo archive builder shares: captures, fixture pages, the WARC writing.

A site's builder (`demo/build_demo.py` for ask39, `demo/build_120ask.py` …) renders its demo
site — index, lists, questions, bad pages — as `Capture`s, adds its fixture pages
(`fixture_pages`, `fixture_capture`), and writes them with `write_archive`. Capture dates and
record ids are fixed, so a rebuild from the same inputs gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

from w3lib.encoding import html_body_declared_encoding
from warcio.warcwriter import WARCWriter

from medcrawl import __version__
from medcrawl.archive.warc import write_capture

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = f"medcrawl/{__version__} (+https://github.com/medcrawl/medcrawl)"
REQUEST_HEADERS = [
    ("User-Agent", USER_AGENT),
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("Accept-Language", "zh-CN,zh;q=0.9"),
    ("Accept-Encoding", "gzip, deflate"),
]
STEMS = ("questions", "answers", "causes", "encyclopedia", "drugs", "doctors")


@dataclass
class Capture:
    """One response of a demo site, as it was served."""

    url: str
    body: bytes
    date: datetime
    status: str = "200 OK"
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "text/html; charset=utf-8"


@dataclass
class FixturePage:
    """A fixture page (`tests/fixtures/<site>/<name>.html` + `.json`)."""

    name: str
    url: str
    fetched_at: datetime
    expected: dict
    headers: dict
    path: Path


def fixture_pages(
    folder: Path, url: Callable[[str], str] = str, fetched_at: datetime | None = None
) -> list[FixturePage]:
    """The fixture pages of a folder, one per URL (the first by name when two share one).
    `url` maps a fixture's URL to the one it is archived under (a site whose crawl asks for
    canonical URLs only archives a page fetched as `http://…` under its canonical form);
    `fetched_at` is the capture date of a fixture that names none (bad pages)."""
    pages: dict[str, FixturePage] = {}
    for path in sorted(folder.glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        html = path.with_suffix(".html")
        where = url(meta["url"])
        if not html.exists() or where in pages:
            continue
        pages[where] = FixturePage(
            name=path.stem,
            url=where,
            fetched_at=datetime.fromisoformat(meta["fetched_at"])
            if "fetched_at" in meta
            else fetched_at or datetime.fromisoformat("2026-11-20T08:00:00+00:00"),
            expected=meta.get("items", {}),
            headers=meta.get("headers", {}),
            path=html,
        )
    return list(pages.values())


def fixture_capture(page: FixturePage) -> Capture:
    """A fixture page's raw bytes under its URL, captured when it was fetched, with the
    `Content-Type` it was served with (its declared charset when the fixture names none)."""
    body = page.path.read_bytes()
    declared = html_body_declared_encoding(body)
    content_type = page.headers.get(
        "Content-Type", f"text/html; charset={declared}" if declared else "text/html"
    )
    return Capture(page.url, body, page.fetched_at, content_type=content_type)


def fixture_ids(pages: Iterable[FixturePage]) -> dict[str, set[str]]:
    """The ids of every item the fixture pages expect, per output file."""
    out: dict[str, set[str]] = {stem: set() for stem in STEMS}
    for page in pages:
        for stem, items in page.expected.items():
            out[stem].update(item["id"] for item in items)
    return out


def http_headers(
    c: Capture, body: bytes, gzipped: frozenset[str], chunked: frozenset[str]
) -> list[tuple[str, str]]:
    headers = [("Server", "nginx"), ("Date", format_datetime(c.date, usegmt=True))]
    if c.body or not c.headers:
        headers.append(("Content-Type", c.content_type))
    headers += c.headers
    if c.url in gzipped:
        headers.append(("Content-Encoding", "gzip"))
    if c.url in chunked:
        headers.append(("Transfer-Encoding", "chunked"))
    else:
        headers.append(("Content-Length", str(len(body))))
    return [*headers, ("Vary", "Accept-Encoding"), ("Cache-Control", "private")]


def served_body(c: Capture, gzipped: frozenset[str], chunked: frozenset[str]) -> bytes:
    """The body bytes as they crossed the wire: gzip-compressed and/or chunked."""
    body = gzip.compress(c.body, mtime=0) if c.url in gzipped else c.body
    if c.url in chunked:
        size = 4096
        chunks = [body[i : i + size] for i in range(0, len(body), size)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(ch), ch) for ch in chunks) + b"0\r\n\r\n"
    return body


def write_archive(
    path: Path,
    captures: Iterable[Capture],
    *,
    gzipped: Iterable[str] = (),
    chunked: Iterable[str] = (),
) -> Path:
    """Write `captures` to a WARC file at `path`, each stored as served: the URLs in
    `gzipped` with `Content-Encoding: gzip`, those in `chunked` chunked."""
    gz, ch = frozenset(gzipped), frozenset(chunked)
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for c in captures:
            body = served_body(c, gz, ch)
            write_capture(
                writer,
                c.url,
                body,
                date=c.date,
                status=c.status,
                headers=http_headers(c, body, gz, ch),
                request_headers=REQUEST_HEADERS,
            )
    return path
