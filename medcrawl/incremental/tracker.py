"""Incremental runs (`-a incremental=1`): fetch only the questions that are due, write only
the ones whose content changed.

A spider middleware (async, as Scrapy ≥ 2.16 requires), active only in incremental runs:

- Requests for a question fetched less than `MEDCRAWL_REFRESH_DAYS` ago are dropped before
  they are scheduled (`medcrawl/incremental/skipped_fresh`); list pages are always fetched.
- The items of a question page are hashed together, minus volatile fields
  (`MEDCRAWL_INCREMENTAL_IGNORE`: `crawled_at`, the `*_raw` date strings that read
  `3天前`). Same hash as last time → nothing is written, not even the page's doctors, drugs
  or encyclopedia entry (`…/unchanged`); otherwise all of the page's items are
  (`…/changed`, `…/new`).
- A fetch is recorded in the state (`medcrawl.incremental.state`) once all its items have passed the
  pipelines, in checkpoints every `MEDCRAWL_STATE_BATCH` pages or `MEDCRAWL_STATE_INTERVAL`
  seconds, together with the size of every output file at that moment. A checkpoint is taken
  only when no page is half written, so the files up to those sizes hold whole pages.
- At start, runs that never closed and whose process is gone (kill -9, power loss) are
  settled: their files are cut back to their last checkpoint (`medcrawl.contract.feeds.settle`),
  and what they fetched after it is due again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import timedelta
from fnmatch import fnmatch
from functools import cache, partial
from pathlib import Path
from time import monotonic
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import call_later, create_looping_call

from medcrawl.contract.commit import PageLedger
from medcrawl.contract.feeds import committed_sizes, settle
from medcrawl.contract.items import Question, Reject
from medcrawl.contract.output import output_failed
from medcrawl.incremental.state import Fetch, RunLock, StateStore, database_path, utcnow
from medcrawl.sites.base import Site, site_of

logger = logging.getLogger(__name__)

STATS = "medcrawl/incremental/"


def is_incremental(crawler: Crawler) -> bool:
    """`-a incremental=1` (any of 1/true/yes/on), else the `MEDCRAWL_INCREMENTAL` setting."""
    arg = getattr(crawler.spider, "incremental", None)
    if arg is None:
        return crawler.settings.getbool("MEDCRAWL_INCREMENTAL")
    return str(arg).strip().lower() in ("1", "true", "yes", "on")


@cache
def _hashed(field: str, ignore: tuple[str, ...]) -> bool:
    return not any(fnmatch(field, pattern) for pattern in ignore)


def content_hash(items: Iterable[Any], ignore: tuple[str, ...]) -> str:
    """A hash of the items' fields in order, leaving out fields matching `ignore` (globs)."""
    digest = hashlib.blake2b(digest_size=16)
    for item in items:
        fields = {k: v for k, v in ItemAdapter(item).items() if _hashed(k, ignore)}
        digest.update(type(item).__name__.encode())
        digest.update(json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


class IncrementalMiddleware:
    """See the module docstring."""

    def __init__(self, crawler: Crawler, store: StateStore, lock: RunLock) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store
        self.lock = lock
        self.spider = crawler.spider
        self.site: Site = site_of(self.spider)  # type: ignore[assignment]  # see from_crawler
        self.run_id: str = self.spider.run_id
        self.refresh = timedelta(days=settings.getfloat("MEDCRAWL_REFRESH_DAYS"))
        self.batch = settings.getint("MEDCRAWL_STATE_BATCH")
        self.interval = settings.getfloat("MEDCRAWL_STATE_INTERVAL")
        self.ignore = tuple(settings.getlist("MEDCRAWL_INCREMENTAL_IGNORE"))
        self.pages = PageLedger()  # changed or new pages whose items are on their way
        self.ready: list[Fetch] = []  # fetches whose items are all written
        self.committed: dict[str, int] = {}  # the files' sizes at the last checkpoint
        self.last_checkpoint = monotonic()
        self.checkpoint_pending = False
        self.reason = "unknown"
        self.timer = create_looping_call(self._maybe_checkpoint)
        for handler, signal in (
            (self.spider_opened, signals.spider_opened),
            (self.item_done, signals.item_scraped),
            (self.item_done, signals.item_dropped),
            (self.item_done, signals.item_error),
            (self.spider_closed, signals.spider_closed),
            (self.engine_stopped, signals.engine_stopped),
        ):
            crawler.signals.connect(handler, signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        if not is_incremental(crawler):
            # Off in an ordinary run: no message, so Scrapy logs no warning about it.
            raise NotConfigured
        spider = crawler.spider
        if site_of(spider) is None:
            raise NotConfigured(f"incremental runs need a site's spider, not {spider.name}")
        state_dir = Path(crawler.settings.get("MEDCRAWL_STATE_DIR")).expanduser()
        lock = RunLock(state_dir, spider.name, spider.run_id)
        if not lock.acquire():
            raise RuntimeError(f"run {spider.run_id} of {spider.name} is already running")
        store = StateStore(database_path(state_dir, spider.name))
        settle_dead_runs(store, state_dir, spider)
        store.begin_run(spider.run_id, spider.run_dir, committed={})
        logger.info("Incremental run: state in %s", store.path)
        return cls(crawler, store, lock)

    # --- requests -----------------------------------------------------------------------------

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for entry in start:
            if not (isinstance(entry, Request) and self.is_fresh(entry)):
                yield entry

    def is_fresh(self, request: Request) -> bool:
        """A question fetched within the refresh period: skipped, and counted."""
        url = self.site.canonical_url(request.url)
        if not self.site.is_question_url(url):  # lists and the index: always fetched
            return False
        seen = self.store.seen_url(url)
        if seen is None or utcnow() - seen.fetched_at >= self.refresh:
            return False
        self.stats.inc_value(STATS + "skipped_fresh")
        return True

    # --- pages --------------------------------------------------------------------------------

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        page: list[Any] = []
        async for entry in result:
            if isinstance(entry, Request):
                if not self.is_fresh(entry):
                    yield entry
            elif isinstance(entry, Reject):
                yield entry
            else:
                page.append(entry)
        for item in self.changed_items(page):
            yield item

    def changed_items(self, page: list[Any]) -> list[Any]:
        """The items of a question page if its content changed, else none."""
        question = next((i for i in page if isinstance(i, Question)), None)
        if question is None or not question.id:
            return page
        digest = content_hash(page, self.ignore)
        now = utcnow()
        seen = self.store.seen(question.id)
        url = self.site.canonical_url(question.url or "")
        if seen is not None and seen.content_hash == digest:
            self.stats.inc_value(STATS + "unchanged")
            self.ready.append(Fetch(question.id, url, digest, now, seen.changed_at))
            self._maybe_checkpoint()
            return []
        self.stats.inc_value(STATS + ("new" if seen is None else "changed"))
        fetch = Fetch(question.id, url, digest, now, now)
        self.pages.add(page, done=partial(self.page_written, fetch))
        return page

    def item_done(self, item: Any) -> None:
        """An item was written, dropped or failed: its page may now be complete."""
        self.pages.item_done(item)

    def page_written(self, fetch: Fetch) -> None:
        self.ready.append(fetch)
        self._maybe_checkpoint()

    # --- checkpoints --------------------------------------------------------------------------

    def _maybe_checkpoint(self) -> None:
        due = len(self.ready) >= self.batch or monotonic() - self.last_checkpoint >= self.interval
        if due and not self.checkpoint_pending:
            # After the signal that got us here has reached every handler (the feed exporter).
            self.checkpoint_pending = True
            call_later(0, self.checkpoint)

    def checkpoint(self, final: bool = False) -> None:
        """Record the ready fetches and the output files' sizes — unless a page is half
        written (then the next completed page tries again), or the output could not be
        written (then the files hold no more than the last checkpoint says)."""
        self.checkpoint_pending = False
        if self.pages.half_written and not final:
            return
        sizes = committed_sizes(self.crawler)
        if sizes is None:
            return
        fetches, self.ready = self.ready, []
        self.store.checkpoint(self.run_id, fetches, sizes)
        self.committed = sizes
        self.last_checkpoint = monotonic()
        logger.debug("State checkpoint: %d fetches", len(fetches))

    # --- lifecycle ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        # The feed exporter has built its storages: record the files this run writes.
        self.checkpoint()
        self.timer.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Last checkpoint, before the feed exporter renames the files."""
        self.reason = reason
        if self.timer.running:
            self.timer.stop()
        if self.pages.half_written or len(self.pages):
            logger.warning(
                "%d items never reached the pipelines' end; their pages are due again",
                len(self.pages),
            )
        self.checkpoint(final=True)

    def engine_stopped(self) -> None:
        """The files are in place: the run is closed. One that could not write its output
        keeps what its last checkpoint says, as a killed run would (its files are whole)."""
        if output_failed(self.crawler):
            logger.warning("Output failed: keeping this run's files up to its last checkpoint")
            settle(self.committed)
        self.store.close_run(self.run_id, self.reason)
        self.store.close()
        self.lock.release()


def settle_dead_runs(store: StateStore, state_dir: Path, spider: Spider) -> None:
    """Settle every run that never closed and whose process is gone. When that run is this
    one (same run id: a resumed job, or `-a run_id=` again), this run continues its folder."""
    for run in store.open_runs():
        own = run.run_id == spider.run_id  # we hold its lock, so its process is gone
        lock = RunLock(state_dir, spider.name, run.run_id)
        if not own and not lock.acquire():
            continue  # alive: another process is running it
        try:
            logger.warning(
                "Run %s did not close (killed?): keeping its output up to its last checkpoint",
                run.run_id,
            )
            settle(run.committed)
            store.close_run(run.run_id, "killed")
            if own:
                spider.continues_run = True
        finally:
            if not own:
                lock.release()
