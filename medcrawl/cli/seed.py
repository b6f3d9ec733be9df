"""`medcrawl seed`: push seeds — list pages, question pages, question id ranges — to a cluster
crawl (`<spider>:start_urls` in Redis), where the workers take them. The first push begins
the crawl and names it (`--crawl-id`, default a UTC timestamp): the workers join it and the
collector names the run folder after it."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from scrapy.spiderloader import SpiderLoader

from medcrawl.cli.clusteropts import add_cluster_arguments, cluster_errors, connect
from medcrawl.cli.preflight import OperatorError
from medcrawl.cluster import project_settings
from medcrawl.cluster.seed import push, reset, seed_urls
from medcrawl.cluster.state import progress


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="push seeds to a cluster crawl in Redis",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: medcrawl seed --spider SITE --reset --ids 1000-2000 --default-start",
    )
    parser.add_argument("urls", nargs="*", metavar="URL", help="pages of the site, or question ids")
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
        "--crawl-id", help="the crawl to seed (default: the one under way, else a new one)"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="first forget the last crawl — its seeds, queue, seen set, in-flight ledgers, "
        "worker stats and items — to begin a new one; refused while a worker runs or items "
        "wait to be collected",
    )
    parser.add_argument(
        "--force", action="store_true", help="with --reset: even then (items are dropped)"
    )
    add_cluster_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.urls or args.ids or args.default_start or args.reset):
        raise OperatorError("seed: no seeds given (URLs, --ids or --default-start)")
    settings = project_settings()
    spider = SpiderLoader.from_settings(settings).load(args.spider)()
    try:
        urls = seed_urls(spider, args.urls, args.ids, args.default_start)
    except ValueError as error:
        raise OperatorError(f"seed: {error}") from None
    server, keys = connect(args, settings)
    pushed = 0

    def counted() -> Iterator[str]:
        nonlocal pushed
        for url in urls:
            pushed += 1
            yield url

    with cluster_errors():
        if args.reset:
            reset(server, keys, force=args.force)
        if args.urls or args.ids or args.default_start:
            crawl = push(server, keys, counted(), args.crawl_id)
            print(f"Pushed {pushed} seeds to crawl {crawl} ({keys.start})")
    print(progress(server, keys).line())
    return 0
