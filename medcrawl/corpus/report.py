"""`medcrawl report RUN_DIR`: a run for people. Prints the manifest as a readable summary and
writes `RUN_DIR/report.html` with charts (plotly, self-contained: it opens offline): records per
file, coverage per field against its threshold, answers per day, top departments, causes and
drugs. `--parquet` also writes `RUN_DIR/parquet/<file>.parquet` (DuckDB), typed from the schemas.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from medcrawl.contract.manifest import MANIFEST_NAME
from medcrawl.contract.schema import STEMS, load_schema
from medcrawl.corpus.shapes import department, read_jsonl

REPORT_NAME = "report.html"


def read_manifest(run_dir: Path) -> dict:
    """The run folder's manifest; FileNotFoundError saying so when it has none."""
    path = run_dir / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(f"no {MANIFEST_NAME} in {run_dir} (not a finished run?)")
    return json.loads(path.read_text(encoding="utf-8"))


# --- the summary ----------------------------------------------------------------------------


def _checks(manifest: dict) -> str:
    if manifest.get("output_error"):
        return "output FAILED"
    monitors = manifest.get("monitors") or {}
    verdict = monitors.get("verdict")
    if verdict == "passed":
        return "checks passed"
    if verdict == "failed":
        return "checks FAILED"
    return "checks did not run"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def summary(manifest: dict) -> str:
    """The manifest as a few readable paragraphs."""
    code = manifest.get("code", {})
    commit = (code.get("git_commit") or "")[:10]
    version = f"medcrawl {code.get('medcrawl')}" + (f" @ {commit}" if commit else "")
    version += " (uncommitted changes)" if code.get("git_dirty") else ""
    args = ", ".join(f"{k}={v}" for k, v in manifest.get("arguments", {}).items() if v)
    lines = [
        f"Run {manifest['run_id']} of {manifest['spider']} — {manifest['finish_reason']}, "
        f"{_checks(manifest)}",
        f"  {manifest['started_at']} → {manifest['finished_at']} ({manifest['duration_s']} s)",
        f"  {version}, schema {manifest['schema_version']}",
        f"  arguments: {args or 'none'}",
        "",
        f"  {'file':<22}{'records':>10}{'bytes':>14}  sha256",
    ]
    for name, entry in manifest["files"].items():
        records = "" if entry["records"] is None else f"{entry['records']:,}"
        lines.append(f"  {name:<22}{records:>10}{entry['bytes']:>14,}  {entry['sha256'][:16]}…")
    pages = manifest.get("pages", {})
    rejected = manifest.get("rejected", {})
    lines += [
        "",
        f"Pages: {pages.get('questions', 0)} questions; "
        f"skipped: {_counts(pages.get('skipped', {}))}"
        + (f"; not in the archive: {pages['not_archived']}" if pages.get("not_archived") else ""),
        f"Items: invalid {_counts(rejected.get('invalid', {}))}; "
        f"repeats not written {_counts(rejected.get('deduplicated', {}))}",
        "",
        "Coverage (share of records with the field filled; ! under its threshold):",
    ]
    thresholds = manifest.get("settings", {}).get("MEDCRAWL_COVERAGE_THRESHOLDS", {})
    for kind, entry in manifest["coverage"].items():
        shares = []
        for name, share in entry["fields"].items():
            if share is None:
                continue
            low = share < thresholds.get(f"{kind}.{name}", 0)
            shares.append(f"{name}={share:.2f}{'!' if low else ''}")
        text = f"{kind} ({entry['records']}): " + (", ".join(shares) or "no records")
        lines += textwrap.wrap(text, 96, initial_indent="  ", subsequent_indent="      ")
    causes = manifest.get("answers_with_causes")
    if causes is not None:
        lines.append(f"  answers with a cause list: {causes:.2f}")
    if manifest.get("output_error"):
        lines += ["", f"Output FAILED: could not write {manifest['output_error']}"]
    failures = (manifest.get("monitors") or {}).get("failures") or []
    if failures:
        lines += ["", "Failed checks:", *(f"  {f}" for f in failures)]
    return "\n".join(lines)


# --- the data behind the charts -------------------------------------------------------------


def chart_data(run_dir: Path) -> dict[str, Counter]:
    """Counters for the charts that read the files: answers per day, departments, causes,
    drugs named in causes, and the kinds of the answers' numbered lists."""
    per_day: Counter = Counter()
    for answer in read_jsonl(run_dir / "answers.jsonl"):
        if answer.get("answered_at"):
            per_day[answer["answered_at"][:10]] += 1
    departments: Counter = Counter(
        d for q in read_jsonl(run_dir / "questions.jsonl") if (d := department(q))
    )
    list_kinds: Counter = Counter(
        numbered["kind"]
        for answer in read_jsonl(run_dir / "answers.jsonl")
        for numbered in answer.get("lists") or []
    )
    causes: Counter = Counter()
    drugs: Counter = Counter()
    for cause in read_jsonl(run_dir / "causes.jsonl"):
        if cause.get("name"):
            causes[cause["name"]] += 1
        drugs.update(cause.get("drugs_mentioned") or [])
    return {
        "per_day": per_day,
        "departments": departments,
        "causes": causes,
        "drugs": drugs,
        "list_kinds": list_kinds,
    }


# --- the HTML report ------------------------------------------------------------------------


def figures(manifest: dict, data: dict[str, Counter], top: int) -> list[tuple[str, Any]]:
    """(title, plotly figure) for every chart of the report."""
    import plotly.graph_objects as go

    def bars(counter: Counter, title: str) -> tuple[str, Any]:
        common = counter.most_common(top)[::-1]  # largest on top
        fig = go.Figure(go.Bar(x=[n for _, n in common], y=[k for k, _ in common], orientation="h"))
        fig.update_layout(height=max(260, 26 * len(common) + 90), xaxis_title="count")
        return title, fig

    files = {name.removesuffix(".jsonl"): e["records"] for name, e in manifest["files"].items()}
    kinds = [k for k in STEMS if k in files]
    records = go.Figure(
        go.Bar(x=kinds, y=[files[k] for k in kinds], text=[files[k] for k in kinds])
    )
    records.update_layout(height=340, yaxis_title="records")

    thresholds = manifest.get("settings", {}).get("MEDCRAWL_COVERAGE_THRESHOLDS", {})
    keys, shares, colors, marks = [], [], [], []
    for kind, entry in manifest["coverage"].items():
        for name, share in entry["fields"].items():
            key = f"{kind}.{name}"
            keys.append(key)
            shares.append(share or 0.0)
            low = share is not None and share < thresholds.get(key, 0)
            colors.append("#d62728" if low else "#1f77b4")
            marks.append(thresholds.get(key))
    coverage = go.Figure(
        [
            go.Bar(x=shares, y=keys, orientation="h", marker_color=colors, name="coverage"),
            go.Scatter(
                x=marks,
                y=keys,
                mode="markers",
                name="threshold",
                marker={"symbol": "line-ns-open", "size": 14, "color": "black"},
            ),
        ]
    )
    coverage.update_layout(
        height=18 * len(keys) + 120, xaxis_range=[0, 1.02], yaxis_autorange="reversed"
    )

    days = sorted(data["per_day"].items())
    per_day = go.Figure(go.Scatter(x=[d for d, _ in days], y=[n for _, n in days], mode="markers"))
    per_day.update_layout(height=340, xaxis_type="date", yaxis_title="answers")

    return [
        ("Records per file", records),
        ("Coverage per field (red: under its threshold; | the threshold)", coverage),
        ("Answers per day", per_day),
        bars(data["departments"], f"Top {top} departments (questions)"),
        bars(data["list_kinds"], "Numbered lists in answers, by kind"),
        bars(data["causes"], f"Top {top} causes (cause-list headings)"),
        bars(data["drugs"], f"Top {top} drugs named in causes"),
    ]


def write_html(run_dir: Path, manifest: dict, top: int = 15) -> Path:
    """Write RUN_DIR/report.html: the summary and the charts, plotly.js inlined."""
    from plotly.offline import get_plotlyjs

    sections = []
    for n, (title, fig) in enumerate(figures(manifest, chart_data(run_dir), top), 1):
        fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=n == 2)
        div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{n}")
        sections.append(f'<section class="chart"><h2>{escape(title)}</h2>{div}</section>')
    title = f"medcrawl run {manifest['run_id']} ({manifest['spider']})"
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px}}
pre{{background:#f6f8fa;padding:1em;overflow-x:auto}} h2{{font-size:1.1em;margin-top:2em}}</style>
<script>{get_plotlyjs()}</script></head>
<body><h1>{escape(title)}</h1><pre>{escape(summary(manifest))}</pre>
{"".join(sections)}
</body></html>
"""
    path = run_dir / REPORT_NAME
    path.write_text(page, encoding="utf-8")
    return path


# --- parquet --------------------------------------------------------------------------------


#: JSON Schema formats that become timestamps in parquet.
TIME_FORMATS = frozenset({"date-time", "date"})


def formats(prop: dict) -> set[str]:
    """The string formats a schema property allows (through `anyOf` too)."""
    found = {prop["format"]} if "format" in prop else set()
    for option in prop.get("anyOf", []):
        found |= formats(option)
    return found


def duckdb_type(prop: dict) -> str:
    """The DuckDB column type of a schema property: a date-time, or a date-time or date, is
    `TIMESTAMPTZ` (see `parquet_columns` for bare dates)."""
    if formats(prop) and formats(prop) <= TIME_FORMATS:
        return "TIMESTAMPTZ"
    if "enum" in prop or "const" in prop or "anyOf" in prop:
        return "VARCHAR"
    types = prop.get("type")
    types = [t for t in (types if isinstance(types, list) else [types]) if t != "null"]
    kind = types[0] if types else "string"
    if kind == "integer":
        return "BIGINT"
    if kind == "boolean":
        return "BOOLEAN"
    if kind == "object":
        return "JSON"
    if kind == "array":
        item = prop.get("items", {})
        if item.get("type") == "object":
            fields = ", ".join(f"{k} {duckdb_type(v)}" for k, v in item["properties"].items())
            return f"STRUCT({fields})[]"
        return f"{duckdb_type(item)}[]"
    return "VARCHAR"


def parquet_columns(schema: dict) -> tuple[dict[str, str], list[str]]:
    """How a file's records become typed columns: the JSON types to read (`read_json`'s
    `columns`) and the SELECT list. A field that may hold a bare date (`asked_at`: the site
    showed no time) becomes two columns: `<field>` TIMESTAMPTZ — a bare date as midnight UTC,
    so its UTC date is the date shown — and `<field>_iso`, the value as the JSONL file has it
    (ISO 8601 with its offset, or the bare date)."""
    read: dict[str, str] = {}
    select: list[str] = []
    for name, prop in schema["properties"].items():
        column = duckdb_type(prop)
        if column != "TIMESTAMPTZ":
            read[name] = column
            select.append(f'"{name}"')
            continue
        read[name] = "VARCHAR"
        value = f'"{name}"'
        if "date" in formats(prop):
            value = f"CASE WHEN length({value}) = 10 THEN {value} || 'T00:00:00Z' ELSE {value} END"
            select += [f'CAST({value} AS TIMESTAMPTZ) AS "{name}"', f'"{name}" AS "{name}_iso"']
        else:
            select.append(f'CAST({value} AS TIMESTAMPTZ) AS "{name}"')
    return read, select


def to_parquet(run_dir: Path) -> list[Path]:
    """Write RUN_DIR/parquet/<file>.parquet for every non-empty JSONL file, typed from its
    schema (`parquet_columns`). Needs DuckDB: `pip install 'medcrawl[analysis]'`."""
    try:
        import duckdb
    except ImportError as missing:
        raise SystemExit("--parquet needs DuckDB: pip install 'medcrawl[analysis]'") from missing
    out = run_dir / "parquet"
    out.mkdir(exist_ok=True)
    written = []
    with duckdb.connect() as db:
        for stem in STEMS:
            source = run_dir / f"{stem}.jsonl"
            if not source.is_file() or source.stat().st_size == 0:
                continue
            read, select = parquet_columns(load_schema(stem))
            columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in read.items()) + "}"
            target = out / f"{stem}.parquet"
            db.execute(
                f"COPY (SELECT {', '.join(select)} FROM read_json(?, "
                f"format='newline_delimited', columns={columns})) TO ? (FORMAT parquet)",
                [str(source), str(target)],
            )
            written.append(target)
    return written
