"""Is a JOBDIR's request queue whole? Checked before a resumed job starts.

Scrapy keeps a job's queue in `JOBDIR/requests.queue/` as queuelib disk queues: a LIFO queue
is one file, `[record][4-byte size]…` after a 4-byte count written on close; a FIFO queue
(start requests) is a folder of chunks `[4-byte size][record]…` and an `info.json` written
on close. A job killed mid-run (kill -9, a power cut) leaves them cut or stale, and Scrapy then
fails on resume (`struct.error: unpack requires a buffer of 4 bytes`) or silently skips pages.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

QUEUE_DIR = "requests.queue"
_SIZE = struct.Struct(">L")


def damaged_queue(jobdir: str | Path) -> str | None:
    """What is wrong with the job's saved queue (one phrase naming the file), or None when
    every queue file reads whole — or there is none."""
    root = Path(jobdir, QUEUE_DIR)
    if not root.is_dir():
        return None
    active = root / "active.json"
    if active.exists() and not _is_json(active):
        return f"{active.relative_to(jobdir)} is not readable JSON"
    for path in sorted(root.rglob("*")):
        if path.is_dir() or path.suffix == ".json":
            continue
        fifo = (path.parent / "info.json").exists() or path.name.startswith("q")
        problem = _fifo_chunk(path) if fifo else _lifo_file(path)
        if problem:
            return f"{path.relative_to(jobdir)}: {problem}"
    for info in root.rglob("info.json"):
        if not _is_json(info):
            return f"{info.relative_to(jobdir)} is not readable JSON"
    return None


def has_state(jobdir: str | Path) -> bool:
    """Whether Scrapy saved anything in the job: seen requests or queued ones."""
    seen = Path(jobdir, "requests.seen")
    queued = Path(jobdir, QUEUE_DIR)
    return (seen.is_file() and seen.stat().st_size > 0) or (
        queued.is_dir() and any(p.is_file() for p in queued.rglob("*"))
    )


def _is_json(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
    except ValueError:
        return False
    return True


def _lifo_file(path: Path) -> str | None:
    """A LIFO queue file: its records, walked back from the end by their sizes, must end
    exactly at the 4-byte count, and be as many as it says."""
    data = path.read_bytes()
    if len(data) < _SIZE.size:
        return f"{len(data)} bytes, shorter than its header"
    (count,) = _SIZE.unpack_from(data)
    end, found = len(data), 0
    while end > _SIZE.size:
        (size,) = _SIZE.unpack_from(data, end - _SIZE.size)
        end -= _SIZE.size + size
        found += 1
    if end != _SIZE.size:
        return "its records do not add up (cut mid-write)"
    if found != count:
        return f"holds {found} requests but says {count} (not closed)"
    return None


def _fifo_chunk(path: Path) -> str | None:
    """A FIFO queue chunk: `[size][record]` pairs that end exactly at the end of the file."""
    data = path.read_bytes()
    at = 0
    while at + _SIZE.size <= len(data):
        (size,) = _SIZE.unpack_from(data, at)
        at += _SIZE.size + size
    if at != len(data):
        return "its records do not add up (cut mid-write)"
    return None
