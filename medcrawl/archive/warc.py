"""Reading and writing WARC archives (ISO 28500) with warcio.

`WarcIndex` finds the captured response of a URL; the replay middleware answers requests
from it. Any standard WARC works (ours, a web archive's, Common Crawl's). Bodies are read on
demand by offset, so a large archive costs only its index. `write_capture` writes one
request/response exchange with ids and digests that depend only on what is written, so a
rebuilt archive is byte-identical (the demo archive is built with it).
"""

from __future__ import annotations

import io
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from w3lib.url import canonicalize_url, safe_url_string
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

# Headers that describe the stored bytes, not the decoded body warcio gives back.
_FRAMING_HEADERS = frozenset({"transfer-encoding", "content-length"})
_DEFAULT_PORT = re.compile(r"^(//[^/?#]*?):(?:80|443)(?=[/?#]|$)")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def url_key(url: str) -> str:
    """One key for the forms of a URL: http/https, default port, query order and fragment
    don't matter."""
    canonical = canonicalize_url(url.strip("<> "), keep_fragments=False)
    rest = canonical.split(":", 1)[1] if ":" in canonical else canonical
    return _DEFAULT_PORT.sub(r"\1", rest)


def warc_date(value: str | None) -> datetime | None:
    """`2024-02-24T12:54:00Z` (any WARC-Date precision) → an aware UTC datetime."""
    if not value:
        return None
    try:
        return iso_date_to_datetime(value.strip(), tz_aware=True)
    except ValueError:
        return None


def warc_files(path: str | Path) -> list[Path]:
    """The WARC files at `path`: the file itself, or every `*.warc` / `*.warc.gz` under a
    folder. A path that holds none is an error, not an empty archive."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.name.endswith((".warc", ".warc.gz")))
        if not files:
            raise FileNotFoundError(f"no *.warc or *.warc.gz files in folder {path}")
        return files
    if path.is_file():
        return [path]
    raise FileNotFoundError(f"no WARC file or folder at {path}")


@dataclass
class Capture:
    """One archived HTTP response, its body decoded (chunked and gzip/deflate undone)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    date: datetime | None


class WarcIndex:
    """Captured responses by URL key; of several captures of a URL the latest (by
    WARC-Date) wins, whatever the file or record order.

    Only `response` records are served; `revisit` records (an unchanged page seen again)
    are skipped, so the original response they point to is served instead.
    """

    def __init__(self, path: str | Path) -> None:
        self.files = warc_files(path)
        self._where: dict[str, tuple[datetime, int, int]] = {}
        self._handles: dict[int, IO[bytes]] = {}
        for n, file in enumerate(self.files):
            with file.open("rb") as stream:
                iterator = ArchiveIterator(stream)
                for record in iterator:
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    key = url_key(record.rec_headers.get_header("WARC-Target-URI") or "")
                    date = warc_date(record.rec_headers.get_header("WARC-Date")) or _EPOCH
                    held = self._where.get(key)
                    if held is None or date >= held[0]:
                        self._where[key] = (date, n, iterator.get_record_offset())
        logger.info("Replay index: %d URLs in %d WARC file(s)", len(self), len(self.files))

    def __len__(self) -> int:
        return len(self._where)

    def get(self, url: str) -> Capture | None:
        """The latest capture of `url`, or None when the archive does not hold it."""
        where = self._where.get(url_key(url))
        if where is None:
            return None
        _, n, offset = where
        stream = self._handles.get(n) or self._handles.setdefault(n, self.files[n].open("rb"))
        return read_capture(stream, offset, url)

    def close(self) -> None:
        for stream in self._handles.values():
            stream.close()
        self._handles.clear()


def read_capture(stream: IO[bytes], offset: int, url: str = "") -> Capture:
    """The response record at `offset` of an open WARC file, its body decoded."""
    stream.seek(offset)
    record = next(iter(ArchiveIterator(stream)))
    http = record.http_headers
    decoded = (http.get_header("Content-Encoding") or "").lower()
    drop = _FRAMING_HEADERS
    if decoded in BufferedReader.get_supported_decompressors():
        drop = drop | {"content-encoding"}  # warcio decodes it; else Scrapy may
    return Capture(
        url=(record.rec_headers.get_header("WARC-Target-URI") or url).strip("<> "),
        status=int(http.get_statuscode() or 200),
        headers=[(k, v) for k, v in http.headers if k.lower() not in drop],
        body=record.content_stream().read(),
        date=warc_date(record.rec_headers.get_header("WARC-Date")),
    )


def _record_id(*parts: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, ' '.join(parts))}>"


def write_capture(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    date: datetime,
    status: str = "200 OK",
    headers: list[tuple[str, str]] | None = None,
    request_headers: list[tuple[str, str]] | None = None,
    method: str = "GET",
    request_body: bytes = b"",
    protocol: str = "HTTP/1.1",
    ip_address: str | None = None,
    fixed_ids: bool = True,
) -> None:
    """Write one exchange: a `response` record (`status`, `headers`, `body` exactly as
    served — chunked or gzip bytes stay so) and the `request` record that fetched it.

    With `fixed_ids`, record ids derive from the URL and `date`, so the same input gives the
    same bytes (the demo archive); a live crawl, which may fetch a URL twice in one second,
    takes random ones. A URL with non-ASCII characters is stored percent-encoded, as WARC
    requires.
    """
    url = safe_url_string(url)
    stamp = _warc_date(date)

    def record_id(kind: str) -> str:
        return _record_id(kind, stamp, url) if fixed_ids else f"<urn:uuid:{uuid.uuid4()}>"

    response_id = record_id("response")
    warc_headers = {"WARC-Record-ID": response_id, "WARC-Date": stamp}
    if ip_address:
        warc_headers["WARC-IP-Address"] = ip_address
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(status, headers or [], protocol=protocol),
        warc_headers_dict=warc_headers,
    )
    writer.write_record(response)
    host, _, path = url.split("://", 1)[-1].partition("/")
    request_headers = list(request_headers or [])
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", host))
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(request_body),
        length=len(request_body),
        http_headers=StatusAndHeaders(
            f"{method} /{path} HTTP/1.1", request_headers, is_http_request=True
        ),
        warc_headers_dict={
            "WARC-Record-ID": record_id("request"),
            "WARC-Date": stamp,
            "WARC-Concurrent-To": response_id,
        },
    )
    writer.write_record(request)


def _warc_date(moment: datetime) -> str:
    """`2026-11-26T09:20:00Z`, with microseconds when the moment has them (two fetches of a
    URL within a second keep their order: the latest capture wins on replay)."""
    utc = moment.astimezone(timezone.utc)
    fraction = f".{utc.microsecond:06d}" if utc.microsecond else ""
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
