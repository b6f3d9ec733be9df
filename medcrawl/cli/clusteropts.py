"""What the cluster commands (`seed`, `collect`, `requeue`) share: which spider, which Redis.

The Redis a command talks to: `--redis-url`, else `$REDIS_URL`, else the `REDIS_URL` setting,
else Redis on localhost — the same order a worker follows (`-s REDIS_URL=` first there).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scrapy.settings import Settings

from medcrawl.cli.preflight import OperatorError
from medcrawl.cluster import ClusterError, Keys, project_settings, redis_url, shown

DEFAULT_REDIS = "redis://localhost:6379"


def add_cluster_arguments(parser: argparse.ArgumentParser) -> None:
    from medcrawl.sites import sites  # the spiders import the crawl machinery: only when asked

    parser.add_argument(
        "--spider", required=True, choices=sorted(sites()), help="the site's spider"
    )
    parser.add_argument(
        "--redis-url",
        help="Redis server (default: $REDIS_URL, else the REDIS_URL setting, else localhost)",
    )


def connect(args: argparse.Namespace, settings: Settings | None = None) -> tuple[Any, Keys]:
    """A Redis client, as the workers make one, and the spider's keys; OperatorError when
    Redis does not answer."""
    import redis
    from scrapy_redis.connection import get_redis_from_settings

    settings = settings or project_settings()
    if args.redis_url is not None:
        settings.set("REDIS_URL", args.redis_url, "cmdline")
    url = redis_url(settings) or DEFAULT_REDIS
    settings.set("REDIS_URL", url, "cmdline")
    server = get_redis_from_settings(settings)
    try:
        server.ping()
    except (redis.RedisError, ValueError) as error:
        raise OperatorError(f"cannot reach Redis at {shown(url)} ({error})") from None
    return server, Keys.of(settings, args.spider)


@contextmanager
def cluster_errors() -> Iterator[None]:
    """A ClusterError (something the operator must fix) as an OperatorError."""
    try:
        yield
    except ClusterError as error:
        raise OperatorError(str(error)) from None
