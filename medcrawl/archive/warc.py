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
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from w3lib.url import canonicalize_url, safe_url_string
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

# Headers that describe the stored bytes, not the decoded body warcio gives back.
_FRAMING_HEADERS = frozenset({"transfer-encoding", "content-length"})
_DEFAULT_PORT = re.compile(r"^(//[^/?#]*?):(?:80|443)(?=[/?#]|$)")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: What warcio raises on a damaged archive: not WARC, a broken gzip member, a cut stream —
#: and, on some cuts inside a record's headers, AttributeError.
_UNREADABLE = (ArchiveLoadFailed, zlib.error, EOFError, ValueError, AttributeError)


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


def check_archive(path: str | Path) -> list[Path]:
    """The WARC files at `path`, each checked to start with a readable WARC record; else
    ValueError saying which file is not one (never the bytes it holds). Cheap: one record a
    file. A file cut or damaged further on is found, and warned about, by `WarcIndex`."""
    try:
        files = warc_files(path)
    except FileNotFoundError as missing:
        raise ValueError(str(missing)) from None
    for file in files:
        try:
            with file.open("rb") as stream:
                first = next(iter(ArchiveIterator(stream)), None)
        except OSError as error:
            raise ValueError(f"cannot read {file}: {error.strerror or error}") from None
        except _UNREADABLE:
            first = False
        if first is not None and getattr(first, "format", "warc") != "warc":
            first = False  # warcio reads any text line as an ARC header
        if not first:
            what = "holds no WARC record" if first is None else "is not a WARC file"
            raise ValueError(f"{file} {what} (not WARC, or damaged at its start)")
    return files


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
        #: Records not served: cut short, or in an unreadable stretch of a file.
        self.lost = 0
        for n, file in enumerate(self.files):
            self._index_file(n, file)
        logger.info("Replay index: %d URLs in %d WARC file(s)", len(self), len(self.files))

    def _index_file(self, n: int, file: Path) -> None:
        """Index the responses of one file. A record cut short (a file truncated mid-record)
        is never served — half a page would parse as another page; an unreadable stretch
        ends the file. Either is one warning with what was lost."""
        records = 0
        with file.open("rb") as stream:
            iterator = ArchiveIterator(stream)
            try:
                for record in iterator:
                    offset = iterator.get_record_offset()
                    while record.raw_stream.read(1 << 16):  # to its end: is it whole?
                        pass
                    if record.raw_stream.limit:
                        url = record.rec_headers.get_header("WARC-Target-URI") or "no URL"
                        where = f"a {record.rec_type} of {url}, byte {offset}"
                        self._cut(file, f"at record {records + 1} ({where})", records)
                        return
                    records += 1
                    if record.rec_type == "response" and record.http_headers is not None:
                        self._add(record, n, offset)
            except _UNREADABLE as error:
                self.lost += 1
                logger.warning(
                    "Replay: %s is unreadable after record %d (%s): the rest of the file is "
                    "not replayed (at least 1 record lost)",
                    file,
                    records,
                    type(error).__name__,
                )
                return
            if iterator.offset < file.stat().st_size:  # a record cut inside its headers
                self._cut(file, f"after record {records} (byte {iterator.offset})", records)

    def _cut(self, file: Path, where: str, whole: int) -> None:
        self.lost += 1
        logger.warning(
            "Replay: %s is cut %s: 1 record lost, not replayed; the %d before it are",
            file,
            where,
            whole,
        )

    def _add(self, record: ArcWarcRecord, n: int, offset: int) -> None:
        """Index a response record, unless a later capture of its URL is held."""
        key = url_key(record.rec_headers.get_header("WARC-Target-URI") or "")
        date = warc_date(record.rec_headers.get_header("WARC-Date")) or _EPOCH
        held = self._where.get(key)
        if held is None or date >= held[0]:
            self._where[key] = (date, n, offset)

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
