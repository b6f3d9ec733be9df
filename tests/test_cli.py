"""The `medcrawl` command: every subcommand listed, each parser in `medcrawl/cli/<command>.py`,
and no argument parsing in the library modules."""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path

from medcrawl.cli import COMMAND_MODULES

PACKAGE = Path(__file__).resolve().parent.parent / "medcrawl"
COMMANDS = {
    "export",
    "report",
    "savefixture",
    "crawl",
    "seed",
    "collect",
    "requeue",
    "runs",
    "extract",
}


def test_help_lists_every_command():
    medcrawl = Path(sys.executable).parent / "medcrawl"  # the console script
    done = subprocess.run([medcrawl, "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    commands = done.stdout.split("positional arguments:")[1].split("options:")[0]
    listed = set(re.findall(r"^ {4}(\w+)", commands, re.MULTILINE))  # not wrapped help lines
    assert listed == COMMANDS


def test_each_parser_lives_in_the_cli_package():
    """`medcrawl/cli/<command>.py` adds the parser of `<command>`, and runs it."""
    subparsers = argparse.ArgumentParser().add_subparsers()
    added = {}
    for module in COMMAND_MODULES:
        before = set(subparsers.choices)
        import_module(module).add_parser(subparsers)
        (name,) = set(subparsers.choices) - before
        added[name] = module
        assert subparsers.choices[name].get_default("func").__module__ == module
    assert added == {name: f"medcrawl.cli.{name}" for name in COMMANDS}


def test_only_the_cli_parses_arguments():
    """Library functions take plain arguments: argparse is imported in medcrawl/cli/ only."""
    importers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import) and any(a.name == "argparse" for a in node.names)
    }
    outside = {path for path in importers if not path.startswith("cli/")}
    assert outside == set()


def test_the_command_line_starts_without_the_corpus_tools_heavy_imports():
    """`medcrawl` builds every subcommand's parser at start; what only one command needs
    (datasketch and the scipy it loads: ~1.7 s) is imported when that command runs."""
    code = (
        "import sys; from medcrawl.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
