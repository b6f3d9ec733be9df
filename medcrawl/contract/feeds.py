"""Output files that are whole or absent.

Every feed is written as `<name>.jsonl.part` and renamed to `<name>.jsonl` when the run
closes (Scrapy's feed exporter calls `store()` on every close, Ctrl-C included, before it
sends `feed_exporter_closed`), so an analyst never loads half a file. A run that is killed
leaves its `.part` files; with the incremental state, `settle` cuts them back to the last
checkpoint and names them `.jsonl` (see README, "Incremental and resumable runs").
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO, Any
from weakref import WeakKeyDictionary

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"

#: The file storages of each crawl, so a checkpoint can flush them.
_STORAGES: WeakKeyDictionary[Crawler, list[AtomicFileFeedStorage]] = WeakKeyDictionary()


def part_path(final: Path) -> Path:
    return final.with_name(final.name + PART_SUFFIX)


class AtomicFileFeedStorage(FileFeedStorage):
    """A local feed written under a temporary name and renamed into place by `store()`.

    Appending (a feed with `overwrite: False`, or a resumed run — `spider.continues_run`)
    moves the finished file back to `.part` first and appends to it.
    """

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.final = Path(self.path)
        self.part = part_path(self.final)
        self.file: IO[bytes] | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AtomicFileFeedStorage:
        storage = cls(uri, feed_options=feed_options)
        _STORAGES.setdefault(crawler, []).append(storage)
        return storage

    def open(self, spider: Spider) -> IO[bytes]:
        self.part.parent.mkdir(parents=True, exist_ok=True)
        append = self.write_mode == "ab" or getattr(spider, "continues_run", False)
        if append and self.final.exists():
            os.replace(self.final, self.part)
        if append:
            trim_partial_line(self.part)
        self.file = self.part.open("ab" if append else "wb")
        return self.file

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.replace(self.part, self.final)

    def committed_size(self) -> int | None:
        """Flush what was written to disk and return the file's size; for a file not
        opened (yet), the size of the finished file that is there, if any."""
        if self.file is not None and not self.file.closed:
            self.file.flush()
            os.fsync(self.file.fileno())
            return os.fstat(self.file.fileno()).st_size
        if self.final.exists():
            return self.final.stat().st_size
        return None


def committed_sizes(crawler: Crawler) -> dict[str, int]:
    """Flush every output file of the crawl to disk: {final path: bytes in it}. Files not
    written (yet) count 0, so that `settle` knows them as this run's."""
    sizes: dict[str, int] = {}
    for storage in _STORAGES.get(crawler, []):
        if "%(" in str(storage.final):  # built by the feed exporter only to check the URI
            continue
        sizes[str(storage.final.resolve())] = storage.committed_size() or 0
    return sizes


def settle(committed: dict[str, int]) -> None:
    """Make a killed run's output what its last checkpoint says: each file cut to the
    committed size and renamed to its final name, or removed when nothing of it counts."""
    for name, size in committed.items():
        final = Path(name)
        source = next((p for p in (part_path(final), final) if p.exists()), None)
        if source is None:
            continue
        if size == 0:
            source.unlink()
            continue
        if source.stat().st_size > size:
            with source.open("r+b") as file:
                file.truncate(size)
        os.replace(source, final)
        logger.info("Settled %s at %d bytes", final, size)


def write_whole(path: Path, text: str) -> None:
    """Write a small file so that a reader (or a kill) sees the old content or the new, never
    half: a temporary file beside it, then a rename."""
    temp = path.with_name(f"{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def trim_partial_line(path: Path) -> None:
    """Drop an unfinished last line (a process killed mid-write), so appending keeps the
    file valid JSON Lines."""
    if not path.exists():
        return
    with path.open("r+b") as file:
        end = file.seek(0, os.SEEK_END)
        pos = end
        while pos > 0:
            step = min(65536, pos)
            file.seek(pos - step)
            chunk = file.read(step)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                pos = pos - step + newline + 1
                break
            pos -= step
        if pos < end:
            file.truncate(pos)
