"""Retrying like a polite client: wait before a retry, and name why it happened.

Scrapy's RetryMiddleware retries at once and ignores `Retry-After`. Here a retry first pauses
the request's download slot (the whole site, not only the failed URL): for the time the
server asks in `Retry-After` on 429/503 (capped by `MEDCRAWL_RETRY_AFTER_MAX`), otherwise
with exponential backoff (`MEDCRAWL_RETRY_BACKOFF` × 2ⁿ⁻¹, capped by
`MEDCRAWL_RETRY_BACKOFF_MAX`). Every retry is counted as `medcrawl/retried/<reason>`.
Pages that hold no question only for now (a bot challenge, an empty body) are retried the same
way: the spider sends the `retry_requested` signal, which the middleware answers with the
retry request (no answer when retries are off or used up).
"""

from __future__ import annotations

import logging
import time
from datetime import timezone
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from medcrawl.scrapy_internals import download_slots, hold_download_slot

logger = logging.getLogger(__name__)

#: Signal a spider sends (`request=`, `reason=`) for a page that holds no question only for
#: now; BackoffRetryMiddleware answers with the request to send again, or None.
retry_requested = object()

#: Exception classes → the reason named in stats and rejects (first match wins).
_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, tx_error.TimeoutError, TimeoutError), "timeout"),
    ((ResponseDataLossError,), "data_loss"),
    ((DownloadConnectionRefusedError, tx_error.ConnectError), "connection_refused"),
    ((CannotResolveHostError, tx_error.DNSLookupError), "dns"),
    (
        (
            tx_error.ConnectionLost,
            tx_error.ConnectionDone,
            ResponseFailed,
            ResponseNeverReceived,
            ConnectionError,
        ),
        "connection_lost",
    ),
)

#: Scrapy's IgnoreRequest messages → the reason (robots.txt; REDIRECT_MAX_TIMES reached).
_IGNORED = (("robots.txt", "robots_txt"), ("max redirections", "redirect_loop"))


def failure_reason(exception: BaseException) -> str:
    """A short, stable name for why a download failed: `http_503`, `timeout`, `data_loss`,
    `connection_lost`, `connection_refused`, `dns`, `robots_txt`, `redirect_loop`, `stopped`,
    `challenge`, `ignored`, else `download_error`; `not_archived` for a page a replayed archive
    does not hold."""
    if isinstance(exception, HttpError):
        if "replay-miss" in exception.response.flags:
            return "not_archived"
        return f"http_{exception.response.status}"
    if isinstance(exception, IgnoreRequest):  # a reason of its own, or Scrapy's message
        message = str(exception)
        return getattr(exception, "reason", None) or next(
            (reason for text, reason in _IGNORED if text in message), "ignored"
        )
    for classes, reason in _REASONS:
        if isinstance(exception, classes):
            return reason
    # Scrapy wraps some Twisted errors (DownloadFailedError from ResponseFailed): look inside.
    cause = exception.__cause__ or exception.__context__
    if cause is not None and cause is not exception:
        return failure_reason(cause)
    return "download_error"


def retry_after(response: Response, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait (`Retry-After: 120` or an HTTP date), or None."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff before retry number `attempt` (1, 2, …): base, 2×base, 4×base …"""
    return min(cap, base * 2 ** (attempt - 1)) if base > 0 else 0.0


class SlotPauser:
    """Holds a download slot (one site) back for a while: no request of the slot starts
    before the pause ends. Works with any DOWNLOAD_DELAY, including 0."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.until: dict[str, float] = {}

    def pause(self, key: str, seconds: float) -> None:
        slot = download_slots(self.crawler).get(key)
        if slot is None or seconds <= 0:
            return
        until = time.monotonic() + seconds
        if until <= self.until.get(key, 0.0):
            return
        self.until[key] = until
        hold_download_slot(self.crawler, slot, seconds)


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before a retry (see the module doc) and counts reasons."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.retry_after_max = settings.getfloat("MEDCRAWL_RETRY_AFTER_MAX")
        self.backoff_base = settings.getfloat("MEDCRAWL_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("MEDCRAWL_RETRY_BACKOFF_MAX")
        self._pauser: SlotPauser | None = None
        crawler.signals.connect(self.retry, signal=retry_requested)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            wait = retry_after(response) if response.status in (429, 503) else None
            if wait is not None:
                wait = min(wait, self.retry_after_max)
            self._retrying(request, result, f"http_{response.status}", wait)
        return result

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self._retrying(request, result, failure_reason(exception), None)
        return result

    def retry(self, request: Request, reason: str) -> Request | None:
        """`request` again, after the pause, for a `reason` only the spider can see (`challenge`,
        `empty`); None once its retries are used up (the spider's reject then says why)."""
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level="DEBUG",
        )
        if retry is not None:
            self._retrying(request, retry, reason, None)
        return retry

    def _retrying(self, request: Request, retry: Request, reason: str, wait: float | None) -> None:
        attempt = retry.meta.get("retry_times", 1)
        if wait is None:
            wait = backoff(attempt, self.backoff_base, self.backoff_max)
        self.crawler.stats.inc_value(f"medcrawl/retried/{reason}")
        logger.info("Retrying %s in %.1fs (%s, retry %d)", request.url, wait, reason, attempt)
        key = request.meta.get(Downloader.DOWNLOAD_SLOT)
        if key and wait > 0:
            if self._pauser is None:
                self._pauser = SlotPauser(self.crawler)
            self._pauser.pause(key, wait)
