"""`medcrawl export RUN_DIR… --format F --out PATH`: the command line of
`medcrawl.corpus.export`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medcrawl.corpus import export as corpus_export
from medcrawl.corpus.export import Options, export
from medcrawl.corpus.shapes import FORMATS, RANKS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """The `export` subcommand."""
    defaults = Options()
    parser = subparsers.add_parser(
        "export",
        help="export runs as a de-identified Q&A corpus (pairs, huatuo, dialogue, sft)",
        description=corpus_export.__doc__.split("\n\n")[1].replace("\n", " "),
    )
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="run folder(s)")
    parser.add_argument("--format", "-f", required=True, choices=FORMATS)
    parser.add_argument("--out", "-o", required=True, type=Path, help="output .jsonl file")
    add = parser.add_argument_group("filters").add_argument
    add("--min-answer-chars", type=int, default=defaults.min_answer_chars, metavar="N")
    add(
        "--max-answer-chars",
        type=int,
        default=defaults.max_answer_chars,
        metavar="N",
        help="0: no limit (default)",
    )
    add("--min-question-chars", type=int, default=defaults.min_question_chars, metavar="N")
    add("--min-rank", choices=RANKS, help="only answers by doctors of this title rank or higher")
    add(
        "--drop-contact",
        action="store_true",
        help="drop answers that give a phone number, QQ, WeChat, URL or email (adverts)",
    )
    add = parser.add_argument_group("duplicates").add_argument
    add(
        "--dedupe",
        choices=("drop", "group", "off"),
        default=defaults.dedupe,
        help="drop duplicates (default), keep them with a dup_group field, or don't look",
    )
    add(
        "--dedupe-on",
        choices=("answer", "pair"),
        default=defaults.dedupe_on,
        help="compare answers (default) or question + answer",
    )
    add(
        "--near-threshold",
        type=float,
        default=defaults.near_threshold,
        metavar="J",
        help="Jaccard similarity of character shingles from which texts are near duplicates "
        "(default %(default)s; 0: exact duplicates only)",
    )
    add("--shingle", type=int, default=defaults.shingle, metavar="K", help="characters per shingle")
    add = parser.add_argument_group("text").add_argument
    add(
        "--no-deid",
        dest="deid",
        action="store_false",
        help="keep phone numbers, ids, names … as published (not for sharing)",
    )
    add("--simplified", action="store_true", help="convert Traditional to Simplified (OpenCC)")
    add("--no-card", dest="card", action="store_false", help="don't write README.md")
    add("--quiet", "-q", dest="progress", action="store_false", help="no progress line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    names = {f for f in Options.__dataclass_fields__ if hasattr(args, f)}
    options = Options(**{name: getattr(args, name) for name in names})
    try:
        report = export(args.runs, args.out, options)
    except (FileNotFoundError, FileExistsError) as error:
        print(f"medcrawl export: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0
