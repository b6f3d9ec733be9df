"""`medcrawl crawl SPIDER [scrapy crawl options]`: `scrapy crawl` from any folder.

`scrapy` finds a project's settings through a `scrapy.cfg` in the folder it runs in (or one
above), else `$SCRAPY_SETTINGS_MODULE`. Outside the checkout — a systemd unit, a worker
machine where medcrawl was `pip install`ed — there is neither, and `scrapy crawl` does not
know the spiders. This command names the settings module the installed package declares
(its `scrapy` entry point, the one scrapyd reads) when no `scrapy.cfg` is found, then runs
the project's `crawl` (exit status 3 when the run fails its checks).
"""

from __future__ import annotations

import argparse
import os
from importlib.metadata import PackageNotFoundError, distribution

from scrapy.utils.conf import closest_scrapy_cfg
from scrapy.utils.project import ENVVAR

#: The settings module when medcrawl is not installed as a distribution (a bare checkout).
FALLBACK_SETTINGS = "medcrawl.settings"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="scrapy crawl with medcrawl's settings, from any folder",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: medcrawl crawl SITE -s MEDCRAWL_OUTPUT_DIR=/srv/medcrawl/output",
    )
    parser.add_argument("spider", help="the spider (site)")
    parser.add_argument(
        "options", nargs=argparse.REMAINDER, help="scrapy crawl's options (-a, -s, -O …)"
    )
    parser.set_defaults(func=run)


def settings_module() -> str:
    """The settings module medcrawl's distribution names in its `scrapy` entry point."""
    try:
        points = distribution("medcrawl").entry_points
    except PackageNotFoundError:
        return FALLBACK_SETTINGS
    named = [p.value for p in points if p.group == "scrapy" and p.name == "settings"]
    return named[0] if named else FALLBACK_SETTINGS


def run(args: argparse.Namespace) -> int:
    if ENVVAR not in os.environ and not closest_scrapy_cfg():
        os.environ[ENVVAR] = settings_module()
    from scrapy.cmdline import execute

    execute(["scrapy", "crawl", args.spider, *args.options])  # exits with the crawl's status
    return 0  # not reached
