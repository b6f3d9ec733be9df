"""Re-extracting WARC archives without the Scrapy engine, on every core.

What a replay crawl (`scrapy crawl <site> -a replay=ARCHIVE`) does to each question page of
an archive, done straight from the records: the same page classes, encoding repair,
validation, once-per-run dedupe, rejects, coverage, manifest and run checks — the same records
(tests/test_extract.py compares every file). In three steps:

1. **scan** each WARC file (in parallel, one task a file): every response record's URL,
   capture date, offset, status and `Location`;
2. **plan** (here): of several captures of a URL the latest wins, as in replay; each question
   URL in canonical form becomes a page — a redirect is resolved through the archive as the
   crawl would follow it, an error status becomes its reject;
3. **extract** pages in chunks (in parallel): each chunk reads its records by offset and
   returns every page's lines, already validated and serialised; the chunks are merged here in
   archive order (dedupe, files, coverage), so any number of workers writes the same folder.

Memory holds the index of captures (a few hundred bytes a URL, like a crawl's dupefilter),
never the bodies. `medcrawl.cli.extract` is the command; the Dask variant is
`medcrawl.archive.dask_extract`.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, NamedTuple
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.http import TextResponse
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.url import url_is_from_any_domain
from w3lib.url import safe_url_string
from warcio.archiveiterator import ArchiveIterator

from medcrawl import settings as project_settings
from medcrawl.archive.replay import NOT_ARCHIVED_STAT, replayed
from medcrawl.archive.warc import _EPOCH, read_capture, url_key, warc_date, warc_files
from medcrawl.contract.coverage import KIND_FIELDS, count_written, filled_stats
from medcrawl.contract.dedupe import DedupeMiddleware
from medcrawl.contract.feeds import part_path
from medcrawl.contract.items import OUTPUT_FILES, Cause, Reject
from medcrawl.contract.validation import fields_of, validate_page
from medcrawl.crawl.encoding import EncodingFallbackMiddleware
from medcrawl.crawl.faults import describe
from medcrawl.crawl.fetched import fetched_at
from medcrawl.sites import sites
from medcrawl.sites.base import Site

logger = logging.getLogger(__name__)

#: Scrapy's RedirectMiddleware: the statuses it follows (with a `Location`), and how often.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
REDIRECT_MAX_TIMES = 20
#: Scrapy's HttpErrorMiddleware message for a status outside 200–299.
HTTP_ERROR_DETAIL = "Ignoring non-200 response"


class Entry(NamedTuple):
    """One response record of a WARC file, as the scan sees it."""

    key: str  # url_key of its URL
    url: str
    date: datetime
    file: int  # index in the run's file list
    offset: int
    status: int
    location: str | None


class Page(NamedTuple):
    """A question page to extract: the URL asked for (canonical), the URL its response came
    from (after a redirect to another form of the page), the site and where the record is."""

    requested: str
    url: str
    site: str
    file: int
    offset: int


class Line(NamedTuple):
    """One output record, serialised: its file, its id (None: never deduplicated), the JSON
    line, the coverage stats it counts in, whether it is the first cause of an answer, and
    for a reject the log line the crawl gives it."""

    kind: str
    id: str | None
    line: bytes
    filled: list[str]
    first_cause: bool = False
    log: tuple[int, str] | None = None


@dataclass
class Outcome:
    """What one page gave: its lines in page order, and the stats it adds."""

    lines: list[Line] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)


# --- 1. scan ---------------------------------------------------------------------------------


def scan(file: int, path: str) -> list[Entry]:
    """Every response record of one WARC file (revisits are skipped, as replay skips them)."""
    entries = []
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
            http = record.http_headers
            entries.append(
                Entry(
                    key=url_key(url),
                    url=url,
                    date=warc_date(record.rec_headers.get_header("WARC-Date")) or _EPOCH,
                    file=file,
                    offset=records.get_record_offset(),
                    status=int(http.get_statuscode() or 200),
                    location=http.get_header("Location"),
                )
            )
    return entries


def latest(scans: Iterable[list[Entry]]) -> dict[str, Entry]:
    """Each URL's latest capture (by WARC-Date; of equal dates the later file and record), as
    `medcrawl.archive.warc.WarcIndex` picks it. `scans` in file order."""
    index: dict[str, Entry] = {}
    for entries in scans:
        for entry in entries:
            held = index.get(entry.key)
            if held is None or entry.date >= held.date:
                index[entry.key] = entry
    return index


# --- 2. plan ---------------------------------------------------------------------------------


def site_of_url(url: str, choices: list[Site]) -> Site | None:
    """The site a URL is a question page of, among `choices`."""
    for site in choices:
        if url_is_from_any_domain(url, site.domains) and site.is_question_url(url):
            return site
    return None


def plan(index: dict[str, Entry], choices: list[Site]) -> Iterator[Page | Reject | None]:
    """The pages to extract, in archive order, and the rejects a crawl would give for
    question URLs whose capture is a redirect away or an error. Only URLs a crawl would ask
    for count: a question URL in its site's canonical form (another form of it is reached,
    if at all, by a redirect)."""
    for entry in sorted(index.values(), key=lambda e: (e.file, e.offset)):
        site = site_of_url(entry.url, choices)
        if site is None:
            continue
        requested = site.canonical_url(entry.url)
        if url_key(requested) != entry.key:
            continue
        yield resolve(requested, entry, site, index)


#: Reasons the crawl logs at INFO (merged questions), not WARNING.
QUIET_REASONS = frozenset({"redirected"})


def resolve(
    requested: str, entry: Entry, site: Site, index: dict[str, Entry]
) -> Page | Reject | None:
    """Follow a capture's redirects through the archive as `medcrawl.crawl.redirect` does in
    a crawl: to the bot check → `challenge`; to another page → `redirected` (that page is a
    page of its own); to another form of this page → followed."""
    hops = 0
    while entry.status in REDIRECT_STATUSES and entry.location:
        target = safe_url_string(urljoin(entry.url, entry.location))
        if site.is_challenge_url(target):
            return reject(requested, "challenge", f"answered by {target}")
        if site.canonical_url(target) != requested:
            return reject(requested, "redirected", f"to {site.canonical_url(target)}")
        hops += 1
        if hops > REDIRECT_MAX_TIMES:
            return reject(requested, "redirect_loop", "max redirections reached")
        followed = index.get(url_key(target))
        if followed is None:  # out of the archive: counted, as a crawl counts such links
            return None
        entry = Entry(followed.key, target, *followed[2:])  # the capture, as asked for
    if not 200 <= entry.status < 300:
        return reject(requested, f"http_{entry.status}", HTTP_ERROR_DETAIL)
    url = requested if hops == 0 else entry.url
    return Page(requested, url, site.key, entry.file, entry.offset)


def reject(url: str, reason: str, detail: str | None = None) -> Reject:
    """A page without items, as `QASpider.reject` records it (the merge logs and counts it)."""
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    return Reject(url=url, reason=reason, detail=detail, at=now)


def chunks(pages: list[Page], jobs: int, most: int = 200) -> list[list[Page]]:
    """Pages cut into chunks: several a worker (so one slow chunk does not leave a core idle
    at the end), at most `most` pages each."""
    if not pages:
        return []
    size = max(1, min(most, math.ceil(len(pages) / (jobs * 4))))
    return [pages[i : i + size] for i in range(0, len(pages), size)]


# --- 3. extract (in a worker) ----------------------------------------------------------------


class _Stats(Counter):
    """The stats calls the components make (`inc_value`), into a Counter."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count


class _Worker:
    """A process's open files and its encoding middleware (the project's, reused)."""

    def __init__(self, files: list[str]) -> None:
        self.files = files
        self.handles: dict[int, IO[bytes]] = {}
        self.stats = _Stats()
        stand_in = _CrawlerStandIn(self.stats)
        self.encoding = EncodingFallbackMiddleware.from_crawler(stand_in)  # type: ignore[arg-type]
        self.max_bytes = stand_in.settings.getint("MEDCRAWL_MAX_PAGE_BYTES")

    def bad_link(self, href: str, why: str) -> None:
        """An href a page skipped as no link: counted, as `QASpider.bad_link` counts it."""
        self.stats.inc_value("medcrawl/links/skipped")

    def stream(self, file: int) -> IO[bytes]:
        if file not in self.handles:
            self.handles[file] = open(self.files[file], "rb")  # noqa: SIM115
        return self.handles[file]


#: Each thread's workers by file list: a Dask worker may run chunks in threads, which must
#: not share a file position or a stats counter.
_WORKERS = threading.local()


def extract_chunk(files: list[str], chunk: list[Page]) -> list[Outcome]:
    """Every page of `chunk`, in order. Runs in a worker process (or a Dask worker): reads
    the records by offset, so workers share nothing but the file paths."""
    mine: dict[tuple[str, ...], _Worker] = _WORKERS.__dict__.setdefault("by_files", {})
    worker = mine.get(tuple(files)) or mine.setdefault(tuple(files), _Worker(files))
    return [extract_page(worker, page) for page in chunk]


def extract_page(worker: _Worker, page: Page) -> Outcome:
    """One page as a replay crawl treats it: `PageFaultsMiddleware` (`too_large` before the
    parse, `parse_error` for an exception in it), the spider's `parse_question`, then the
    validation middleware (`validate_page`)."""
    worker.stats.clear()
    capture = read_capture(worker.stream(page.file), page.offset, page.url)
    request = Request(page.url)
    response = worker.encoding.process_response(request, replayed(capture, request))
    if worker.max_bytes and len(response.body) > worker.max_bytes:
        detail = f"{len(response.body)} bytes > MEDCRAWL_MAX_PAGE_BYTES ({worker.max_bytes})"
        items: list[Any] = [skipped(worker, page, "too_large", detail)]
    else:
        try:
            items = question_items(worker, page, response)
        except Exception as error:  # as PageFaultsMiddleware: a reject, never a crash
            logger.debug("Parse error on %s", page.requested, exc_info=error)
            items = [skipped(worker, page, "parse_error", describe(error))]
    outcome = Outcome()
    for item in validate_page(items, response.url, worker.stats):
        outcome.lines.append(serialised(item))
    outcome.stats.update(worker.stats)
    return outcome


def question_items(worker: _Worker, page: Page, response: Any) -> list[Any]:
    """`QASpider.parse_question`: the page's items, or its reject."""
    if not isinstance(response, TextResponse) or not response.body.strip():
        return [skipped(worker, page, "empty")]
    question = sites()[page.site].question_page(response, fetched_at(response))
    question.on_bad_link = worker.bad_link
    reason = question.problem()
    if reason:
        return [skipped(worker, page, reason)]
    found = list(question.items())
    if not getattr(found[0], "title", None):  # only a UI word where the title is
        return [skipped(worker, page, "not_question")]
    worker.stats.inc_value("medcrawl/pages/question")
    return found


def skipped(worker: _Worker, page: Page, reason: str, detail: str | None = None) -> Reject:
    """A page without a question: the reject of the URL asked for (retries are off in
    replay, so a challenge or an empty page is rejected at once)."""
    worker.stats.inc_value(f"medcrawl/skipped/{reason}")
    if detail is None and page.url != page.requested:
        detail = f"answered by {page.url}"
    return reject(page.requested, reason, detail)


def serialised(item: Any) -> Line:
    """An item as its JSON line (what the feed exports write: the fields in order, UTF-8)."""
    kind = OUTPUT_FILES[type(item)]
    values = fields_of(item)
    line = json.dumps(values, ensure_ascii=False).encode() + b"\n"
    filled = filled_stats(kind, values) if kind in KIND_FIELDS else []
    first_cause = isinstance(item, Cause) and item.position == 1
    if isinstance(item, Reject) and item.reason != "invalid":  # logged where it was made
        level = logging.INFO if item.reason in QUIET_REASONS else logging.WARNING
        detail = f" ({item.detail})" if item.detail else ""
        return Line(kind, None, line, [], log=(level, f"Skipped {item.url}: {item.reason}{detail}"))
    return Line(kind, getattr(item, "id", None), line, filled, first_cause)


# --- the run ---------------------------------------------------------------------------------


class _CrawlerStandIn:
    """What the contract's components read of a crawler — settings, stats, the spider — for
    a run without the Scrapy engine."""

    def __init__(self, stats: Any, settings: Settings | None = None, spider: Any = None) -> None:
        self.stats = stats
        self.settings = settings or run_settings([])
        self.spider = spider


def run_settings(chosen: list[Site]) -> Settings:
    """The project's settings with the sites' own (run-check thresholds), as a crawl has."""
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    for site in chosen:
        settings.setdict(site.settings, priority="spider")
    return settings


Progress = Callable[[int, int, dict[str, Any]], None]


class Extraction:
    """One extraction run into `out`: scan, plan, extract (through `map_chunks`, in order),
    merge; then the manifest and the run checks. `map_chunks(files, chunks)` yields each
    chunk's outcomes in chunk order — a process pool, a Dask bag, or plain `map`."""

    def __init__(
        self,
        archives: list[str],
        out: Path,
        site: str | None = None,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        self.files = [str(f) for archive in archives for f in warc_files(archive)]
        self.out = out
        self.choices = [sites()[site]] if site else list(sites().values())
        self.settings = run_settings(self.choices)
        self.spider = Spider(name=site or "+".join(s.key for s in self.choices))
        self.spider.run_id = out.name
        self.spider.run_dir = str(out)
        self.spider.arguments = arguments or {}
        self.spider.continues_run = False
        self.stats = MemoryStatsCollector(self)  # type: ignore[arg-type]
        self.dedupe = DedupeMiddleware(self)  # type: ignore[arg-type]
        self.outputs: dict[str, IO[bytes]] = {}
        self.pages = self.done = 0  # pages planned, pages merged
        self.counts = _Stats()  # merged, not yet in `stats` (flush_counts)

    @property
    def crawler(self) -> _CrawlerStandIn:
        return _CrawlerStandIn(self.stats, self.settings, self.spider)

    def run(
        self,
        map_scan: Callable[[list[tuple[int, str]]], Iterable[list[Entry]]],
        map_chunks: Callable[[list[str], list[list[Page]]], Iterable[list[Outcome]]],
        progress: Progress | None = None,
    ) -> bool:
        """Extract; True when the run checks passed."""
        self.stats.set_value("start_time", datetime.now(timezone.utc))
        index = latest(map_scan(list(enumerate(self.files))))
        pages: list[Page] = []
        self._open_outputs()
        for planned in plan(index, self.choices):
            if planned is None:
                self.stats.inc_value(NOT_ARCHIVED_STAT)
            elif isinstance(planned, Reject):
                stats = Counter({f"medcrawl/skipped/{planned.reason}": 1})
                lines = [serialised(item) for item in validate_page([planned], None, self.counts)]
                self.merge(Outcome(lines, stats))
            else:
                pages.append(planned)
        del index
        self._name_run({p.site for p in pages})
        self.pages = len(pages)
        for outcomes in map_chunks(self.files, chunks(pages, jobs=4)):
            for outcome in outcomes:
                self.merge(outcome)
            self.done += len(outcomes)
            if progress:
                self.flush_counts()
                progress(self.done, self.pages, self.stats.get_stats())
        self.flush_counts()
        self._close_outputs()
        return self.finish()

    def _name_run(self, keys: set[str]) -> None:
        """A run of the sites whose pages the archive holds: their keys name it (the
        manifest's `spider`) and their settings (run-check thresholds) judge it."""
        if not keys or len(self.choices) == 1:
            return
        found = [site for site in self.choices if site.key in keys]
        self.spider.name = "+".join(site.key for site in found)
        self.settings = run_settings(found)

    def merge(self, outcome: Outcome) -> None:
        """One page's lines into the files, in order: repeats of once-per-run records dropped
        (the crawl's DedupeMiddleware), written records counted for coverage."""
        counts = self.counts
        counts.update(outcome.stats)
        seen = self.dedupe.seen
        for line in outcome.lines:
            if line.kind == "rejects":
                self._log_reject(line)
                counts["medcrawl/items/rejects"] += 1
                self.outputs["rejects"].write(line.line)
                continue
            if line.id is not None:
                key = (line.kind, line.id)
                if key in seen:
                    counts[f"medcrawl/deduped/{line.kind}"] += 1
                    continue
                seen.add(key)
            self.outputs[line.kind].write(line.line)
            count_written(counts, line.kind, line.filled, line.first_cause)

    def flush_counts(self) -> None:
        """The counts merged so far into the run's stats (the merge counts in a Counter:
        a stats call per field of every record would be the run's serial part)."""
        for key, count in self.counts.items():
            self.stats.inc_value(key, count)
        self.counts.clear()

    @staticmethod
    def _log_reject(line: Line) -> None:
        if line.log is not None:
            logger.log(*line.log)

    def _open_outputs(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        for stem in OUTPUT_FILES.values():
            self.outputs[stem] = part_path(self.out / f"{stem}.jsonl").open("wb")

    def _close_outputs(self) -> None:
        import os

        for stem, file in self.outputs.items():
            file.flush()
            os.fsync(file.fileno())
            file.close()
            os.replace(part_path(self.out / f"{stem}.jsonl"), self.out / f"{stem}.jsonl")

    def finish(self) -> bool:
        """Run checks, then the manifest (which records their verdict); True if they passed."""
        from medcrawl.archive.extract_checks import run_checks, write_manifest

        ended = datetime.now(timezone.utc)
        self.stats.set_value("finish_time", ended)
        self.stats.set_value("finish_reason", "finished")
        passed = run_checks(self.crawler)
        write_manifest(self.crawler, self.out, ended)
        return passed
