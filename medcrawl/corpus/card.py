"""The dataset card: `README.md` written beside an exported corpus, saying where the data came
from, when it was crawled, what was counted, filtered and masked, what each field holds, the
terms it comes under and the command that rebuilds it. Its first line (`MARKER`) marks it as
ours: a `README.md` without it (a project's own) is never replaced."""

from __future__ import annotations

import shlex
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from medcrawl import __version__
from medcrawl.corpus.shapes import FIELDS

if TYPE_CHECKING:
    from medcrawl.corpus.export import Options, Report

#: The card's first line (an HTML comment: Markdown viewers don't show it); a README.md is a
#: card when its first line starts like this.
_MARKER_START = "<!-- medcrawl dataset card"
MARKER = _MARKER_START + ": written by `medcrawl export`, replaced by the next one -->"

_SHAPES = {
    "pairs": "one record per (question, answer), the cMedQA / Toyhom shape",
    "huatuo": "one record per question page with `questions` / `answers` lists, the "
    "Huatuo-26M shape",
    "dialogue": "one dialogue per answering doctor, the MedDialog shape",
    "sft": "instruction / input / output records for supervised fine-tuning",
}


def command_line(report: Report) -> str:
    """The `medcrawl export` command that makes this corpus again (options that differ
    from the defaults only)."""
    defaults = type(report.options)()
    words = ["medcrawl", "export", *map(str, report.runs)]
    words += ["--format", report.options.format, "--out", str(report.out)]
    flags = {"deid": "--no-deid", "card": "--no-card", "progress": "--quiet"}
    for name, value in vars(report.options).items():
        if name == "format" or value == getattr(defaults, name):
            continue
        if name in flags:
            words.append(flags[name])
        elif value is True:
            words.append("--" + name.replace("_", "-"))
        else:
            words += ["--" + name.replace("_", "-"), str(value)]
    return shlex.join(words)


def _filters(options: Options) -> list[str]:
    rules = [
        f"question at least {options.min_question_chars} characters",
        f"answer at least {options.min_answer_chars} characters",
    ]
    if options.max_answer_chars:
        rules.append(f"answer at most {options.max_answer_chars} characters")
    if options.min_rank:
        rules.append(f"answering doctor's title rank `{options.min_rank}` or higher")
    if options.drop_contact:
        rules.append("answers giving a phone number, QQ, WeChat, URL or email dropped (adverts)")
    return rules


def _duplicates(report: Report) -> list[str]:
    options = report.options
    if options.dedupe == "off":
        return ["Duplicates: not looked for."]
    compared = "the answer" if options.dedupe_on == "answer" else "the question and answer"
    near = (
        f"near duplicates: Jaccard similarity ≥ {options.near_threshold} of "
        f"{options.shingle}-character shingles without punctuation (candidates from MinHash "
        "LSH, datasketch; the similarity computed exactly)"
        if options.near_threshold
        else "near duplicates: not looked for"
    )
    action = (
        "all but the first of each group dropped"
        if options.dedupe == "drop"
        else "all kept; a duplicate's `dup_group` (`dup_groups` in huatuo) is the id of its "
        "group's first record, null for firsts"
    )
    return [
        f"Duplicates, comparing {compared}: exact (same text after NFKC, lower case, "
        f"whitespace removed) and {near}; {action}.",
        f"Found {report.exact_duplicates} exact and {report.near_duplicates} near duplicates "
        f"in {report.duplicate_groups} groups.",
    ]


def _deid(report: Report) -> list[str]:
    if not report.options.deid:
        return [
            "**Not de-identified** (`--no-deid`): the texts hold phone numbers, ids and names "
            "as published. Do not share this corpus."
        ]
    masked = ", ".join(f"`[{k}]` {v}" for k, v in sorted(report.masked.items())) or "nothing found"
    return [
        "Every free text (title, question, answer, follow-ups) is de-identified with "
        "`medcrawl.corpus.deid`: phone numbers `[PHONE]`, national ID and hospital record numbers "
        "`[ID]`, emails `[EMAIL]`, QQ `[QQ]` and WeChat `[WECHAT]` ids, URLs `[URL]`, and a "
        "name the writer states (我叫…, 姓名：…, 患者王某某 …) `[NAME]` wherever it recurs on its "
        "question page (a name stated in the question is masked in the answers and follow-ups "
        "too). Doses, dates, ages and lab values are kept.",
        f"Masked (each occurrence once, a question's texts once however many answers it has): "
        f"{masked}.",
        "Limits: names not introduced as such, addresses, and details in free prose (a "
        "workplace, a rare condition in a small town) are not detected; review before "
        "publishing widely.",
    ]


def _crawl_lines(report: Report) -> list[str]:
    first, last = report.crawled
    lines = [f"- Crawled: {first or 'unknown'} – {last or 'unknown'} (pages' fetch dates)"]
    for manifest in report.manifests:
        lines.append(
            f"- Run `{manifest.get('run_id')}` ({manifest.get('spider')}): "
            f"{manifest.get('started_at')} – {manifest.get('finished_at')}, "
            f"schema {manifest.get('schema_version')}"
        )
    return lines


def render(report: Report) -> str:
    """The card's Markdown."""
    options = report.options
    fields = dict(FIELDS[options.format])
    if options.dedupe == "group":
        name = "dup_groups" if options.format == "huatuo" else "dup_group"
        fields[name] = "duplicate group (see Processing)"
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    shape = _SHAPES[options.format]
    filtered = "; ".join(f"{k} {v}" for k, v in report.filtered.most_common()) or "none"
    lines = [
        MARKER,
        f"# {report.out.stem}: Chinese medical Q&A corpus ({options.format})",
        "",
        f"{shape[0].upper()}{shape[1:]}, JSON Lines (UTF-8): `{report.out.name}`. "
        f"Exported {now} by medcrawl {__version__}.",
        "",
        "## Source",
        "",
        f"- Site: {', '.join(report.sources) or 'unknown'} — patients' questions and "
        "doctors' answers on public question pages",
        f"- Runs: {', '.join(f'`{run}`' for run in report.runs)}",
        *_crawl_lines(report),
        "",
        "## Counts",
        "",
        "| | |",
        "|---|---:|",
        f"| question pages read | {report.questions} |",
        f"| … without an answer | {report.questions_without_answers} |",
        f"| answers read | {report.answers} |",
        f"| answers filtered out | {sum(report.filtered.values())} |",
        f"| exact duplicates | {report.exact_duplicates} |",
        f"| near duplicates | {report.near_duplicates} |",
        f"| answers written | {report.written_answers} |",
        f"| records written | {report.written} |",
        "",
        "## Processing",
        "",
        "- Filters: " + "; ".join(_filters(options)) + f". Filtered out: {filtered}.",
        *(f"- {line}" for line in _duplicates(report)),
        *(f"- {line}" for line in _deid(report)),
        "- Script: converted to Simplified Chinese with OpenCC (t2s)."
        if options.simplified
        else "- Script: as published.",
        "",
        "## Fields",
        "",
        "| field | what |",
        "|---|---|",
        *(f"| `{name}` | {what} |" for name, what in fields.items()),
        "",
        "## Licence and terms",
        "",
        "The questions and answers are © their authors (patients and doctors) and the site that "
        "published them; medcrawl's MIT licence covers its code, not this content. This export "
        "is meant for research. Check the site's terms of service and the law that applies to "
        "you (in China, the Personal Information Protection Law) before using or sharing it. "
        "Do not try to re-identify anyone. The answers are not medical advice.",
        "",
        "## Rebuilding",
        "",
        "```bash",
        command_line(report),
        "```",
        "",
        "If the crawl was archived (`-s MEDCRAWL_WARC=DIR`), `scrapy crawl <spider> "
        "-a replay=DIR` re-extracts it with the current parser, without the network.",
        "",
    ]
    return "\n".join(lines)


def _is_card(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as stream:
        return stream.readline().startswith(_MARKER_START)


def card_path(out: Path) -> Path:
    """Where the card for the corpus `out` goes: `README.md` beside it. Raises
    `FileExistsError` when a `README.md` there is not a card medcrawl wrote."""
    path = out.parent / "README.md"
    if path.exists() and not (path.is_file() and _is_card(path)):
        raise FileExistsError(
            f"{path} exists and is not a dataset card medcrawl wrote; not replacing it. "
            f"Export to a folder of its own (--out corpus/{out.name}) or pass --no-card."
        )
    return path


def write_card(report: Report) -> None:
    """Write the card as `README.md` beside the exported file (see `card_path`)."""
    card_path(report.out).write_text(render(report), encoding="utf-8")
