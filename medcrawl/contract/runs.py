"""Resumed jobs (`-s JOBDIR=…`): one job, one run id, one run folder.

Scrapy keeps a job's request queue and seen requests in JOBDIR; we keep its run id there
too (`medcrawl-run.json`). A job resumed after a graceful stop (Ctrl-C) reuses the run id
and appends to the same folder, never writing an id the folder already holds, so the
folder of a stopped-and-resumed job holds what one uninterrupted run would have written.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.job import job_dir

from medcrawl.contract.feeds import PART_SUFFIX, write_whole
from medcrawl.contract.items import OUTPUT_FILES

logger = logging.getLogger(__name__)

JOB_FILE = "medcrawl-run.json"
#: What a run writes into its folder besides the output files (`.jsonl`, `.part`, `.failed`).
RUN_EXTRAS = ("manifest.json", "manifest.json.tmp", "report.html", "parquet")


def saved_job(jobdir: str | Path | None) -> dict[str, Any]:
    """The job file of a JOBDIR: `{"run_id", "status"}` (running, stopped, finished); `{}`
    for none."""
    path = Path(jobdir, JOB_FILE) if jobdir else None
    if path is None or not path.is_file():
        return {}
    try:
        saved = json.loads(path.read_text())
    except ValueError:
        return {}
    return saved if isinstance(saved, dict) else {}


def resumable_run(jobdir: str | Path | None) -> str | None:
    """The run id a JOBDIR job continues (its last run was stopped, or killed), else None."""
    saved = saved_job(jobdir)
    return saved.get("run_id") if saved.get("status") in ("stopped", "running") else None


def run_files(run_dir: Path) -> list[Path]:
    """What a run left in its folder: output files in any state, manifest, report."""
    if not run_dir.is_dir():
        return []
    stems = {f"{stem}.jsonl" for stem in OUTPUT_FILES.values()}
    return sorted(
        path
        for path in run_dir.iterdir()
        if path.name in RUN_EXTRAS or path.name.split(".jsonl")[0] + ".jsonl" in stems
    )


def clear_run_folder(run_dir: Path) -> None:
    """Remove what a run left in `run_dir` (`-a overwrite=1`), and nothing else."""
    for path in run_files(run_dir):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        logger.info("Overwrite: removed %s", path)


class JobRun:
    """The run of a job: its id, whether it continues a stopped run, and the job file
    that says whether the job is running, stopped (resumable) or finished."""

    def __init__(self, crawler: Crawler, run_id: str, explicit: bool) -> None:
        self.run_id = run_id
        self.continues = False
        directory = job_dir(crawler.settings)
        self.path = Path(directory, JOB_FILE) if directory else None
        if self.path is None:
            return
        saved = saved_job(directory)
        if saved.get("status") in ("stopped", "running") and (
            not explicit or saved["run_id"] == run_id
        ):
            if saved["status"] == "running":
                logger.warning(
                    "The job in %s was not stopped gracefully (killed?): Scrapy cannot resume "
                    "its queue reliably, some pages may be missed or fetched again. Use "
                    "-a incremental=1 so that the next runs catch up.",
                    directory,
                )
            self.run_id, self.continues = saved["run_id"], True
            logger.info("Resuming run %s: appending to its folder", self.run_id)
        self._write("running")
        crawler.signals.connect(self.spider_closed, signals.spider_closed, weak=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._write("finished" if reason == "finished" else "stopped")

    def _write(self, status: str) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(self.path, json.dumps({"run_id": self.run_id, "status": status}))


def written_ids(run_dir: str | Path) -> Iterator[tuple[type, str]]:
    """(item class, id) of every record in a run folder's output files."""
    for item_class, stem in OUTPUT_FILES.items():
        for path in (Path(run_dir) / f"{stem}.jsonl", Path(run_dir) / f"{stem}.jsonl{PART_SUFFIX}"):
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        item_id = json.loads(line).get("id")
                    except ValueError:  # an unfinished last line of a killed run
                        continue
                    if item_id is not None:
                        yield item_class, item_id
