"""The run checks and the manifest of an extraction run: the crawl's own (spidermon's
`RunChecks`, `build_manifest`), given what they read of a crawler."""

from __future__ import annotations

import json
import logging
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.utils.misc import load_object
from spidermon.contrib.scrapy.runners import SpiderMonitorRunner

from medcrawl.contract.feeds import write_whole
from medcrawl.contract.manifest import MANIFEST_NAME, build_manifest

logger = logging.getLogger(__name__)


def run_checks(crawler: Any) -> bool:
    """Run the close-spider suites (`SPIDERMON_SPIDER_CLOSE_MONITORS`) over the run's stats;
    True when they passed. Their verdict goes into the stats, as in a crawl."""
    settings = crawler.settings
    if not settings.getbool("SPIDERMON_ENABLED"):
        return True
    for path in settings.getlist("SPIDERMON_SPIDER_CLOSE_MONITORS"):
        suite = load_object(path)(crawler=crawler)
        data = {
            "stats": crawler.stats.get_stats(),
            "stats_history": [],
            "crawler": crawler,
            "spider": crawler.spider,
            "job": None,
        }
        with warnings.catch_warnings():  # spidermon 1.27 logs through Spider.log()
            warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated")
            SpiderMonitorRunner(spider=crawler.spider).run(suite, **data)
    return crawler.stats.get_value("medcrawl/monitors/verdict") == "passed"


def write_manifest(crawler: Any, run_dir: Path, ended: datetime) -> Path:
    """`manifest.json` of the finished run, beside its files."""
    reason = crawler.stats.get_value("finish_reason")
    manifest = build_manifest(crawler, run_dir, reason, ended)
    path = run_dir / MANIFEST_NAME
    write_whole(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    logger.info("Run manifest: %s", path)
    return path
