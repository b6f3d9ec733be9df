"""`scrapy crawl` whose exit status tells whether the run passed its checks.

Scrapy's own `crawl` exits 0 whenever the crawl could start, even when the spidermon suite run
at close failed. This one exits with `CHECKS_FAILED` (3) when the run's checks
(`medcrawl.contract.monitors.RunChecks`) failed or never reached a verdict, so cron, systemd
or CI see a failed run as failed.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from medcrawl import cluster

#: Exit status of a run that finished but failed its checks (1 stays Scrapy's "could not start").
CHECKS_FAILED = 3
#: Exit status when the crawl cannot start for a reason the operator must fix (no Redis).
OPERATOR_ERROR = 2


def verdict_problem(settings: Any, stats: dict[str, Any]) -> str | None:
    """Why a finished run counts as failed, or None when it passed (or checks are off)."""
    if not settings.getbool("SPIDERMON_ENABLED") or not settings.getlist(
        "SPIDERMON_SPIDER_CLOSE_MONITORS"
    ):
        return None
    verdict = stats.get("medcrawl/monitors/verdict")
    if verdict == "passed":
        return None
    if verdict is None:
        return "the run checks did not run to a verdict (see the ERROR lines in the log)"
    return "the run failed its checks:\n  " + "\n  ".join(
        stats.get("medcrawl/monitors/failures", [])
    )


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider; exit 3 when the run fails its checks"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        problem = cluster.unreachable(crawler.settings)
        if problem:  # a cluster worker without its Redis: say so, start nothing
            print(f"medcrawl: {problem}", file=sys.stderr)
            self.exitcode = OPERATOR_ERROR
            return
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        problem = verdict_problem(crawler.settings, crawler.stats.get_stats())
        if problem:
            print(f"medcrawl: {problem}", file=sys.stderr)
            self.exitcode = CHECKS_FAILED
