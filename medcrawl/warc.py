"""Reading WARC archives (ISO 28500) with warcio: an index of captured responses by URL.

Used by the replay middleware; any standard WARC works (ours, a web archive's, Common
Crawl's). Bodies are read on demand by offset, so large archives cost only their index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from w3lib.url import canonicalize_url
from warcio.archiveiterator import ArchiveIterator

logger = logging.getLogger(__name__)

# Headers that describe the stored bytes, not the decoded body warcio gives back.
_TRANSPORT_HEADERS = frozenset({"transfer-encoding", "content-encoding", "content-length"})


def url_key(url: str) -> str:
    """One key for the forms of a URL: http/https, query order and fragment don't matter."""
    canonical = canonicalize_url(url.strip("<> "), keep_fragments=False)
    return canonical.split(":", 1)[1] if ":" in canonical else canonical


def warc_files(path: str | Path) -> list[Path]:
    """The WARC files at `path`: the file itself, or `*.warc` / `*.warc.gz` in a folder."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.name.endswith((".warc", ".warc.gz")))
    if path.is_file():
        return [path]
    raise FileNotFoundError(f"no WARC file or folder at {path}")


@dataclass
class Capture:
    """One archived HTTP response, decoded."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    date: str | None


class WarcIndex:
    """Captured responses by URL key; the latest capture of a URL wins."""

    def __init__(self, path: str | Path) -> None:
        self.files = warc_files(path)
        self._where: dict[str, tuple[int, int]] = {}
        self._handles: dict[int, IO[bytes]] = {}
        for n, file in enumerate(self.files):
            with file.open("rb") as stream:
                iterator = ArchiveIterator(stream)
                for record in iterator:
                    if record.rec_type == "response" and record.http_headers is not None:
                        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                        self._where[url_key(uri)] = (n, iterator.get_record_offset())
        logger.info("Replay index: %d captures in %d WARC file(s)", len(self), len(self.files))

    def __len__(self) -> int:
        return len(self._where)

    def get(self, url: str) -> Capture | None:
        """The capture of `url`, or None when the archive does not hold it."""
        where = self._where.get(url_key(url))
        if where is None:
            return None
        n, offset = where
        stream = self._handles.get(n) or self._handles.setdefault(n, self.files[n].open("rb"))
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        headers = [
            (k, v) for k, v in record.http_headers.headers if k.lower() not in _TRANSPORT_HEADERS
        ]
        return Capture(
            url=(record.rec_headers.get_header("WARC-Target-URI") or url).strip("<>"),
            status=int(record.http_headers.get_statuscode() or 200),
            headers=headers,
            body=record.content_stream().read(),
            date=record.rec_headers.get_header("WARC-Date"),
        )

    def close(self) -> None:
        for stream in self._handles.values():
            stream.close()
        self._handles.clear()
