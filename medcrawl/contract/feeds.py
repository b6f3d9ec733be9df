"""Output files that are whole or absent, and whole pages at any moment.

Every feed is written as `<name>.jsonl.part` and renamed to `<name>.jsonl` when the run
closes (Scrapy's feed exporter calls `store()` on every close, Ctrl-C included, before it
sends `feed_exporter_closed`), so an analyst never loads half a file. A run that is killed
leaves its `.part` files; with the incremental state, `settle` cuts them back to the last
checkpoint and names them `.jsonl` (see README, "Incremental and resumable runs").

While a run writes, a feed's lines wait in memory until the page they came from is through
the pipelines (`medcrawl.contract.commit`); then every file's waiting lines are written and
flushed together, parent files first (`COMMIT_ORDER`). So a killed run's `.part` files hold
whole lines up to the last finished page, and every id a line links is in its file.

A run that could not write (`medcrawl.contract.output`) renames its files `<name>.jsonl.failed`
instead: kept to look at, never taken for a result.
"""

from __future__ import annotations

import logging
import os
from contextlib import suppress
from pathlib import Path
from typing import IO, Any
from weakref import WeakKeyDictionary

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage

from medcrawl.contract.output import OutputFailed, output_failed, record_failure

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
FAILED_SUFFIX = ".failed"
#: Files whose records others link to come first: a kill between two files' flushes leaves
#: a record that nothing links yet, never a link to a record that is not there.
COMMIT_ORDER = ("encyclopedia", "drugs", "doctors", "questions", "answers", "causes", "rejects")
#: Lines held past this many bytes are written at once (whole lines, perhaps half a page):
#: memory stays bounded even if no page boundary comes.
MAX_PENDING_BYTES = 8 << 20

#: The file storages of each crawl, so pages can be committed and a checkpoint can flush them.
_STORAGES: WeakKeyDictionary[Crawler, list[AtomicFileFeedStorage]] = WeakKeyDictionary()


def part_path(final: Path) -> Path:
    return final.with_name(final.name + PART_SUFFIX)


def failed_path(final: Path) -> Path:
    return final.with_name(final.name + FAILED_SUFFIX)


def _rank(storage: AtomicFileFeedStorage) -> int:
    stem = storage.final.name.split(".", 1)[0]
    return COMMIT_ORDER.index(stem) if stem in COMMIT_ORDER else len(COMMIT_ORDER)


class PageFile:
    """The file object a feed exporter writes to. Its writes (one whole line each) wait in
    memory until `commit()` writes and flushes them; a write that fails is recorded
    (`record_failure`), and the file takes no more."""

    def __init__(self, storage: AtomicFileFeedStorage, file: IO[bytes] | None) -> None:
        self.storage = storage
        self.file = file
        self.pending: list[bytes] = []
        self.pending_bytes = 0

    @property
    def closed(self) -> bool:
        return self.file is None or self.file.closed

    def write(self, data: bytes) -> int:
        if self.file is not None:
            self.pending.append(data)
            self.pending_bytes += len(data)
            if self.pending_bytes > MAX_PENDING_BYTES:
                self.commit()
        return len(data)

    def flush(self) -> None:
        """Nothing: lines reach the disk a page at a time (`commit`)."""

    def commit(self) -> None:
        """Write and flush the waiting lines."""
        if self.file is None or not self.pending:
            return
        data, self.pending, self.pending_bytes = b"".join(self.pending), [], 0
        try:
            self.file.write(data)
            self.file.flush()
        except OSError as error:
            self.storage.fail(error)

    def sync(self) -> int | None:
        """Commit, fsync; the file's size (None when it failed)."""
        self.commit()
        if self.file is None:
            return None
        try:
            os.fsync(self.file.fileno())
            return os.fstat(self.file.fileno()).st_size
        except OSError as error:
            self.storage.fail(error)
            return None

    def close(self) -> None:
        if self.file is not None:
            with suppress(OSError):  # what it could not flush has failed already
                self.file.close()


class AtomicFileFeedStorage(FileFeedStorage):
    """A local feed written under a temporary name and renamed into place by `store()`.

    Appending (a feed with `overwrite: False`, or a resumed run — `spider.continues_run`)
    moves the finished file back to `.part` first and appends to it.
    """

    def __init__(
        self,
        uri: str,
        *,
        feed_options: dict[str, Any] | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler
        self.final = Path(self.path)
        self.part = part_path(self.final)
        self.file: PageFile | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AtomicFileFeedStorage:
        storage = cls(uri, feed_options=feed_options, crawler=crawler)
        storages = _STORAGES.setdefault(crawler, [])
        storages.append(storage)
        storages.sort(key=_rank)  # parent files first, once (commits come once a page)
        return storage

    def open(self, spider: Spider) -> PageFile:
        append = self.write_mode == "ab" or getattr(spider, "continues_run", False)
        try:
            self.part.parent.mkdir(parents=True, exist_ok=True)
            if append and self.final.exists():
                os.replace(self.final, self.part)
            if append:
                trim_partial_line(self.part)
            self.file = PageFile(self, self.part.open("ab" if append else "wb"))
        except OSError as error:
            self.file = PageFile(self, None)
            self.fail(error)
        return self.file

    def fail(self, error: OSError) -> None:
        """This file could not be written: record it (the run fails) and take no more."""
        if self.file is not None:
            self.file.close()
            self.file.file = None
        if self.crawler is not None:
            record_failure(self.crawler, error, str(self.part))
        else:
            raise error

    def store(self, file: IO[bytes]) -> None:
        """Rename `.part` into place — or, when the run could not write its output, to
        `.failed` (and raise: this feed was not stored)."""
        size = self.file.sync() if self.file is not None else None
        if self.file is not None:
            self.file.close()
        if output_failed(self.crawler) or size is None:
            self._mark_failed()
            raise OutputFailed(
                f"the run could not write its output; kept as {failed_path(self.final).name}"
            )
        try:
            os.replace(self.part, self.final)
        except OSError as error:
            self.fail(error)
            self._mark_failed()
            raise

    def _mark_failed(self) -> None:
        """`.part` → `.failed`, so it is never taken for a result (removed if even that fails)."""
        if not self.part.exists():
            return
        try:
            os.replace(self.part, failed_path(self.final))
        except OSError:
            self.part.unlink(missing_ok=True)

    def commit(self) -> None:
        if self.file is not None:
            self.file.commit()

    def committed_size(self) -> int | None:
        """Commit and fsync what was written and return the file's size; for a file not
        opened (yet), the size of the finished file that is there, if any."""
        if self.file is not None and not self.file.closed:
            return self.file.sync()
        if self.final.exists():
            return self.final.stat().st_size
        return None


def commit_pages(crawler: Crawler) -> None:
    """Write every output file's waiting lines, parent files first."""
    for storage in _STORAGES.get(crawler, []):
        storage.commit()


def committed_sizes(crawler: Crawler) -> dict[str, int] | None:
    """Flush every output file of the crawl to disk: {final path: bytes in it}. Files not
    written (yet) count 0, so that `settle` knows them as this run's. None when the run
    could not write its output: no size then says what the files hold."""
    sizes: dict[str, int] = {}
    for storage in _STORAGES.get(crawler, []):
        if "%(" in str(storage.final):  # built by the feed exporter only to check the URI
            continue
        sizes[str(storage.final.resolve())] = storage.committed_size() or 0
    return None if output_failed(crawler) else sizes


def settle(committed: dict[str, int]) -> None:
    """Make a killed run's output (or one that could not write: `.failed`) what its last
    checkpoint says: each file cut to the committed size and renamed to its final name, or
    removed when nothing of it counts."""
    for name, size in committed.items():
        final = Path(name)
        candidates = (part_path(final), failed_path(final), final)
        source = next((p for p in candidates if p.exists()), None)
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
