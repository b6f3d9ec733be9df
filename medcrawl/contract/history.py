"""Recent runs of every spider, read from their run folders — however they were started
(cron, systemd, scrapyd, a cluster's collector): each run folder's `manifest.json` says how
the run ended and whether it passed its checks. A folder without one is a run that did not
close: still running if a file in it changed lately, else killed (or, for a cluster crawl,
not collected to the end).

This is what an operator's alerting reads (`medcrawl runs`): schedulers cannot tell —
scrapyd lists a job whose crawl exited 3 (failed checks) as `finished`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from medcrawl.contract.feeds import PART_SUFFIX
from medcrawl.contract.manifest import MANIFEST_NAME

#: Record counts shown for each run.
COUNTED = ("questions", "answers", "rejects")
#: A run folder's status → whether it counts as a failure.
FAILED = {"passed": False, "unchecked": False, "running": False, "failed": True, "unfinished": True}


@dataclass
class Run:
    """One run folder, `<root>/<spider>/<run id>/`."""

    spider: str
    run_id: str
    path: Path
    manifest: dict[str, Any] | None
    modified: datetime  # the newest file in the folder

    @classmethod
    def read(cls, path: Path) -> Run | None:
        files = [p for p in path.iterdir() if p.is_file()]
        manifest_path = path / MANIFEST_NAME
        if not manifest_path.is_file() and not any(".jsonl" in p.name for p in files):
            return None  # not a run folder
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None
        newest = max((p.stat().st_mtime for p in files), default=path.stat().st_mtime)
        return cls(
            spider=path.parent.name,
            run_id=path.name,
            path=path,
            manifest=manifest,
            modified=datetime.fromtimestamp(newest, timezone.utc),
        )

    @property
    def ended(self) -> datetime:
        """When the run ended (its manifest), else when a file last changed."""
        finished = (self.manifest or {}).get("finished_at")
        return datetime.fromisoformat(finished) if finished else self.modified

    def status(self, now: datetime, active: timedelta) -> str:
        """`passed`, `failed` (checks failed or reached no verdict), `unchecked` (checks
        turned off), `running` (no manifest, a file changed within `active`), `unfinished`
        (no manifest: killed, or not collected to the end)."""
        if self.manifest is None:
            return "running" if now - self.modified < active else "unfinished"
        verdict = (self.manifest.get("monitors") or {}).get("verdict")
        if verdict in ("passed", "failed"):
            return verdict
        checks_on = (self.manifest.get("settings") or {}).get("SPIDERMON_ENABLED", True)
        return "failed" if checks_on else "unchecked"

    @property
    def finish_reason(self) -> str | None:
        return (self.manifest or {}).get("finish_reason")

    @property
    def failures(self) -> list[str]:
        return list(((self.manifest or {}).get("monitors") or {}).get("failures") or [])

    def counts(self) -> dict[str, int | None]:
        """Records per COUNTED file: from the manifest, else the lines written so far."""
        if self.manifest is not None:
            files = self.manifest.get("files", {})
            return {stem: (files.get(f"{stem}.jsonl") or {}).get("records") for stem in COUNTED}
        return {stem: _lines(self.path, stem) for stem in COUNTED}


def _lines(run_dir: Path, stem: str) -> int | None:
    for path in (run_dir / f"{stem}.jsonl", run_dir / f"{stem}.jsonl{PART_SUFFIX}"):
        if path.is_file():
            with path.open("rb") as data:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: data.read(1 << 20), b""))
    return None


def find_runs(root: Path, spider: str | None = None) -> dict[str, list[Run]]:
    """Every run folder under `root`, per spider, newest first."""
    runs: dict[str, list[Run]] = {}
    for spider_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if spider and spider_dir.name != spider:
            continue
        found = [run for path in spider_dir.iterdir() if path.is_dir() and (run := Run.read(path))]
        if found:
            runs[spider_dir.name] = sorted(found, key=lambda r: r.ended, reverse=True)
    return runs


def newest_settled(runs: list[Run], now: datetime, active: timedelta) -> Run | None:
    """The newest run that is not running (the one that says how the spider is doing)."""
    return next((r for r in runs if r.status(now, active) != "running"), None)
