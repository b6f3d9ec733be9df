"""What `scrapy crawl` checks before anything starts: an operator's mistake is one line and
exit 2, before Scrapy's startup log, instead of a crawl that fails (or runs) wrongly.

The spider must exist; its `-a` arguments must be ones it declares, with good values
(`QASpider.parse_arguments`); a replay archive must be WARC; a JOBDIR must be resumable; the
run folder must be writable and must not hold another finished run; a cluster worker's Redis
must answer.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from medcrawl import cluster
from medcrawl.archive.warc import check_archive
from medcrawl.contract.runs import resumable_run, run_files, saved_job
from medcrawl.crawl.jobqueue import damaged_queue, has_state
from medcrawl.sites.arguments import ArgumentError


class OperatorError(Exception):
    """A crawl that must not start; the message is one line for the operator."""


def check_crawl(settings: BaseSettings, args: list[str], given: dict[str, str]) -> type:
    """The spider class, once everything the operator gave checks out; else OperatorError."""
    spider_class = find_spider(settings, args)
    values = parse_arguments(spider_class, given)
    replay = given.get("replay") or settings.get("MEDCRAWL_REPLAY")
    if replay and "replay" not in given:
        try:
            check_archive(replay)
        except ValueError as why:
            raise OperatorError(f"MEDCRAWL_REPLAY={replay}: {why}") from None
    jobdir = settings.get("JOBDIR")
    if jobdir:
        check_job(jobdir)
    if settings.getdict("FEEDS") and not cluster.enabled(settings) and values is not None:
        root = Path(settings.get("MEDCRAWL_OUTPUT_DIR", "output"), spider_class.name)
        check_run_folder(root, values, jobdir)
    unreachable = cluster.unreachable(settings)  # a cluster worker without its Redis
    if unreachable:
        raise OperatorError(unreachable)
    return spider_class


def find_spider(settings: BaseSettings, args: list[str]) -> type:
    if len(args) != 1:
        raise OperatorError("give exactly one spider name: scrapy crawl SPIDER [-a NAME=VALUE …]")
    loader = get_spider_loader(settings)
    try:
        return loader.load(args[0])
    except KeyError:
        known = ", ".join(sorted(loader.list())) or "none"
        raise OperatorError(f"no spider {args[0]!r}; known: {known}") from None


def parse_arguments(spider_class: type, given: dict[str, str]) -> dict[str, Any] | None:
    """The spider's argument values (None for a spider that declares none: Scrapy's own
    spiders take any)."""
    parse = getattr(spider_class, "parse_arguments", None)
    if parse is None:
        return None
    try:
        return parse(given)
    except ArgumentError as why:
        raise OperatorError(str(why)) from None


def check_job(jobdir: str) -> None:
    """A JOBDIR resumes only what a graceful stop saved."""
    way_on = (
        "start a new JOBDIR (with -a incremental=1, pages the killed run wrote are not "
        "fetched again; README: Stop and resume)"
    )
    damaged = damaged_queue(jobdir)
    if damaged:
        raise OperatorError(f"JOBDIR {jobdir} cannot be resumed: {damaged}; {way_on}")
    if saved_job(jobdir).get("status") == "running" and has_state(jobdir):
        raise OperatorError(
            f"JOBDIR {jobdir} cannot be resumed: its last run was killed, not stopped "
            f"(Scrapy saves its queue only on a graceful stop); {way_on}"
        )


def check_run_folder(root: Path, values: dict[str, Any], jobdir: str | None) -> None:
    """The run folder (or, for a run id still to be made, the spider's folder) can be made
    and written (a probe file), and a `-a run_id=` names a new run, the job's own or, in an
    incremental run, one that never closed — unless `-a overwrite=1`."""
    run_id = values.get("run_id")
    run_dir = root / run_id if run_id else None
    if run_dir is not None and not values.get("overwrite") and run_id != resumable_run(jobdir):
        held = run_files(run_dir)
        unclosed = any(p.name.endswith(".part") for p in held)
        if held and not (values.get("incremental") and unclosed):
            raise OperatorError(
                f"run folder {run_dir} holds run {run_id} already; give another -a run_id= "
                "or -a overwrite=1 to replace it"
            )
    probe_writable(run_dir or root)


def probe_writable(folder: Path) -> None:
    """Create `folder` and a file in it, or OperatorError saying why not."""
    probe = folder / f".medcrawl-probe-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with probe.open("wb") as file:
            file.write(b"probe\n")
            file.flush()
            os.fsync(file.fileno())
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        where = f": {error.filename}" if error.filename else ""
        raise OperatorError(
            f"cannot write to the output folder {folder}: {reason}{where}"
        ) from None
