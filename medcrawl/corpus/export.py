"""`medcrawl export RUN_DIR… --format F --out PATH`: a corpus for researchers from crawl runs.

Each (question, answer) is cleaned — de-identified unless `--no-deid`, optionally converted to
Simplified Chinese — then filtered (lengths, doctor rank, contact details in the answer), then
checked for exact and near duplicates (dropped, or kept and grouped), and written as JSON Lines
in the chosen shape (`medcrawl.corpus.shapes.FORMATS`). A dataset card (`README.md`) is
written beside the data (never over a README.md that is not one); counts go to stdout.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from medcrawl.corpus.card import card_path, write_card
from medcrawl.corpus.deid import deidentify, deidentify_together
from medcrawl.corpus.shapes import PER_ANSWER, QA, RANKS, as_huatuo, read_runs

#: Placeholder kinds that mark contact details (an answer with them is usually an advert).
CONTACT = frozenset({"PHONE", "QQ", "WECHAT", "URL", "EMAIL"})


@dataclass
class Options:
    """How to export; the defaults are the command's."""

    format: str = "pairs"
    min_answer_chars: int = 10
    max_answer_chars: int = 0  # 0: no limit
    min_question_chars: int = 2
    min_rank: str | None = None  # keep answers by doctors of this rank or higher
    drop_contact: bool = False
    dedupe: str = "drop"  # drop | group | off
    dedupe_on: str = "answer"  # answer | pair (question + answer)
    near_threshold: float = 0.6  # Jaccard of character shingles; 0: exact duplicates only
    shingle: int = 4
    deid: bool = True
    simplified: bool = False
    card: bool = True
    progress: bool = True


@dataclass
class Report:
    """What an export read, dropped and wrote."""

    out: Path
    options: Options
    runs: list[Path]
    questions: int = 0
    questions_without_answers: int = 0
    answers: int = 0
    filtered: Counter[str] = field(default_factory=Counter)
    exact_duplicates: int = 0
    near_duplicates: int = 0
    duplicate_groups: int = 0
    written: int = 0  # records in the output (question pages for huatuo, else answers)
    written_answers: int = 0
    masked: Counter[str] = field(default_factory=Counter)
    crawled: tuple[str | None, str | None] = (None, None)
    manifests: list[dict] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the sites' host names
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The summary printed after an export."""
        dropped = ", ".join(f"{k} {v}" for k, v in self.filtered.most_common()) or "none"
        masked = ", ".join(f"{k} {v}" for k, v in self.masked.most_common()) or "none"
        dupes = "kept, grouped" if self.options.dedupe == "group" else self.options.dedupe
        return [
            f"read: {self.questions} questions, {self.answers} answers "
            f"({self.questions_without_answers} questions without an answer)",
            f"filtered out: {dropped}",
            f"duplicates ({dupes}): {self.exact_duplicates} exact, {self.near_duplicates} near, "
            f"in {self.duplicate_groups} groups",
            f"de-identified: {masked}" if self.options.deid else "de-identification: off",
            f"wrote {self.written} {self.options.format} records ({self.written_answers} answers) "
            f"to {self.out} in {self.seconds:.1f}s",
        ]


class Progress:
    """A progress line on stderr for long exports (rewritten in place on a terminal)."""

    def __init__(self, total: int, stream: TextIO | None, every: float = 1.0) -> None:
        self.total, self.stream, self.every = total, stream, every
        self.started = self.shown = time.monotonic()
        self.tty = bool(stream and stream.isatty())
        self.lines = 0

    def update(self, done: int, final: bool = False) -> None:
        """Show progress at most every `every` seconds; `final` closes a line already shown
        (a quick export shows none)."""
        now = time.monotonic()
        if self.stream is None or (now - self.shown < self.every and not (final and self.lines)):
            return
        self.shown = now
        self.lines += 1
        rate = done / max(now - self.started, 1e-9)
        line = f"export: {done:,}/{self.total:,} answers ({rate:,.0f}/s)"
        self.stream.write(("\r" + line + ("\n" if final else "")) if self.tty else line + "\n")
        self.stream.flush()


def _simplifier() -> Callable[[str], str]:
    try:
        import opencc  # optional: only --simplified needs it
    except ImportError as error:
        raise SystemExit(
            "--simplified needs OpenCC: pip install 'medcrawl[opencc]' (or: pip install opencc)"
        ) from error
    return opencc.OpenCC("t2s").convert


def _clean_page(
    qas: list[QA], options: Options, simplify: Callable[[str], str] | None, masked: Counter[str]
) -> dict[str, Counter[str]]:
    """De-identify (adding to `masked`) and convert one question page's records in place:
    a name stated anywhere on the page is masked in all its texts, and the question's texts,
    which every record carries, are masked and counted once. Returns what each answer held
    before masking, by answer id (for `--drop-contact`)."""
    in_answers: dict[str, Counter[str]] = {}
    if options.deid:
        first = qas[0]
        # a title-only question's text is its title: one text on the page, counted once
        shared = [first.title] if first.question == first.title else [first.title, first.question]
        own = [[qa.answer, *(turn.get("text") for turn in qa.follow_ups)] for qa in qas]
        results = deidentify_together(shared + [text for texts in own for text in texts])
        for _, counts in results:
            masked.update(counts)
        title, question = results[0][0], results[len(shared) - 1][0]
        at = len(shared)
        for qa, texts in zip(qas, own, strict=True):
            (qa.answer, in_answers[qa.id]), *turns = results[at : at + len(texts)]
            at += len(texts)
            qa.title, qa.question = title, question
            qa.follow_ups = [
                {**turn, "text": text} if turn.get("text") else turn
                for turn, (text, _) in zip(qa.follow_ups, turns, strict=True)
            ]
    elif options.drop_contact:
        in_answers = {qa.id: deidentify(qa.answer)[1] for qa in qas}
    for qa in qas:
        in_answers.setdefault(qa.id, Counter())
        if simplify is not None:
            qa.map_texts(lambda _, text: simplify(text))
            qa.department = simplify(qa.department) if qa.department else qa.department
    return in_answers


def _reject_reason(qa: QA, answer_masks: Counter[str], options: Options) -> str | None:
    if len(qa.question) < options.min_question_chars:
        return "question_too_short"
    if len(qa.answer) < options.min_answer_chars:
        return "answer_too_short"
    if options.max_answer_chars and len(qa.answer) > options.max_answer_chars:
        return "answer_too_long"
    if options.min_rank:
        if qa.doctor_rank not in RANKS:
            return "doctor_rank_unknown"
        if RANKS.index(qa.doctor_rank) < RANKS.index(options.min_rank):
            return "doctor_rank_below_" + options.min_rank
    if options.drop_contact and CONTACT & set(answer_masks):
        return "answer_has_contact"
    return None


def export(run_dirs: list[Path], out: Path, options: Options) -> Report:
    """Export the runs in `run_dirs` to `out` (JSON Lines) and its dataset card. Raises
    `FileExistsError`, before writing anything, when the card would replace a `README.md`
    that is not one."""
    started = time.monotonic()
    if options.card:
        card_path(out)
    data = read_runs(run_dirs)
    report = Report(
        out=out,
        options=options,
        runs=run_dirs,
        questions=data.questions,
        questions_without_answers=data.questions_without_answers,
        answers=len(data.qas),
        crawled=data.crawled,
        manifests=data.manifests,
        sources=sorted({urlsplit(qa.url).hostname or "" for qa in data.qas if qa.url} - {""}),
    )
    simplify = _simplifier() if options.simplified else None
    duplicates = None
    if options.dedupe != "off":
        # Imported here: datasketch loads scipy (~1.7 s), which every `medcrawl` command would
        # pay at start, since the command line builds every subcommand's parser.
        from medcrawl.corpus.duplicates import Duplicates

        duplicates = Duplicates(threshold=options.near_threshold, shingle=options.shingle)
    progress = Progress(len(data.qas), sys.stderr if options.progress else None)
    pages: dict[str, list[QA]] = defaultdict(list)
    for qa in data.qas:
        pages[qa.question_id].append(qa)
    answer_masks: dict[str, Counter[str]] = {}  # by answer id, filled a page at a time
    by_question: dict[str, list[tuple[QA, Any]]] = defaultdict(list)
    grouped: set[str] = set()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with partial.open("w", encoding="utf-8") as stream:
        for n, qa in enumerate(data.qas, 1):
            progress.update(n)
            if qa.id not in answer_masks:
                page = pages[qa.question_id]
                answer_masks.update(_clean_page(page, options, simplify, report.masked))
            reason = _reject_reason(qa, answer_masks[qa.id], options)
            if reason:
                report.filtered[reason] += 1
                continue
            match = None
            if duplicates is not None:
                key = qa.answer if options.dedupe_on == "answer" else f"{qa.question}\n{qa.answer}"
                match = duplicates.check(qa.id, key)
                if match is not None:
                    grouped.add(match.group)
                    if options.dedupe == "drop":
                        continue
            report.written_answers += 1
            if options.format == "huatuo":
                by_question[qa.question_id].append((qa, match))
                continue
            record = PER_ANSWER[options.format](qa)
            if options.dedupe == "group":
                record["dup_group"] = match.group if match else None
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            report.written += 1
        for members in by_question.values():
            record = as_huatuo([qa for qa, _ in members])
            if options.dedupe == "group":
                record["dup_groups"] = [match.group if match else None for _, match in members]
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            report.written += 1
        progress.update(len(data.qas), final=True)
    partial.replace(out)
    if duplicates is not None:
        report.exact_duplicates, report.near_duplicates = duplicates.exact, duplicates.near
    report.duplicate_groups = len(grouped)
    report.seconds = time.monotonic() - started
    if options.card:
        write_card(report)
    return report
