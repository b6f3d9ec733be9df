"""Run checks in cluster mode: each worker checks only itself; the crawl is judged once.

A worker's stats are a part of the crawl — a worker that got no work, or was stopped after a
few pages, wrote nothing and proves nothing about the data. So a worker passes when it
stopped cleanly (`finished`, or `shutdown`: Ctrl-C, SIGTERM) with nothing left unsaved, and
`medcrawl collect` runs the project's run checks (`medcrawl.contract.monitors.RunChecks`)
once, over the whole crawl's merged stats, when it completes the run folder.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, ClassVar

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import MemoryStatsCollector
from spidermon import monitors
from spidermon.contrib.scrapy.runners import SpiderMonitorRunner
from spidermon.core.monitors import Monitor

from medcrawl.contract.monitors import RunChecks, RunMonitor

#: How a worker may stop and still pass.
CLEAN_STOPS = ("finished", "shutdown")


@monitors.name("Worker")
class WorkerMonitor(RunMonitor):
    """A cluster worker stopped cleanly and left nothing unsaved."""

    @monitors.name("stopped cleanly")
    def test_stopped_cleanly(self):
        reason = self.stats.get("finish_reason")
        self.assertIn(reason, CLEAN_STOPS, f"Finished with {reason!r}, not one of {CLEAN_STOPS}")

    @monitors.name("nothing unsaved")
    def test_nothing_unsaved(self):
        left = int(self.stats.get("medcrawl/cluster/unsaved", 0))
        self.assertEqual(left, 0, f"{left} writes to Redis were lost (Redis did not answer)")


class WorkerChecks(RunChecks):
    """A cluster worker's checks (the crawl's are run by `medcrawl collect`)."""

    monitors: ClassVar[list[type[Monitor]]] = [WorkerMonitor]


def judge(settings: BaseSettings, stats: dict[str, Any], spidercls: type[Spider]) -> None:
    """Run the project's run checks over `stats` (a whole crawl's), as a crawl's close would,
    with `settings` and the site's own thresholds; the verdict lands in `stats`
    (`medcrawl/monitors/verdict`, `…/failures`)."""
    crawler = Crawler(spidercls, settings)  # applies the site's settings (`update_settings`)
    collector = MemoryStatsCollector(crawler)
    collector.set_stats(stats)
    crawler.stats = collector
    spider = Spider(name=QUIET_LOGGER)  # spidermon logs each result through a spider
    data = {"stats": stats, "stats_history": [], "crawler": crawler, "spider": spider, "job": None}
    with warnings.catch_warnings():  # spidermon 1.27 logs through the deprecated Spider.log()
        warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated")
        SpiderMonitorRunner(spider=spider).run(RunChecks(crawler=crawler), **data)


#: The logger spidermon's per-monitor lines go to: the verdict is reported, not each step.
QUIET_LOGGER = "medcrawl.cluster.checks.spidermon"
logging.getLogger(QUIET_LOGGER).setLevel(logging.CRITICAL)
