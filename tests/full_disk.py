"""A disk that fills up, for crawl tests: `FEED_STORAGES` pointing here makes every output
file's writes fail with ENOSPC once the run has written `FULL_DISK_BYTES` bytes in all —
what a real full disk does to the `.part` files (no root, no loop device needed)."""

from __future__ import annotations

import errno
import os
from typing import IO, Any

from scrapy import Spider
from scrapy.crawler import Crawler

from medcrawl.contract.feeds import AtomicFileFeedStorage, PageFile

SETTINGS = {
    "FEED_STORAGES": {"": f"{__name__}.FullDiskStorage", "file": f"{__name__}.FullDiskStorage"}
}


class Disk:
    """Bytes left on the disk, shared by every file of a crawl."""

    def __init__(self, free: int) -> None:
        self.free = free


class FullFile:
    """A file on `disk`: a write past its free space writes what fits, then fails."""

    def __init__(self, file: IO[bytes], disk: Disk) -> None:
        self.file, self.disk = file, disk

    def write(self, data: bytes) -> int:
        fits = data[: max(self.disk.free, 0)]
        self.file.write(fits)
        self.disk.free -= len(fits)
        if len(fits) < len(data):
            self.file.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.file.name)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)


class FullDiskStorage(AtomicFileFeedStorage):
    disks: dict[int, Disk] = {}  # noqa: RUF012  one disk per crawler

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AtomicFileFeedStorage:
        storage = super().from_crawler(crawler, uri, feed_options=feed_options)
        free = crawler.settings.getint("FULL_DISK_BYTES")
        storage.disk = cls.disks.setdefault(id(crawler), Disk(free))  # type: ignore[attr-defined]
        return storage

    def open(self, spider: Spider) -> PageFile:
        page_file = super().open(spider)
        if page_file.file is not None:
            page_file.file = FullFile(page_file.file, self.disk)  # type: ignore[attr-defined]
        return page_file
