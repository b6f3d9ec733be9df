"""`medcrawl seed`: push seeds — list pages, question pages, question id ranges — to the
cluster's Redis key `<spider>:start_urls`, where the workers take them."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

from scrapy.spiderloader import SpiderLoader

from medcrawl.cluster import Keys, add_redis_arguments, connect, inflight_key

#: Seeds per Redis round trip.
CHUNK = 10_000


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="push seeds to the cluster's Redis queue",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: medcrawl seed --spider SITE --ids 1000-2000 --default-start",
    )
    parser.add_argument(
        "urls",
        nargs="*",
        metavar="URL",
        help="pages of the site, or question ids",
    )
    parser.add_argument(
        "--ids",
        action="append",
        default=[],
        metavar="FIRST-LAST",
        help="question ids, an inclusive range or one id (repeatable)",
    )
    parser.add_argument(
        "--default-start",
        action="store_true",
        help="the site's own start pages (Site.default_start: its category index)",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="first forget the frontier (queue, seen set, seeds, in-flight ledgers): a new "
        "crawl of pages already fetched; only while no worker runs",
    )
    add_redis_arguments(parser)
    parser.set_defaults(func=run)


def id_range(text: str) -> range:
    """`"1000-2000"` → ids 1000…2000; `"7"` → just 7."""
    first, _, last = text.partition("-")
    if not first.isdigit() or not (last or first).isdigit() or int(last or first) < int(first):
        raise ValueError(f"--ids takes FIRST-LAST or one id, not {text!r}")
    return range(int(first), int(last or first) + 1)


def seed_urls(spider: Any, args: argparse.Namespace) -> Iterator[str]:
    """Every seed as a URL in the spider's canonical form (`QASpider.seed_url`). Raises
    ValueError, before the first is made, when a URL is not a page of the spider's site or
    an id range is bad."""
    given = [*args.urls, *(spider.site.default_start if args.default_start else ())]
    urls = [spider.seed_url(url) for url in given]
    for url, value in zip(urls, given, strict=True):
        if url is None:
            raise ValueError(f"not a page of {spider.name} or a question id: {value}")
    ranges = [id_range(text) for text in args.ids]
    return chain(urls, (spider.seed_url(str(n)) for ids in ranges for n in ids))


def run(args: argparse.Namespace) -> int:
    settings, server = connect(args)
    spider = SpiderLoader.from_settings(settings).load(args.spider)()
    keys = Keys.of(settings, args.spider)
    try:
        urls = seed_urls(spider, args)
    except ValueError as error:
        print(f"medcrawl seed: {error}", file=sys.stderr)
        return 2
    if args.reset:
        ledgers = [
            *server.scan_iter(inflight_key(keys.queue, "*")),
            *server.scan_iter(inflight_key(keys.start, "*")),
        ]
        server.delete(keys.queue, keys.dupefilter, keys.start, *ledgers)
    pushed = 0
    seeds = (json.dumps({"url": url}) for url in urls)
    while chunk := list(islice(seeds, CHUNK)):
        server.rpush(keys.start, *chunk)
        pushed += len(chunk)
    print(
        f"Pushed {pushed} seeds to {keys.start} ({server.llen(keys.start)} waiting, "
        f"{server.zcard(keys.queue)} requests queued, {server.scard(keys.dupefilter)} seen)"
    )
    return 0
