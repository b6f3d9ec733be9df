"""`medcrawl collect`: write a cluster crawl's items from Redis into its run folder,
`<MEDCRAWL_OUTPUT_DIR>/<spider>/<crawl id>/`, each record once. Once the crawl is finished
(with `--follow`: when it finishes) the folder is completed like any run's — all output
files, `manifest.json` with every worker's stats merged, the run checks judged once over the
whole crawl — and the command exits: 0, or 3 when the crawl failed its checks."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.conf import arglist_to_dict

from medcrawl.cli.clusteropts import add_cluster_arguments, cluster_errors, connect
from medcrawl.cli.commands.crawl import CHECKS_FAILED
from medcrawl.cli.preflight import OperatorError
from medcrawl.cluster import project_settings
from medcrawl.cluster.collect import collect_crawl, current_crawl
from medcrawl.cluster.state import progress


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "collect",
        help="write a cluster crawl's items from Redis to its run folder",
        description=__doc__,
    )
    parser.add_argument("--run-id", help="run folder name (default: the crawl's id)")
    parser.add_argument("--output-dir", help="root of run folders (default: MEDCRAWL_OUTPUT_DIR)")
    parser.add_argument(
        "--follow",
        action="store_true",
        help="keep collecting until the crawl is finished (waiting for one to begin)",
    )
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the run checks, as `scrapy crawl -s` (e.g. MEDCRAWL_MIN_ITEMS=100)",
    )
    add_cluster_arguments(parser)
    parser.set_defaults(func=run)


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM (systemctl stop) as Ctrl-C: files closed, exit 0


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    try:
        settings.setdict(arglist_to_dict(args.set), "cmdline")
    except ValueError:
        raise OperatorError(f"collect: -s takes NAME=VALUE, not {args.set}") from None
    server, keys = connect(args, settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s: %(message)s")
    spidercls = SpiderLoader.from_settings(settings).load(args.spider)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        with cluster_errors():
            crawl = current_crawl(server, keys, wait=args.follow)
            root = Path(args.output_dir or settings.get("MEDCRAWL_OUTPUT_DIR"))
            run_dir = root / args.spider / (args.run_id or crawl.id)
            done = collect_crawl(
                server,
                keys,
                run_dir,
                crawl.id,
                settings=settings,
                spidercls=spidercls,
                follow=args.follow,
            )
    except KeyboardInterrupt:
        print("Stopped: the files written so far are closed; collect again to go on")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    counts = ", ".join(f"{n} {stem}" for stem, n in sorted(done.written.items())) or "nothing new"
    print(f"{run_dir}: {counts}")
    if done.manifest is None:
        print(f"Not finished yet, no manifest: {progress(server, keys).line()}")
        return 0
    monitors = done.manifest["monitors"]
    if monitors["verdict"] != "passed":
        print(
            "medcrawl: the crawl failed its checks:\n  " + "\n  ".join(monitors["failures"]),
            file=sys.stderr,
        )
        return CHECKS_FAILED
    print(f"Crawl {crawl.id} finished and collected; run checks passed ({run_dir}/manifest.json)")
    return 0
