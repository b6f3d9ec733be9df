"""The persistent state of incremental runs: one SQLite database per spider under
`MEDCRAWL_STATE_DIR` (`<dir>/<spider>.sqlite`).

`questions` remembers every question written by a run that got that far: its content hash,
when it was last fetched and when its content last changed. `runs` remembers each run's
folder and, per output file, how many bytes of it this state accounts for — so after a
kill -9 the next run can cut the dead run's files back to exactly what the state says was
written (see `medcrawl.contract.feeds.settle`).

Writes come in checkpoints, one transaction each (WAL mode: readers never block the writer,
a crash never corrupts the file); a killed run loses at most what it fetched since its last
checkpoint, and those pages are simply due again.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id           TEXT PRIMARY KEY,  -- `<site>:<native id>`
    url          TEXT NOT NULL,     -- canonical: how requests are looked up
    content_hash TEXT NOT NULL,     -- over the page's items minus volatile fields
    fetched_at   TEXT NOT NULL,     -- ISO 8601 UTC, when we last fetched it
    changed_at   TEXT NOT NULL,     -- when its content hash last changed (or first seen)
    run_id       TEXT NOT NULL      -- the run that fetched it last
);
CREATE INDEX IF NOT EXISTS questions_url ON questions (url);
CREATE TABLE IF NOT EXISTS runs (
    run_id        TEXT PRIMARY KEY,
    run_dir       TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    closed_at     TEXT,             -- NULL while it runs, or if it was killed
    finish_reason TEXT,
    committed     TEXT NOT NULL     -- JSON {output file path: bytes backed by this state}
);
"""


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Fetch:
    """What one fetch of a question page taught us."""

    id: str
    url: str
    content_hash: str
    fetched_at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class Run:
    run_id: str
    run_dir: str
    committed: dict[str, int]


class StateStore:
    """The state database of one spider. Not thread-safe; one per crawl process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across process crashes
        self.db.executescript(SCHEMA)

    def seen(self, question_id: str) -> Fetch | None:
        """The last committed fetch of a question, or None if no run has written it."""
        return self._fetch("id", question_id)

    def seen_url(self, url: str) -> Fetch | None:
        """The last committed fetch of the question at a (canonical) URL, or None."""
        return self._fetch("url", url)

    def _fetch(self, column: str, value: str) -> Fetch | None:
        row = self.db.execute(
            "SELECT id, url, content_hash, fetched_at, changed_at FROM questions"
            f" WHERE {column} = ? ORDER BY fetched_at DESC LIMIT 1",
            (value,),
        ).fetchone()
        if row is None:
            return None
        return Fetch(
            row[0], row[1], row[2], datetime.fromisoformat(row[3]), datetime.fromisoformat(row[4])
        )

    def begin_run(self, run_id: str, run_dir: str, committed: dict[str, int]) -> None:
        """Register a run (again, for a resumed one) as open."""
        self.db.execute(
            "INSERT INTO runs (run_id, run_dir, started_at, committed) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (run_id) DO UPDATE SET run_dir = excluded.run_dir,"
            " closed_at = NULL, finish_reason = NULL, committed = excluded.committed",
            (run_id, run_dir, utcnow().isoformat(), json.dumps(committed)),
        )

    def checkpoint(self, run_id: str, fetches: Iterable[Fetch], committed: dict[str, int]) -> None:
        """Record fetches and the output they are written in, in one transaction."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(
                "INSERT INTO questions (id, url, content_hash, fetched_at, changed_at, run_id)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET url = excluded.url,"
                " content_hash = excluded.content_hash, fetched_at = excluded.fetched_at,"
                " changed_at = excluded.changed_at, run_id = excluded.run_id",
                [
                    (f.id, f.url, f.content_hash, f.fetched_at.isoformat(),
                     f.changed_at.isoformat(), run_id)
                    for f in fetches
                ],
            )  # fmt: skip
            self.db.execute(
                "UPDATE runs SET committed = ? WHERE run_id = ?", (json.dumps(committed), run_id)
            )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close_run(self, run_id: str, reason: str) -> None:
        self.db.execute(
            "UPDATE runs SET closed_at = ?, finish_reason = ? WHERE run_id = ?",
            (utcnow().isoformat(), reason, run_id),
        )

    def open_runs(self) -> list[Run]:
        """Runs that never closed: still running, or killed."""
        rows = self.db.execute(
            "SELECT run_id, run_dir, committed FROM runs WHERE closed_at IS NULL"
        ).fetchall()
        return [Run(run_id, run_dir, json.loads(committed)) for run_id, run_dir, committed in rows]

    def close(self) -> None:
        self.db.close()


class RunLock:
    """An exclusive lock that says "this run is alive"; the OS drops it when the process
    dies, however it dies, so a run whose lock can be taken is over."""

    def __init__(self, state_dir: str | Path, spider: str, run_id: str) -> None:
        self.path = Path(state_dir) / "locks" / f"{spider}.{run_id}.lock"
        self.file: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock; False if a live process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self.file = file
        return True

    def release(self, remove: bool = True) -> None:
        if self.file is None:
            return
        if remove:
            self.path.unlink(missing_ok=True)
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()
        self.file = None


def database_path(state_dir: str | Path, spider: str) -> Path:
    return Path(os.path.expanduser(str(state_dir))) / f"{spider}.sqlite"
