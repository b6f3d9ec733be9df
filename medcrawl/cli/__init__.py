"""The `medcrawl` command. Each subcommand lives in its own module, which exposes
`add_parser(subparsers)`; the parser it adds sets `func(args) -> int` as its default."""

from __future__ import annotations

import argparse
import importlib
import sys

from medcrawl import __version__

#: Modules that each add one subcommand.
COMMAND_MODULES: list[str] = [
    "medcrawl.corpus.export",
    "medcrawl.corpus.report",
    "medcrawl.cli.crawl",
    "medcrawl.cli.seed",
    "medcrawl.cli.collect",
    "medcrawl.cli.requeue",
    "medcrawl.cli.runs",
]


class OperatorError(Exception):
    """An operator mistake (a bad argument, a server that does not answer): `main` prints
    `medcrawl: <message>` on one line and exits 2, before anything starts."""


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
    except OperatorError as error:
        print(f"medcrawl: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
