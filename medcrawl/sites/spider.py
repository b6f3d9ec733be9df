"""What every Q&A spider shares: arguments, seeds, bounds, the run folder, question pages,
retries and rejects."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.url import url_is_from_any_domain
from twisted.python.failure import Failure

from medcrawl.archive.replay import NOT_ARCHIVED_STAT
from medcrawl.contract.items import Reject
from medcrawl.contract.runs import JobRun, clear_run_folder
from medcrawl.crawl.challenge import challenge_seen
from medcrawl.crawl.fetched import fetched_at
from medcrawl.crawl.redirect import requested_url
from medcrawl.crawl.retry import failure_reason, retry_requested
from medcrawl.extract.urls import resolve_link
from medcrawl.scrapy_internals import release_selector
from medcrawl.sites import arguments
from medcrawl.sites.arguments import Argument
from medcrawl.sites.base import Site
from medcrawl.sites.page import ListEntry, Page, QuestionPage

P = TypeVar("P", bound=Page)

#: Request meta key of a seed (`start()`): the pages the operator asked for.
SEED_META = "medcrawl_seed"

#: Settings for a crawl that reads an archive instead of the network: no politeness needed,
#: and no retries (an archived error answers the same every time).
REPLAY_SETTINGS = {
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "RETRY_ENABLED": False,
}


def read_seed_file(path: str) -> Iterator[tuple[str, str]]:
    """`(where, value)` for each line of a seed file, lazily; `#` comments and blank lines
    are skipped. `where` is `FILE:LINE`, for log lines and rejects."""
    with open(path, encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, 1):
            value = line.split("#", 1)[0].strip()
            if value:
                yield f"{path}:{number}", value


class QASpider(scrapy.Spider):
    """Base for Q&A site spiders. Subclasses set `name` and `site` (the site's `Site`, which
    holds its URL knowledge and names its page classes) and route in `parse`; they only route.

    Arguments (`-a NAME=VALUE`, all optional) are `declared_arguments`: the seeds (`start`,
    `question`, `urls`) — without them the crawl starts from `categories` or `default_start`
    — and the bounds, replay, run id and modes. A site's spider that takes more declares them
    once: `declared_arguments = (*QASpider.declared_arguments, Argument(...))`; the value is
    then its attribute.
    """

    site: ClassVar[Site]
    #: Reasons a page may hold no question only for now: fetched again (RETRY_TIMES, with the
    #: backoff of medcrawl.crawl.retry.BackoffRetryMiddleware).
    retry_reasons: ClassVar[frozenset[str]] = frozenset({"challenge", "empty"})
    declared_arguments: ClassVar[tuple[Argument, ...]] = (
        Argument(
            "start",
            "start from these pages (index, list or question pages)",
            arguments.site_urls,
            "URL[,URL…]",
            attr="start_urls",
        ),
        Argument("question", "these questions", arguments.question_ids, "ID[,ID…]", "question_ids"),
        Argument(
            "urls",
            "a file of seeds, one URL or question id a line (# comments)",
            arguments.existing_file,
            "FILE",
            attr="urls_file",
        ),
        Argument(
            "categories",
            "only these categories' lists",
            arguments.categories,
            "ID[,ID…]",
        ),
        Argument(
            "since",
            "skip list items dated before; stop paging a list past them",
            arguments.iso_date,
            "YYYY-MM-DD",
        ),
        Argument(
            "until",
            "skip list items dated after (lists are still paged past them); not before since",
            arguments.iso_date,
            "YYYY-MM-DD",
        ),
        Argument("max_pages", "at most N distinct question pages", arguments.positive_int, "N"),
        Argument(
            "related",
            "follow related-question links (default: only in a whole-site crawl)",
            arguments.flag,
            "0|1",
        ),
        Argument(
            "replay",
            "answer every request from a WARC file or folder, never the network",
            arguments.replay_path,
            "PATH",
        ),
        Argument(
            "run_id",
            "name the run (its folder); default a UTC timestamp",
            arguments.run_id,
            "NAME",
        ),
        Argument(
            "overwrite",
            "let run_id name a run folder that holds a finished run (its files are replaced)",
            arguments.flag,
            "0|1",
        ),
        Argument(
            "incremental",
            "fetch only questions that are due, write only what changed (state: "
            "MEDCRAWL_STATE_DIR)",
            arguments.flag,
            "0|1",
        ),
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "site" in cls.__dict__:  # a site's spider: Scrapy's offsite filter reads this
            cls.allowed_domains = list(cls.site.domains)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The site's settings (politeness, run-check thresholds) at Scrapy's "spider"
        priority, as `custom_settings` are: they beat the project defaults, `-s` beats them."""
        settings.setdict(cls.site.settings, priority="spider")
        super().update_settings(settings)

    @classmethod
    def parse_arguments(cls, given: dict[str, Any]) -> dict[str, Any]:
        """Every declared argument's value from `-a` (None when not given); ArgumentError
        (one line) for an unknown name or a bad value. The crawl command calls it before the
        crawl starts."""
        values = arguments.parse_arguments(cls.declared_arguments, given, cls)
        since, until = values.get("since"), values.get("until")
        if since and until and until < since:
            raise arguments.ArgumentError(f"-a until={until} is before -a since={since}")
        return values

    @property
    def page_class(self) -> type[QuestionPage]:
        return self.site.question_page

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        values = self.parse_arguments(kwargs)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k.startswith("_")})
        self.arguments = {k: v for k, v in kwargs.items() if v is not None}  # for the manifest
        for arg in self.declared_arguments:
            setattr(self, arg.attribute, values[arg.name])
        self.start_urls = self.start_urls or []
        self.question_ids = self.question_ids or []
        self.categories = self.categories or []
        if self.related is None:  # only a whole-site crawl; they lead away from what was asked
            self.follow_related = not (
                self.start_urls
                or self.question_ids
                or self.urls_file
                or self.categories
                or self.since
                or self.until
            )
        else:
            self.follow_related = self.related
        self.run_id = self.run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        # Question URLs counted against max_pages (at most max_pages of them; none without it).
        self._budget: set[str] | None = set() if self.max_pages else None
        # Question URLs (canonical) this run has asked for: related links to them are dropped
        # before a Request is built (the dupefilter would drop it after).
        self._asked: set[str] = set()
        self._undated_warned = False
        self._bad_link_logged = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> QASpider:
        if kwargs.get("replay"):
            crawler.settings.set("MEDCRAWL_REPLAY", kwargs["replay"], priority="spider")
        if crawler.settings.get("MEDCRAWL_REPLAY"):  # -a replay= or -s MEDCRAWL_REPLAY=
            crawler.settings.setdict(REPLAY_SETTINGS, priority="spider")
        spider = super().from_crawler(crawler, *args, **kwargs)
        # A job resumed from JOBDIR keeps its run id and appends to its folder (contract.runs).
        job = JobRun(crawler, spider.run_id, explicit=kwargs.get("run_id") is not None)
        spider.run_id, spider.continues_run = job.run_id, job.continues
        root = Path(crawler.settings.get("MEDCRAWL_OUTPUT_DIR", "output"))
        spider.run_dir = str(root / spider.name / spider.run_id)
        if spider.overwrite and not spider.continues_run:  # -a overwrite=1: a new run there
            clear_run_folder(Path(spider.run_dir))
        return spider

    # --- routing hooks ----------------------------------------------------------------------

    def related_urls(self, response: TextResponse) -> Iterable[str]:
        """Question pages a question page links as related."""
        return ()

    # --- seeds ----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request | Reject]:
        for seed in self.seeds():
            if isinstance(seed, Request):  # asked for: a page of the run, even out of an archive
                seed.meta[SEED_META] = True
            yield seed

    def seeds(self) -> Iterator[Request | Reject]:
        """Start requests, lazily, and a reject for each seed that is neither a URL of the
        site nor a question id. Explicit seeds (`start`, `question`, `urls`) win; else the
        first list page of each of `categories`; else `default_start`."""
        explicit = False
        for where, value in self._seed_values():
            explicit = True
            url = self.seed_url(value)
            if url is None:
                why = self._seed_refusal(value)
                self.logger.warning("Bad seed %r (%s): %s", arguments.shown(value), where, why)
                yield self.reject(value, "bad_seed", f"{where}: {why}")
            elif self.site.is_question_url(url):
                yield from self.follow_questions([url])
            else:
                yield from self.follow_all([url])
        if not explicit:
            yield from self.follow_all(self.start_pages())

    def start_pages(self) -> Iterable[str]:
        """Where a crawl without seeds starts: the first list page of each of `categories`,
        else the site's `default_start`. A site that can address its lists by date may start
        from the pages `since`/`until` ask for instead."""
        return [self.site.category_url(c) for c in self.categories] or self.site.default_start

    def _seed_refusal(self, value: str) -> str:
        """Why `seed_url` refused a seed: the site's reason for an id it cannot address."""
        if value.strip().isdigit() and len(value.strip()) < 100:
            try:
                self.site.question_url(value.strip())
            except ValueError as error:
                return str(error)
        return "not a URL of this site or a question id"

    def _seed_values(self) -> Iterator[tuple[str, str]]:
        yield from (("-a start", url) for url in self.start_urls)
        yield from (("-a question", qid) for qid in self.question_ids)
        if self.urls_file:
            yield from read_seed_file(self.urls_file)

    @classmethod
    def seed_url(cls, value: str) -> str | None:
        """A seed — a question id or a URL of the site (`allowed_domains`) — as a canonical
        URL; None when it is neither (a value the site cannot take as an id, however many
        digits, included). The one check for seeds from arguments, seed files, `medcrawl seed`
        and cluster mode's Redis seeds."""
        value = value.strip()
        try:
            if value.isdigit():
                return cls.site.canonical_url(cls.site.question_url(value))
            if value.startswith(("http://", "https://")) and url_is_from_any_domain(
                value, cls.allowed_domains
            ):
                return cls.site.canonical_url(resolve_link(value, value))
        except ValueError:  # an id past the site's digits, or no URL (BadLink: a bad host, port)
            return None
        return None

    # --- following links --------------------------------------------------------------------

    def open_page(self, page_class: type[P], response: Response) -> P:
        """A page class on `response`, fetched at `fetched_at(response)`, whose bad links are
        counted (`bad_link`). Site spiders make their list and index pages with it."""
        page = page_class(response, fetched_at(response))  # type: ignore[arg-type]
        page.on_bad_link = self.bad_link
        return page

    def bad_link(self, href: str, why: str) -> None:
        """An href skipped as no link (a broken host or port, `javascript:`, an id past the
        site's digits): counted in `medcrawl/links/skipped`; the first of a run is logged,
        the others at DEBUG."""
        self.crawler.stats.inc_value("medcrawl/links/skipped")
        shown = href if len(href) <= 100 else f"{href[:100]}… ({len(href)} characters)"
        if self._bad_link_logged:
            self.logger.debug("Skipped link %r: %s", shown, why)
            return
        self._bad_link_logged = True
        self.logger.info(
            "Skipped link %r: %s (further ones: stat medcrawl/links/skipped, DEBUG log)",
            shown,
            why,
        )

    def canonical(self, url: str) -> str | None:
        """`url` in the site's canonical form, or None (counted) when a site URL helper
        refuses it (an id past its digits)."""
        try:
            return self.site.canonical_url(url)
        except ValueError as error:
            self.bad_link(url, str(error))
            return None

    def follow(self, url: str, callback: Any = None) -> Request | None:
        """A request to a seed or discovered link, in canonical form (Scrapy's dupefilter then
        drops a page already requested in this run); a failure becomes a reject. None, counted
        as a skipped link, when `url` is no URL to request (links from pages come checked:
        `Page.link`)."""
        canonical = self.canonical(url)
        if canonical is None:
            return None
        try:
            return Request(canonical, callback=callback or self.parse, errback=self.on_error)
        except ValueError as error:  # no scheme, a bad host or port
            self.bad_link(url, str(error))
            return None

    def follow_all(self, urls: Iterable[str]) -> Iterator[Request]:
        """`follow` each of `urls`, skipping those that are no URL to request."""
        for url in urls:
            if (request := self.follow(url)) is not None:
                yield request

    def follow_questions(self, urls: Iterable[str]) -> Iterator[Request]:
        """Requests to question pages, within `max_pages` distinct questions."""
        for url in urls:
            url = self.canonical(url)
            if url is None:
                continue
            if self._budget is not None and url not in self._budget:
                if len(self._budget) >= self.max_pages:  # type: ignore[operator]
                    self.crawler.stats.inc_value("medcrawl/bounded/max_pages")
                    continue
                self._budget.add(url)
            self._asked.add(url)
            yield from self.follow_all([url])

    def follow_related_links(self, urls: Iterable[str]) -> Iterator[Request]:
        """Requests to the related questions this run has not asked for yet. Pages link ~10
        related questions, most of them asked for already: a set lookup instead of a Request
        built, scheduled and fingerprinted only for the dupefilter to drop."""
        fresh: dict[str, None] = {}
        for link in urls:
            url = self.canonical(link)
            if url is None:
                continue
            if url in self._asked or url in fresh:
                self.crawler.stats.inc_value("medcrawl/related/already_asked")
            else:
                fresh[url] = None
        yield from self.follow_questions(fresh)

    def budget_spent(self) -> bool:
        """True once `max_pages` distinct questions have been requested."""
        return self._budget is not None and len(self._budget) >= self.max_pages  # type: ignore[operator]

    def follow_list(
        self, entries: Iterable[ListEntry], next_url: str | Callable[[], str | None] | None
    ) -> Iterator[Request]:
        """A list page's questions, then its next page — except items older than `since` or
        newer than `until`, and no next page once the page's last dated item is older than
        `since` (lists run newest first) or `max_pages` is used up. Undated lists are paged to
        the end. `next_url` may be the page's method that finds it: called once the questions
        are followed, so a pager that fails to parse (a `parse_error` reject) does not cost the
        page its questions."""
        wanted, last_dated = [], None
        for entry in entries:
            if entry.posted is not None:
                last_dated = entry.posted
            if self.since and entry.posted and entry.posted < self.since:
                self.crawler.stats.inc_value("medcrawl/bounded/since")
            elif self.until and entry.posted and entry.posted > self.until:
                self.crawler.stats.inc_value("medcrawl/bounded/until")
            else:
                wanted.append(entry.url)
        yield from self.follow_questions(wanted)
        if callable(next_url):
            next_url = next_url()
        if next_url is None or self.budget_spent():
            return
        if self.since and last_dated is None and wanted and not self._undated_warned:
            self._undated_warned = True
            self.logger.warning("List items show no dates: since=%s cannot stop paging", self.since)
        if self.since and last_dated is not None and last_dated < self.since:
            self.logger.info("Stopped paging before %s: items older than %s", next_url, self.since)
            self.crawler.stats.inc_value("medcrawl/bounded/since_stopped_lists")
            return
        yield from self.follow_all([next_url])

    # --- question pages ---------------------------------------------------------------------

    def parse_question(self, response: Response) -> Iterator[object]:
        """Items of one question page (then its related questions), or a retry or a reject
        saying why the page holds none. All or nothing: the page is parsed whole before its
        first item leaves, so a page whose parse raises is one `parse_error` reject
        (`medcrawl.crawl.faults`), never half a page."""
        if not isinstance(response, TextResponse) or not response.body.strip():
            yield from self.skip(response, "empty")
            return
        page = self.open_page(self.page_class, response)
        reason = page.problem()
        if reason:
            yield from self.skip(response, reason)
            return
        found = list(page.items())
        if not getattr(found[0], "title", None):  # only a UI word (`提问`) where the title is
            yield from self.skip(response, "not_question")
            return
        related = list(self.related_urls(response)) if self.follow_related else []
        release_selector(response)  # the page is read: its tree goes now, not at a collection
        self.crawler.stats.inc_value("medcrawl/pages/question")
        yield from found
        yield from self.follow_related_links(related)

    def skip(self, response: Response, reason: str) -> Iterator[object]:
        """A page without a question: fetched again when the problem may pass (a challenge, an
        empty body: `retry_reasons`), else rejected under the URL that was asked for."""
        url = requested_url(response.request) if response.request else response.url
        detail = f"answered by {response.url}" if response.url != url else None
        yield from self.retry_or_reject(response.request or Request(url), reason, detail)

    def retry_or_reject(
        self, request: Request, reason: str, detail: str | None
    ) -> Iterator[Request | Reject]:
        """The URL `request` asked for again, after BackoffRetryMiddleware's pause, when the
        problem may pass (`retry_reasons`) and retries are left; else a reject. A challenge is
        signalled (`challenge_seen`) either way."""
        url = requested_url(request)
        if reason == "challenge":
            self.crawler.signals.send_catch_log(challenge_seen, url=url)
        if reason in self.retry_reasons:
            # The page asked for again, not where a redirect (to a challenge) led.
            meta = {k: v for k, v in request.meta.items() if not k.startswith("redirect_")}
            answers = self.crawler.signals.send_catch_log(
                retry_requested, request=request.replace(url=url, meta=meta), reason=reason
            )  # answered by BackoffRetryMiddleware, when RETRY_ENABLED is on
            retry = next((r for _, r in answers if isinstance(r, Request)), None)
            if retry is not None:
                yield retry
                return
        yield self.reject(url, reason, detail)

    def on_error(self, failure: Failure) -> Iterator[Request | Reject]:
        """A request that failed for good (HTTP error, timeout, dropped connection, robots.txt)
        becomes a reject; one answered by a redirect to the bot check is retried first; the
        other page one was redirected to is followed."""
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure.value)
        if reason in self.retry_reasons:  # medcrawl.crawl.redirect.Challenged
            yield from self.retry_or_reject(request, reason, failure.getErrorMessage())
            return
        if reason == "redirected":  # medcrawl.crawl.redirect.Redirected: the other page is a link
            target = failure.value.target
            if self.site.is_question_url(target):
                yield from self.follow_questions([target])
            else:
                yield from self.follow_all([target])
        if reason == "not_archived" and not request.meta.get(SEED_META):
            # A link out of a replayed archive (a partial crawl): not a page of the run, so not
            # a reject; counted, and summarised in one line at the end (crawl.summary).
            self.crawler.stats.inc_value(NOT_ARCHIVED_STAT)
            return
        # Not a fault: the page a redirect led to was asked for, and is written, under its own
        # URL. A seed the archive lacks is an INFO line: the archive is partial, not the site.
        level = logging.INFO if reason in ("not_archived", "redirected") else logging.WARNING
        yield self.reject(requested_url(request), reason, failure.getErrorMessage(), level=level)

    def reject(
        self, url: str, reason: str, detail: str | None = None, level: int = logging.WARNING
    ) -> Reject:
        """Log, count and record a page that yields no items."""
        self.logger.log(level, "Skipped %s: %s%s", url, reason, f" ({detail})" if detail else "")
        self.crawler.stats.inc_value(f"medcrawl/skipped/{reason}")
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        return Reject(url=url, reason=reason, detail=detail, at=now)
