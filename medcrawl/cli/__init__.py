"""The `medcrawl` command: tools around the crawls (`scrapy crawl SITE` runs one).

Each subcommand's parser lives in its own module of this package, `add_parser(subparsers)`;
the parser sets `func(args) -> int` as its default, which turns the arguments into plain
ones for the library function it calls (`medcrawl.corpus.export.export`, …)."""

from __future__ import annotations

import argparse
import importlib
import sys

from medcrawl import __version__
from medcrawl.cli.preflight import OperatorError

#: Modules that each add one subcommand.
COMMAND_MODULES: list[str] = [
    "medcrawl.cli.export",
    "medcrawl.cli.report",
    "medcrawl.cli.savefixture",
    "medcrawl.cli.crawl",
    "medcrawl.cli.seed",
    "medcrawl.cli.collect",
    "medcrawl.cli.requeue",
    "medcrawl.cli.runs",
    "medcrawl.cli.extract",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="medcrawl", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"medcrawl {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; its return value is the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except OperatorError as error:  # raised by a command: one line, exit 2
        print(f"medcrawl: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
