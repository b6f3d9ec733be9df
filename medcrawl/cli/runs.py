"""`medcrawl runs [ROOT]`: the recent runs of every spider under ROOT (default
MEDCRAWL_OUTPUT_DIR) — however they were started: cron, systemd, scrapyd, a cluster's
collector — with how each ended, its checks' verdict, its record counts and failed checks.

Exit status: 1 when the newest run of a spider failed (its checks failed or reached no
verdict, or it never closed: killed, or a cluster crawl not collected to the end); a run
still writing (a file changed within --active minutes) is left out of that. 0 otherwise; 2
when ROOT is not a folder. One command for an operator's alerting to call.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from medcrawl import settings as project_settings
from medcrawl.cli.preflight import OperatorError
from medcrawl.contract.history import COUNTED, FAILED, Run, find_runs, newest_settled

#: Exit status when the newest run of a spider failed.
NEWEST_FAILED = 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "runs",
        help="recent runs of every spider and whether they passed; exit 1 if the newest failed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "root",
        nargs="?",
        type=Path,
        default=Path(project_settings.MEDCRAWL_OUTPUT_DIR),
        help="root of run folders (default: %(default)s)",
    )
    parser.add_argument("--spider", help="only this spider's runs")
    parser.add_argument("--limit", type=int, default=5, help="runs shown per spider (5)")
    parser.add_argument(
        "--active",
        type=float,
        default=10,
        metavar="MINUTES",
        help="a folder without a manifest changed this recently is still running (10)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per run")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.root.is_dir():
        raise OperatorError(f"runs: {args.root} is not a folder")
    now, active = datetime.now(timezone.utc), timedelta(minutes=args.active)
    runs = find_runs(args.root, args.spider)
    failed = []
    for found in runs.values():
        newest = newest_settled(found, now, active)
        if newest is not None and FAILED[newest.status(now, active)]:
            failed.append(newest)
        for one in found[: args.limit]:
            print(as_json(one, now, active) if args.json else as_text(one, now, active))
    if not args.json:
        if not runs:
            print(f"No runs under {args.root}")
        for one in failed:
            print(f"medcrawl: the newest run of {one.spider} failed: {one.path}")
    return NEWEST_FAILED if failed else 0


def as_text(one: Run, now: datetime, active: timedelta) -> str:
    status = one.status(now, active)
    shown = {"failed": "FAILED", "unfinished": "killed/unfinished", "running": "running?"}
    counts = "  ".join(
        f"{stem} {'-' if n is None else f'{n:,}'}" for stem, n in one.counts().items()
    )
    line = (
        f"{one.spider:<10} {one.run_id:<20} {one.ended:%Y-%m-%d %H:%M}Z  "
        f"{one.finish_reason or '-':<11} {shown.get(status, status):<18} {counts}"
    )
    return "\n".join([line, *(f"    {failure}" for failure in one.failures)])


def as_json(one: Run, now: datetime, active: timedelta) -> str:
    status = one.status(now, active)
    return json.dumps(
        {
            "spider": one.spider,
            "run_id": one.run_id,
            "path": str(one.path),
            "ended": one.ended.isoformat(),
            "finish_reason": one.finish_reason,
            "status": status,
            "failed": FAILED[status],
            "records": dict(zip(COUNTED, one.counts().values(), strict=True)),
            "failures": one.failures,
        },
        ensure_ascii=False,
    )
