"""`medcrawl report RUN_DIR [--parquet]`: the command line of `medcrawl.corpus.report`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medcrawl.corpus import report as corpus_report
from medcrawl.corpus.report import read_manifest, summary, to_parquet, write_html


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="summarise a run folder and write its report.html",
        description=corpus_report.__doc__.split("\n\n")[0],
    )
    parser.add_argument("run_dir", type=Path, help="output/<spider>/<run id>")
    parser.add_argument(
        "--parquet", action="store_true", help="also write parquet/<file>.parquet (DuckDB)"
    )
    parser.add_argument("--top", type=int, default=15, help="bars in the top-N charts")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        manifest = read_manifest(args.run_dir)
    except FileNotFoundError as error:
        print(f"medcrawl report: {error}", file=sys.stderr)
        return 2
    print(summary(manifest))
    print(f"\nReport: {write_html(args.run_dir, manifest, top=args.top)}")
    if args.parquet:
        for written in to_parquet(args.run_dir):
            print(f"Parquet: {written}")
    return 0
