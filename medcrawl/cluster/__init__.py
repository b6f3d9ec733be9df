"""Cluster mode: several workers share one frontier in Redis (scrapy-redis).

On when `MEDCRAWL_CLUSTER` is true or `REDIS_URL` is set; `ClusterAddon` then swaps in:

- `frontier.Scheduler`: scrapy-redis's persistent priority queue and `RFPDupeFilter`, so
  every worker takes requests from one queue and no page is fetched twice; a request a
  worker takes stays in its in-flight ledger until done, so a killed worker loses nothing.
- `frontier.RedisSeeds`: the worker's `start()` takes seeds from `<spider>:start_urls`
  (pushed by `medcrawl seed`), through the shared dupefilter like any link.
- `politeness.DomainRateLimit`: one request per `MEDCRAWL_DOMAIN_INTERVAL` per domain
  across all workers.
- `itemqueue.ItemPush`: items go to the Redis list `<spider>:items`, not to local files;
  `medcrawl collect` writes them, each id once, to one run folder.

This module imports neither redis nor scrapy-redis (the `cluster` extra): a crawl without
cluster mode never needs them.
"""

from __future__ import annotations

import argparse
import os
import socket
from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings, Settings

#: Default keys, as scrapy-redis names them (`SCHEDULER_QUEUE_KEY`, …).
START_KEY = "%(name)s:start_urls"
QUEUE_KEY = "%(spider)s:requests"
DUPEFILTER_KEY = "%(spider)s:dupefilter"


def enabled(settings: BaseSettings) -> bool:
    """Cluster mode is on: `MEDCRAWL_CLUSTER` is true or `REDIS_URL` is set."""
    return settings.getbool("MEDCRAWL_CLUSTER") or bool(settings.get("REDIS_URL"))


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

    @classmethod
    def of(cls, settings: BaseSettings, spider: str) -> Keys:
        return cls(
            start=settings.get("REDIS_START_URLS_KEY", START_KEY) % {"name": spider},
            queue=settings.get("SCHEDULER_QUEUE_KEY", QUEUE_KEY) % {"spider": spider},
            dupefilter=settings.get("SCHEDULER_DUPEFILTER_KEY", DUPEFILTER_KEY)
            % {"spider": spider},
            items=f"{spider}:items",
        )


def inflight_key(key: str, worker: str) -> str:
    """A worker's ledger of what it took from `key` and has not finished."""
    return f"{key}:inflight:{worker}"


class ClusterAddon:
    """Turns cluster mode on when the settings ask for it; does nothing otherwise."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not enabled(settings):
            return
        from medcrawl.cluster import frontier, itemqueue, politeness

        settings.set("SCHEDULER", frontier.Scheduler, "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", frontier.RedisSeeds, 0)
        # After replay (900): an archived answer needs no politeness; before archiving (950).
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", politeness.DomainRateLimit, 920
        )
        settings.set_in_component_priority_dict("EXTENSIONS", itemqueue.ItemPush, 0)
        # Workers write no files: `medcrawl collect` writes the cluster's run folder.
        settings.set("FEEDS", {}, settings.getpriority("FEEDS") or "addon")


def add_redis_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every cluster command takes: which spider, which Redis."""
    from medcrawl.sites import sites  # the spiders import the crawl machinery: only when asked

    parser.add_argument(
        "--spider", required=True, choices=sorted(sites()), help="the site's spider"
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL"),
        help="Redis server (default: $REDIS_URL, else the REDIS_URL setting, else localhost)",
    )


def project_settings(redis_url: str | None = None) -> Settings:
    """medcrawl's settings, as a worker starts from (with `redis_url` as `REDIS_URL`)."""
    settings = Settings()
    settings.setmodule("medcrawl.settings", priority="project")
    if redis_url:
        settings.set("REDIS_URL", redis_url, priority="cmdline")
    return settings


def connect(args: argparse.Namespace) -> tuple[Settings, Any]:
    """The project settings (with `--redis-url`) and a Redis client, as the workers use."""
    from scrapy_redis.connection import get_redis_from_settings

    settings = project_settings(args.redis_url)
    return settings, get_redis_from_settings(settings)
