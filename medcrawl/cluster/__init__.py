"""Cluster mode: several workers share one frontier in Redis (scrapy-redis) and crawl as one run.

On when `MEDCRAWL_CLUSTER` is true or a Redis URL is given (`redis_url()`); `ClusterAddon`
then swaps in:

- `frontier.Scheduler`: scrapy-redis's persistent priority queue and `RFPDupeFilter`, so
  every worker takes requests from one queue and no page is fetched twice; a request a
  worker takes stays in its in-flight ledger until done, so a killed worker loses nothing.
- `frontier.RedisSeeds`: the worker's `start()` takes seeds from `<spider>:start_urls`
  (pushed by `medcrawl seed`), and ends when the crawl is finished (`state`).
- `politeness.SharedRateHandler`: wraps the http/https download handlers; one request per
  `MEDCRAWL_DOMAIN_INTERVAL` per host across all workers, taken when the request is sent.
- `itemqueue.ItemPush`: items go to the Redis list `<spider>:items`, not to local files;
  `medcrawl collect` writes them, each id once, to the crawl's run folder.
- `worker.WorkerSession`: the worker's heartbeat and stats, which the collector merges.
- `checks.WorkerChecks`: a worker checks only its own health; the crawl is judged once, by
  the collector, over everything the workers did.

Every write to Redis goes through `link.RedisLink`, which keeps writes in order while Redis
is unreachable and sends them once it is back.

This module imports neither redis nor scrapy-redis (the `cluster` extra): a crawl without
cluster mode never needs them.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from scrapy.settings import BaseSettings, Settings, get_settings_priority

#: Default keys, as scrapy-redis names them (`SCHEDULER_QUEUE_KEY`, …).
START_KEY = "%(name)s:start_urls"
QUEUE_KEY = "%(spider)s:requests"
DUPEFILTER_KEY = "%(spider)s:dupefilter"
#: Where `REDIS_URL` from the environment lands: above the project's and the site's settings,
#: below `-s REDIS_URL=…` (cmdline, 40).
ENVIRONMENT_PRIORITY = 35
#: The download handlers `politeness.SharedRateHandler` wraps, by scheme (set by the addon).
WRAPPED_HANDLERS = "MEDCRAWL_CLUSTER_WRAPPED_HANDLERS"


class ClusterError(Exception):
    """Something about the cluster an operator has to fix (the CLI prints it on one line)."""


def redis_url(settings: BaseSettings) -> str:
    """The Redis a worker uses: `-s REDIS_URL=…` beats `$REDIS_URL`, which beats the
    `REDIS_URL` setting (settings.py, a site's settings). Empty: none given. `-s REDIS_URL=`
    (empty) turns an exported `REDIS_URL` off for one crawl."""
    given = settings.get("REDIS_URL") or ""
    from_env = os.environ.get("REDIS_URL")
    if from_env is None:
        return given
    if (settings.getpriority("REDIS_URL") or 0) >= get_settings_priority("cmdline"):
        return given
    return from_env


def enabled(settings: BaseSettings) -> bool:
    """Cluster mode is on: `MEDCRAWL_CLUSTER` is true or a Redis URL is given."""
    return settings.getbool("MEDCRAWL_CLUSTER") or bool(redis_url(settings))


def worker_id(settings: BaseSettings) -> str:
    """This worker's name (`MEDCRAWL_WORKER_ID`, default the host name). A worker started
    again under the same name takes back what it had in flight; two workers on one host
    need two names."""
    return settings.get("MEDCRAWL_WORKER_ID") or socket.gethostname()


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one spider's cluster crawl."""

    start: str
    queue: str
    dupefilter: str
    items: str
    #: Hash: the crawl's `id`, `status` (seeding, running, finished), `started_at`,
    #: `finished_at`, `collected_at` (Unix seconds), `run_dir`.
    crawl: str
    #: Set: every worker that took work (whose ledgers count as in flight).
    workers: str
    #: Hash: session (`<worker>/<start time>`) → JSON of the worker's stats and how it ended.
    sessions: str

    @classmethod
    def of(cls, settings: BaseSettings, spider: str) -> Keys:
        return cls(
            start=settings.get("REDIS_START_URLS_KEY", START_KEY) % {"name": spider},
            queue=settings.get("SCHEDULER_QUEUE_KEY", QUEUE_KEY) % {"spider": spider},
            dupefilter=settings.get("SCHEDULER_DUPEFILTER_KEY", DUPEFILTER_KEY)
            % {"spider": spider},
            items=f"{spider}:items",
            crawl=f"{spider}:crawl",
            workers=f"{spider}:workers",
            sessions=f"{spider}:sessions",
        )

    def alive(self, worker: str) -> str:
        """A worker's heartbeat: exists while the worker runs (it expires when it is gone)."""
        return f"{self.crawl}:alive:{worker}"

    def ledgers(self, worker: str) -> tuple[str, str]:
        """A worker's in-flight ledgers: requests (a sorted set), seeds (a list)."""
        return inflight_key(self.queue, worker), inflight_key(self.start, worker)


def inflight_key(key: str, worker: str) -> str:
    """A worker's ledger of what it took from `key` and has not finished."""
    return f"{key}:inflight:{worker}"


class ClusterAddon:
    """Turns cluster mode on when the settings ask for it; does nothing otherwise."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not (settings.getbool("MEDCRAWL_CLUSTER") or url):
            return
        from medcrawl.cluster import frontier, itemqueue, politeness, worker
        from medcrawl.contract.dedupe import DedupeMiddleware

        if url != settings.get("REDIS_URL"):  # from the environment: where scrapy-redis reads
            settings.set("REDIS_URL", url, ENVIRONMENT_PRIORITY)
        settings.set("SCHEDULER", frontier.Scheduler, "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", frontier.RedisSeeds, 0)
        # Closest to the downloader: sees a stopping worker's unsent requests before retries do.
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", politeness.RequeueOnStop, 990
        )
        wrap_download_handlers(settings, politeness.SharedRateHandler)
        # Each id once is the collector's job: a worker that dropped a repeat could not write it
        # again after Redis lost the first (its page fetched again, the item dropped as seen).
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", DedupeMiddleware, None)
        settings.set_in_component_priority_dict("EXTENSIONS", itemqueue.ItemPush, 0)
        settings.set_in_component_priority_dict("EXTENSIONS", worker.WorkerSession, 0)
        # Workers write no files: `medcrawl collect` writes the cluster's run folder, and judges
        # the crawl as a whole there. A worker checks only that it stopped cleanly.
        settings.set("FEEDS", {}, settings.getpriority("FEEDS") or "addon")
        settings.set(
            "SPIDERMON_SPIDER_CLOSE_MONITORS", ["medcrawl.cluster.checks.WorkerChecks"], "spider"
        )


def wrap_download_handlers(settings: BaseSettings, wrapper: type) -> None:
    """Put `wrapper` in place of the http and https download handlers (whatever they are:
    Scrapy's, or a test's), and name the wrapped ones in `WRAPPED_HANDLERS`."""
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    wrapped = {scheme: handlers[scheme] for scheme in ("http", "https") if handlers.get(scheme)}
    settings.set(WRAPPED_HANDLERS, wrapped, "addon")
    replaced = {**settings.getdict("DOWNLOAD_HANDLERS"), **dict.fromkeys(wrapped, wrapper)}
    priority = max(settings.getpriority("DOWNLOAD_HANDLERS") or 0, get_settings_priority("addon"))
    settings.set("DOWNLOAD_HANDLERS", replaced, priority)


def project_settings(url: str | None = None) -> Settings:
    """medcrawl's settings, as a worker starts from (with `url` as `REDIS_URL`)."""
    settings = Settings()
    settings.setmodule("medcrawl.settings", priority="project")
    if url:
        settings.set("REDIS_URL", url, priority="cmdline")
    return settings


def unreachable(settings: BaseSettings) -> str | None:
    """Why this crawl cannot start in cluster mode (its Redis does not answer), or None."""
    if not enabled(settings):
        return None
    import redis

    url = redis_url(settings) or "redis://localhost:6379"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, ValueError) as error:
        return f"cannot reach Redis at {shown(url)} ({error})"
    return None


def shown(url: str) -> str:
    """A Redis URL fit for a log line: its password masked."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
