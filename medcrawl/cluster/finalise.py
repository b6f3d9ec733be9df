"""Completing a cluster crawl's run folder once the crawl is finished: every output file, a
`manifest.json` like a single run's (`medcrawl.contract.manifest.describe_run`), and the run
checks judged once, over the whole crawl.

The stats behind the manifest come from two places:

- What the folder holds — records per file and their field coverage, question pages, pages
  skipped by reason, invalid items — is counted from the folder itself, so the manifest
  describes exactly the files beside it (a worker that was killed and fetched its pages
  again would otherwise count them twice, or not at all).
- How the crawl went — downloads, retries, exceptions, timings — is every worker session's
  stats summed (`medcrawl collect` waits for the workers that still run to report).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from medcrawl.cluster import Keys
from medcrawl.cluster.checks import judge
from medcrawl.cluster.link import retrying
from medcrawl.cluster.state import CrawlRecord, mark_collected
from medcrawl.cluster.worker import WorkerSession
from medcrawl.contract.coverage import count
from medcrawl.contract.feeds import write_whole
from medcrawl.contract.items import OUTPUT_FILES, Reject
from medcrawl.contract.manifest import MANIFEST_NAME, describe_run

logger = logging.getLogger(__name__)

#: Stats counted from the folder: the workers' own counts of these are dropped.
FROM_FOLDER = (
    "medcrawl/items/",
    "medcrawl/filled/",
    "medcrawl/answers_with_causes",
    "medcrawl/pages/question",
    "medcrawl/skipped/",
    "medcrawl/invalid/",
)
#: Worker stats that do not add up across workers.
NOT_SUMMED = ("medcrawl/monitors/", "memusage/", "elapsed_time_seconds", "start_time")


def sessions(server: Any, keys: Keys, crawl_id: str, wait: float) -> list[dict]:
    """The worker sessions of the crawl, once every one has reported its end or is gone (its
    heartbeat expired) — waiting at most `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        found = [json.loads(v) for v in server.hvals(keys.sessions)]
        mine = [s for s in found if s.get("crawl_id") == crawl_id]
        running = [
            s
            for s in mine
            if not s.get("final") and _text(server.get(keys.alive(s["worker"]))) == s["session"]
        ]
        if not running or time.monotonic() >= deadline:
            for s in running:
                logger.warning("Worker session %s did not report its end", s["session"])
            return sorted(mine, key=lambda s: s["session"])
        time.sleep(0.5)


def _text(value: bytes | str | None) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def merge_stats(stats: list[dict[str, Any]]) -> dict[str, Any]:
    """Workers' stats as one crawl's: numbers summed (but NOT_SUMMED, and what FROM_FOLDER
    counts), `start_time` the earliest, `finish_time` the latest."""
    merged: Counter[str] = Counter()
    for one in stats:
        for name, value in one.items():
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if number and not name.startswith((*NOT_SUMMED, *FROM_FOLDER)):
                merged[name] += value
    out: dict[str, Any] = dict(merged)
    for name, pick in (("start_time", min), ("finish_time", max)):
        times = [datetime.fromisoformat(s[name]) for s in stats if s.get(name)]
        if times:
            out[name] = pick(times)
    return out


class _Counts(StatsCollector):
    """A stats collector with no crawler: the folder's counts."""

    def __init__(self) -> None:
        self._stats: dict[str, Any] = {}


def folder_stats(run_dir: Path) -> dict[str, Any]:
    """What the run folder holds, as the stats a crawl that wrote it would have counted."""
    counts = _Counts()
    for item_class, stem in OUTPUT_FILES.items():
        path = run_dir / f"{stem}.jsonl"
        names = {f.name for f in fields(item_class)}
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                item = item_class(**{k: v for k, v in record.items() if k in names})
                count(counts, item)
                if isinstance(item, Reject) and item.reason == "invalid":
                    counts.inc_value(f"medcrawl/invalid/{item.item_kind}")
                elif isinstance(item, Reject):
                    counts.inc_value(f"medcrawl/skipped/{item.reason}")
    stats = counts.get_stats()
    stats["medcrawl/pages/question"] = stats.get("medcrawl/items/questions", 0) + stats.get(
        "medcrawl/invalid/questions", 0
    )
    return stats


def finalise(
    server: Any,
    keys: Keys,
    run_dir: Path,
    crawl: CrawlRecord,
    *,
    settings: BaseSettings,
    spidercls: type[Spider],
    repeats: Counter[str],
) -> dict:
    """Complete the folder of finished crawl `crawl`: every output file (empty if the crawl
    wrote none of a kind), the run checks over the whole crawl, `manifest.json`. Returns the
    manifest."""
    for stem in OUTPUT_FILES.values():
        (run_dir / f"{stem}.jsonl").touch()
    found = retrying(lambda: sessions(server, keys, crawl.id, wait=WorkerSession.ALIVE_TTL + 5))
    stats = merge_stats([s["stats"] for s in found])
    stats.update(folder_stats(run_dir))
    for stem, n in repeats.items():
        stats[f"medcrawl/deduped/{stem}"] = stats.get(f"medcrawl/deduped/{stem}", 0) + n
    ended = crawl.finished_at or datetime.now(timezone.utc)
    stats["start_time"] = crawl.started_at or stats.get("start_time")
    stats["finish_reason"] = "finished"
    judge(settings, stats, spidercls)
    manifest = describe_run(
        run_dir,
        run_id=run_dir.name,
        spider=spidercls.name,
        arguments={},
        settings=settings,
        stats=stats,
        reason="finished",
        ended=ended,
    )
    manifest["cluster"] = {
        "crawl_id": crawl.id,
        "workers": [
            {
                "session": s["session"],
                "worker": s["worker"],
                "started_at": s["started_at"],
                "finished_at": s["finished_at"],
                "finish_reason": s["finish_reason"] or "killed",
                "pages": s["stats"].get("response_received_count", 0),
                "settings": s["settings"],
            }
            for s in found
        ],
    }
    write_whole(run_dir / MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    retrying(lambda: mark_collected(server, keys, crawl.id, str(run_dir)))
    return manifest
