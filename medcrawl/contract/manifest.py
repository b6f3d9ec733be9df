"""The run manifest: `output/<spider>/<run id>/manifest.json`, which makes every run
self-describing — how it was started, what it wrote (records, bytes, SHA-256 per file), what
it skipped or rejected and why, and how full each field is.

Written once the run has closed *and* every feed file is stored (Scrapy sends
`feed_exporter_closed` after the last feed slot is stored, or renamed into place), so the
sizes and hashes are those of the final files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import subprocess
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings, get_settings_priority
from scrapy.settings import default_settings as scrapy_defaults

from medcrawl import __version__
from medcrawl import settings as project_settings
from medcrawl.archive.replay import NOT_ARCHIVED_STAT
from medcrawl.contract.coverage import answers_with_causes, coverage, records
from medcrawl.contract.feeds import write_whole
from medcrawl.contract.items import SCHEMA_VERSION
from medcrawl.contract.output import ERROR_STAT, record_failure

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
#: Scrapy settings worth recording beside every `MEDCRAWL_*` / `SPIDERMON_*` one and every
#: `-s` override: what changes what a run fetches or how politely.
RECORDED_SETTINGS = (
    "BOT_NAME",
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "DEPTH_LIMIT",
    "CLOSESPIDER_ITEMCOUNT",
    "CLOSESPIDER_PAGECOUNT",
    "CLOSESPIDER_TIMEOUT",
    "RETRY_TIMES",
    "JOBDIR",
    "SCHEDULER",
    "DUPEFILTER_CLASS",
    "HTTPCACHE_ENABLED",
)


def file_record(path: Path) -> dict[str, Any]:
    """Byte size, SHA-256 and, for JSON Lines, the record count of one output file."""
    digest = hashlib.sha256()
    size = lines = 0
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return {
        "records": lines if path.suffix == ".jsonl" else None,
        "bytes": size,
        "sha256": digest.hexdigest(),
    }


def recorded_settings(settings: BaseSettings) -> dict[str, Any]:
    """The settings that matter: RECORDED_SETTINGS, medcrawl's and spidermon's, and every
    setting given on the command line (`-s`)."""
    cmdline = get_settings_priority("cmdline")
    names = sorted(
        name
        for name in settings
        if name in RECORDED_SETTINGS
        or name.startswith(("MEDCRAWL_", "SPIDERMON_"))
        or settings.getpriority(name) >= cmdline
    )
    values = {}
    for name in names:
        value = typed(settings, name)
        values[name] = value.copy_to_dict() if isinstance(value, BaseSettings) else value
    return json.loads(json.dumps(values, default=str))


def typed(settings: BaseSettings, name: str) -> Any:
    """A setting as the type of its default (project's, else Scrapy's): `-s` gives strings,
    and a manifest reader expects `{"answers.text": 0.98}`, not the JSON text of it."""
    default = _DEFAULTS.get(name)
    value = settings.get(name)
    if not isinstance(value, str) or default is None or isinstance(default, str):
        return value
    if isinstance(default, bool):
        return settings.getbool(name)
    if isinstance(default, (int, float)):
        number = settings.getfloat(name)
        return int(number) if isinstance(default, int) and number.is_integer() else number
    if isinstance(default, dict):
        return settings.getdict(name)
    if isinstance(default, (list, tuple)):
        return json.loads(value) if value.lstrip().startswith("[") else settings.getlist(name)
    return value


#: Every setting's default: the project's over Scrapy's.
_DEFAULTS: dict[str, Any] = {
    name: getattr(module, name)
    for module in (scrapy_defaults, project_settings)
    for name in dir(module)
    if name.isupper()
}


def code_version() -> dict[str, Any]:
    """medcrawl's version and, in a git checkout, the commit (and whether files differ)."""
    here = Path(__file__).resolve().parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(here), *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    changes = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "medcrawl": __version__,
        "git_commit": commit,
        "git_dirty": bool(changes) if changes is not None else None,
        "scrapy": scrapy.__version__,
        "python": platform.python_version(),
    }


_SIMPLE = (str, int, float, bool, type(None))


def spider_arguments(spider: Spider | None) -> dict[str, Any]:
    """The `-a` arguments as given (a QASpider keeps them in `arguments`); for another spider,
    its public plain-valued attributes (`start_urls`, …)."""
    given = getattr(spider, "arguments", None)
    if isinstance(given, dict):
        return json.loads(json.dumps(given, default=str))
    out = {}
    for name, value in sorted(vars(spider).items() if spider else []):
        if name.startswith("_") or name in ("name", "crawler", "settings", "run_dir"):
            continue
        if isinstance(value, _SIMPLE) or (
            isinstance(value, (list, tuple, set, frozenset))
            and all(isinstance(v, _SIMPLE) for v in value)
        ):
            out[name] = sorted(value) if isinstance(value, (set, frozenset)) else value
    return json.loads(json.dumps(out, default=str))


def by_suffix(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """`{suffix: count}` for every stat named `<prefix><suffix>`."""
    return {k[len(prefix) :]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment else None


def build_manifest(crawler: Crawler, run_dir: Path, reason: str, ended: datetime) -> dict:
    """The manifest of a closed run whose files are all in `run_dir`."""
    spider = crawler.spider
    return describe_run(
        run_dir,
        run_id=getattr(spider, "run_id", None),
        spider=spider.name if spider else None,
        arguments=spider_arguments(spider),
        settings=crawler.settings,
        stats=crawler.stats.get_stats(),
        reason=reason,
        ended=ended,
    )


def describe_run(
    run_dir: Path,
    *,
    run_id: str | None,
    spider: str | None,
    arguments: dict[str, Any],
    settings: BaseSettings,
    stats: dict[str, Any],
    reason: str,
    ended: datetime,
) -> dict:
    """The manifest of a run folder from its parts: a crawl's, or (`medcrawl collect`) a
    cluster crawl's, whose stats are its workers' merged."""
    started = stats.get("start_time")
    shares = coverage(stats)
    files = {
        path.name: file_record(path)
        for path in sorted(run_dir.iterdir())
        if path.is_file() and path.name not in (MANIFEST_NAME, f"{MANIFEST_NAME}.tmp")
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "spider": spider,
        "run_dir": str(run_dir),
        "arguments": arguments,
        "settings": recorded_settings(settings),
        "started_at": iso(started),
        "finished_at": iso(ended),
        "duration_s": round((ended - started).total_seconds(), 3) if started else None,
        "finish_reason": reason,
        "code": code_version(),
        "files": files,
        "pages": {
            "questions": stats.get("medcrawl/pages/question", 0),
            "skipped": by_suffix(stats, "medcrawl/skipped/"),
            "not_archived": stats.get(NOT_ARCHIVED_STAT, 0),
        },
        "rejected": {
            "invalid": by_suffix(stats, "medcrawl/invalid/"),
            "deduplicated": by_suffix(stats, "medcrawl/deduped/"),
        },
        "coverage": {
            kind: {"records": records(stats, kind), "fields": fields}
            for kind, fields in shares.items()
        },
        "answers_with_causes": answers_with_causes(stats),
        "monitors": {
            "verdict": stats.get("medcrawl/monitors/verdict"),
            "failures": stats.get("medcrawl/monitors/failures", []),
        },
        "output_error": stats.get(ERROR_STAT),
        "stats": json.loads(json.dumps(stats, default=str)),
    }


class RunManifest:
    """Write `manifest.json` into the run folder when the run has closed and its feeds are
    stored, whichever of the two Scrapy reports last."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.reason: str | None = None
        self.ended: datetime | None = None
        self.feeds_stored = False
        self.written = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        if not crawler.settings.getdict("FEEDS"):
            raise NotConfigured("no FEEDS: nothing to describe")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.feed_exporter_closed, signal=signals.feed_exporter_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason
        self.ended = datetime.now(timezone.utc)
        self._write_when_ready()

    def feed_exporter_closed(self) -> None:
        self.feeds_stored = True
        self._write_when_ready()

    def _write_when_ready(self) -> None:
        if self.written or self.reason is None or not self.feeds_stored:
            return
        self.written = True
        run_dir = getattr(self.crawler.spider, "run_dir", None)
        if run_dir is None:  # not a medcrawl spider: no run folder to describe
            logger.debug("No manifest: spider %s has no run_dir", self.crawler.spider)
            return
        run_dir = Path(run_dir)
        path = run_dir / MANIFEST_NAME
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
            manifest = build_manifest(self.crawler, run_dir, self.reason, self.ended)
            write_whole(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        except OSError as error:  # the run fails: a run folder that cannot describe itself
            record_failure(self.crawler, error, str(path))
            with suppress(OSError):
                Path(f"{path}.tmp").unlink(missing_ok=True)
            return
        logger.info("Run manifest: %s", path)
