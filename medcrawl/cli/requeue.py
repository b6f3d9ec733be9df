"""`medcrawl requeue`: give back the pages of a cluster worker that will not come back (its
in-flight requests to the queue, its seeds to the seed list); without `--worker`, list the
workers and what each holds."""

from __future__ import annotations

import argparse

from medcrawl.cli.clusteropts import add_cluster_arguments, cluster_errors, connect
from medcrawl.cluster.requeue import requeue
from medcrawl.cluster.state import progress


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "requeue",
        help="give back a dead cluster worker's in-flight pages",
        description=__doc__,
    )
    parser.add_argument("--worker", help="the worker's MEDCRAWL_WORKER_ID")
    parser.add_argument(
        "--force",
        action="store_true",
        help="even if the worker seems to run (its pages may then be fetched twice)",
    )
    add_cluster_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    server, keys = connect(args)
    if args.worker:
        with cluster_errors():
            requests, seeds = requeue(server, keys, args.worker, force=args.force)
        print(f"Gave back {requests} requests and {seeds} seeds of worker {args.worker}")
    now = progress(server, keys)
    for worker in now.workers:
        state = "running" if worker.alive else "gone"
        print(f"  {worker.name:<24}{state:<9}{worker.requests:>6} requests {worker.seeds:>4} seeds")
    print(now.line())
    return 0
