"""The end of a run, readable: the last lines of a crawl's log are its summary — pages, records
per file, rejects by reason, links a replayed archive lacks, the verdict — and the run
folder's path. Logged when the engine has stopped, after Scrapy's own closing lines.

Scrapy's ~100-line stats dump (`STATS_DUMP`, off in the settings) goes to DEBUG here; the
stats are in `manifest.json` too.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pprint import pformat
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from medcrawl.archive.replay import NOT_ARCHIVED_STAT
from medcrawl.contract.monitors import verdict_problem
from medcrawl.contract.output import output_problem
from medcrawl.contract.schema import STEMS
from medcrawl.crawl.progress import ITEMS_PREFIX, RETRIED_PREFIX, SKIPPED_PREFIX, counts

logger = logging.getLogger(__name__)


def summary(stats: dict[str, Any], settings: Any, run_dir: str | None) -> str:
    """The summary lines of a closed run, from its stats."""
    pages = stats.get("response_received_count", 0)
    start = stats.get("start_time") or datetime.now(timezone.utc)
    end = stats.get("finish_time") or datetime.now(timezone.utc)
    seconds = max((end - start).total_seconds(), 1e-9)
    records = ", ".join(
        f"{stem} {stats.get(ITEMS_PREFIX + stem, 0)}" for stem in STEMS if stem != "rejects"
    )
    skipped = sum(v for k, v in stats.items() if k.startswith(SKIPPED_PREFIX))
    invalid = sum(v for k, v in stats.items() if k.startswith("medcrawl/invalid/"))
    reason = stats.get("finish_reason", "?")
    ended = "finished" if reason == "finished" else f"stopped ({reason})"
    lines = [
        f"Crawl {ended}: {pages} pages in {seconds:.0f}s "
        f"({pages * 60 / seconds:.0f}/min), {stats.get('medcrawl/pages/question', 0)} "
        "question pages",
        f"  records: {records}",
        f"  rejects: {skipped + invalid} — pages: {counts(stats, SKIPPED_PREFIX)}; "
        f"invalid items: {counts(stats, 'medcrawl/invalid/')}",
        f"  retried: {counts(stats, RETRIED_PREFIX)}",
    ]
    if stats.get(NOT_ARCHIVED_STAT):
        lines.append(
            f"  not in the archive: {stats[NOT_ARCHIVED_STAT]} links (not pages of this run)"
        )
    problem = output_problem(stats) or verdict_problem(settings, stats)
    checks = stats.get("medcrawl/monitors/count")
    passed = f"passed ({checks} checks)" if checks else "passed"
    lines.append("  verdict: " + (f"FAILED — {problem}" if problem else passed))
    if run_dir:
        lines.append(f"Run folder: {run_dir}")
    return "\n".join(lines)


class RunSummary:
    """Logs the stats (DEBUG), then the summary (INFO), once the engine has stopped."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        extension = cls(crawler)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        stats = self.crawler.stats.get_stats()
        logger.debug("Scrapy stats:\n%s", pformat(stats))
        writes = bool(self.crawler.settings.getdict("FEEDS"))  # cluster workers write no files
        run_dir = getattr(self.crawler.spider, "run_dir", None) if writes else None
        logger.info("%s", summary(stats, self.crawler.settings, run_dir))
