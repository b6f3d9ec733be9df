"""Checks run when the spider closes (a spidermon suite). A run that fails one is a failed run:
`scrapy crawl` exits non-zero (see `medcrawl.cli.commands.crawl`) and the log says why.

Thresholds are settings (`MEDCRAWL_MIN_ITEMS`, `MEDCRAWL_COVERAGE_THRESHOLDS`, …). Coverage
is how a silent selector breakage is caught: after a layout change the pages still parse, but
`answers.text` or `doctors.title_rank` goes empty.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, ClassVar

from spidermon import MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import DownloaderExceptionMonitor, FinishReasonMonitor
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.core.monitors import Monitor

from medcrawl.contract.coverage import KIND_FIELDS, answers_with_causes, coverage, records

logger = logging.getLogger(__name__)

# spidermon 1.27 logs its results through Spider.log(), deprecated in Scrapy 2.19: one warning
# per run that says nothing about the run.
warnings.filterwarnings(
    "ignore", message=r"Spider\.log\(\) is deprecated", module="spidermon.contrib.scrapy"
)

#: Skip reasons that are not errors: questions the site removed, and bot challenges (their
#: own ceiling, MEDCRAWL_MAX_CHALLENGE_RATE).
NOT_ERRORS = frozenset({"removed", "challenge"})


def page_counts(stats: dict[str, Any]) -> tuple[int, int, int]:
    """(pages with a verdict, error pages, challenge pages). A verdict: parsed as a question or
    skipped for a reason. Errors: skipped for any reason but NOT_ERRORS, plus exceptions
    raised in a callback. (In replay, a link to a page the archive does not hold is no page
    of the run: it is counted apart, `medcrawl/replay/not_archived`, never skipped.)"""
    skipped = {k.split("/")[-1]: v for k, v in stats.items() if k.startswith("medcrawl/skipped/")}
    exceptions = stats.get("spider_exceptions/count", 0)
    pages = stats.get("medcrawl/pages/question", 0) + sum(skipped.values()) + exceptions
    errors = sum(v for reason, v in skipped.items() if reason not in NOT_ERRORS) + exceptions
    return pages, errors, skipped.get("challenge", 0)


def accounted(stats: dict[str, Any]) -> int:
    """Items written, plus questions an incremental run found fresh or unchanged: a run that
    writes nothing because nothing was due or nothing changed has done its job."""
    written = sum(records(stats, kind) for kind in KIND_FIELDS)
    quiet = ("medcrawl/incremental/skipped_fresh", "medcrawl/incremental/unchanged")
    return written + sum(int(stats.get(key, 0)) for key in quiet)


def deduped(stats: dict[str, Any], kind: str) -> int:
    """Records of `kind` (a file stem) dropped because the run folder holds them already —
    the shared doctors, drugs and diseases of a resumed or continued run."""
    return int(stats.get(f"medcrawl/deduped/{kind}", 0))


class RunMonitor(BaseScrapyMonitor):
    """Base: reads medcrawl's thresholds from the crawler settings."""

    def setting(self, name: str) -> Any:
        return self.crawler.settings.get(name)


@monitors.name("Output")
class OutputMonitor(RunMonitor):
    """What the run wrote: enough records, key fields filled, few invalid items."""

    @monitors.name("enough items")
    def test_enough_items(self):
        done = accounted(self.stats)
        floor = int(self.setting("MEDCRAWL_MIN_ITEMS"))
        self.assertGreaterEqual(
            done,
            floor,
            f"Wrote {done} items (counting questions found fresh or unchanged); "
            f"MEDCRAWL_MIN_ITEMS is {floor}",
        )

    @monitors.name("key field coverage")
    def test_key_field_coverage(self):
        shares = coverage(self.stats)
        questions = records(self.stats, "questions")
        low = []
        for key, threshold in self.crawler.settings.getdict("MEDCRAWL_COVERAGE_THRESHOLDS").items():
            kind, _, field = key.partition(".")
            share = shares[kind][field]
            if share is None and questions and not deduped(self.stats, kind):
                # pages parsed, yet none of this kind came out (nor was any written before)
                low.append(f"{key} no {kind} from {questions} questions (min {threshold:.2f})")
            elif share is not None and share < float(threshold):
                low.append(f"{key} {share:.2f} < {float(threshold):.2f}")
        self.assertFalse(
            low, "Field coverage under threshold (did the layout change?): " + "; ".join(low)
        )

    @monitors.name("answers with causes")
    def test_answers_with_causes(self):
        share = answers_with_causes(self.stats)
        floor = float(self.setting("MEDCRAWL_MIN_ANSWERS_WITH_CAUSES"))
        if share is None:
            self.skipTest("no answers written")
        self.assertGreaterEqual(
            share,
            floor,
            f"Field coverage under threshold (did the layout change?): answers with causes "
            f"{share:.2f} < {floor:.2f}",
        )

    @monitors.name("invalid items")
    def test_invalid_items(self):
        invalid = sum(v for k, v in self.stats.items() if k.startswith("medcrawl/invalid/"))
        written = sum(records(self.stats, kind) for kind in KIND_FIELDS)
        share = invalid / (invalid + written) if invalid else 0.0
        ceiling = float(self.setting("MEDCRAWL_MAX_INVALID_RATE"))
        self.assertLessEqual(
            share,
            ceiling,
            f"{invalid} item(s) failed their schema ({share:.1%} > {ceiling:.1%}); "
            "see rejects.jsonl (reason `invalid`)",
        )


@monitors.name("Pages")
class PageMonitor(RunMonitor):
    """How many pages failed (error statuses, download errors, non-question pages, callback
    exceptions) or met a bot challenge. Judged once a run has MEDCRAWL_RATE_MIN_PAGES pages:
    one bad page of five is not a rate (a run with no items fails `enough items`)."""

    def counts(self) -> tuple[int, int, int]:
        pages, errors, challenges = page_counts(self.stats)
        least = int(self.setting("MEDCRAWL_RATE_MIN_PAGES"))
        if pages < least:
            self.skipTest(f"{pages} pages, fewer than MEDCRAWL_RATE_MIN_PAGES ({least})")
        return pages, errors, challenges

    @monitors.name("error rate")
    def test_error_rate(self):
        pages, errors, _ = self.counts()
        share = errors / pages
        ceiling = float(self.setting("MEDCRAWL_MAX_ERROR_RATE"))
        self.assertLessEqual(
            share, ceiling, f"{errors} of {pages} pages failed ({share:.1%} > {ceiling:.1%})"
        )

    @monitors.name("challenge rate")
    def test_challenge_rate(self):
        pages, _, challenges = self.counts()
        share = challenges / pages
        ceiling = float(self.setting("MEDCRAWL_MAX_CHALLENGE_RATE"))
        self.assertLessEqual(
            share,
            ceiling,
            f"{challenges} of {pages} pages were bot challenges ({share:.1%} > {ceiling:.1%})",
        )


def failures(result: Any) -> list[str]:
    """One line per failed or errored monitor: its name and message."""
    lines = []
    for item in result.monitors_failed_results:
        reason = getattr(item, "reason", None) or (item.error or "").strip().splitlines()[-1]
        lines.append(f"{item.item.monitor_name}/{item.item.method_name}: {reason}")
    return lines


def verdict_problem(settings: Any, stats: dict[str, Any]) -> str | None:
    """Why a finished run counts as failed by its checks, or None when it passed (or checks
    are off). No verdict at all (a monitor raised, e.g. NotConfigured) is a failure too."""
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


class RunChecks(MonitorSuite):
    """Every check of a run. The verdict goes into the crawl stats
    (`medcrawl/monitors/verdict`: `passed` / `failed`, `…/failures`, `…/count`); a suite that
    did not get that far (a monitor raised, e.g. spidermon's NotConfigured) leaves no verdict,
    which the crawl command treats as a failure too."""

    monitors: ClassVar[list[type[Monitor]]] = [
        FinishReasonMonitor,
        DownloaderExceptionMonitor,
        PageMonitor,
        OutputMonitor,
    ]

    def on_monitors_finished(self, result: Any) -> None:
        stats = self._crawler.stats
        failed = failures(result)
        stats.set_value("medcrawl/monitors/count", len(result.monitor_results))
        stats.set_value("medcrawl/monitors/failures", failed)
        stats.set_value("medcrawl/monitors/verdict", "failed" if failed else "passed")
        if failed:
            logger.error("Run checks FAILED:\n  %s", "\n  ".join(failed))
        else:
            logger.info("Run checks passed (%d)", len(result.monitor_results))
