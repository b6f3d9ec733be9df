"""`medcrawl report` on the demo crawl: the summary, report.html with its seven charts (rendered
in headless Chromium and screenshotted), and the parquet conversion."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from medcrawl.cli import main
from medcrawl.corpus.report import chart_data
from medcrawl.corpus.shapes import read_jsonl
from tests.runs import contract_run

__all__ = ["contract_run"]

CHARTS = 7
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def reported(contract_run, tmp_path_factory) -> Path:
    """A copy of the demo run folder, reported on with `--parquet`."""
    folder = tmp_path_factory.mktemp("report") / "run"
    shutil.copytree(contract_run.folder, folder)
    return folder


def test_the_summary_reads_the_manifest(reported, capsys):
    assert main(["report", str(reported), "--parquet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Run demo of ask39 — finished, checks passed\n")
    records = sum(1 for _ in (reported / "causes.jsonl").open(encoding="utf-8"))
    assert f"  {'causes.jsonl':<22}{records:>10}" in out
    assert "Pages: 35 questions; skipped: challenge 1, removed 1; not in the archive: 33" in out
    assert "answers (44): id=1.00" in out
    assert f"Report: {reported / 'report.html'}" in out


def test_the_report_holds_seven_charts_and_works_offline(reported):
    html = (reported / "report.html").read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == CHARTS
    assert "Top 15 drugs named in causes" in html
    assert "Numbered lists in answers, by kind" in html
    assert "<script src=" not in html  # plotly.js is inlined, no CDN


def test_parquet_files_are_typed_from_the_schemas(reported):
    duckdb = pytest.importorskip("duckdb")
    parquet = reported / "parquet"
    with duckdb.connect() as db:
        types = dict(
            db.execute(
                "SELECT name, type FROM parquet_schema(?)", [str(parquet / "answers.parquet")]
            ).fetchall()
        )
        assert (types["position"], types["text"]) == ("INT64", "BYTE_ARRAY")
        assert types["answered_at"] == "INT64"  # a timestamp: see test_parquet_dates_…
        (rows,) = db.execute(
            "SELECT count(*) FROM read_parquet(?)", [str(parquet / "causes.parquet")]
        ).fetchone()
        assert rows == sum(1 for _ in (reported / "causes.jsonl").open(encoding="utf-8"))
        roles = db.execute(
            "SELECT DISTINCT f.role FROM read_parquet(?), unnest(follow_ups) AS t(f) ORDER BY 1",
            [str(parquet / "answers.parquet")],
        ).fetchall()
        assert ("patient",) in roles and ("doctor",) in roles


def test_parquet_dates_are_timestamps_with_the_iso_string_beside(reported):
    """README "Loading the output": a date-time field is TIMESTAMPTZ; one that may hold a bare
    date (`asked_at`, `answered_at`) is TIMESTAMPTZ — a bare date as midnight UTC — plus
    `<field>_iso`, the value as the JSONL file has it."""
    duckdb = pytest.importorskip("duckdb")
    parquet = reported / "parquet"
    documented = {
        "questions": {
            "asked_at": "TIMESTAMP WITH TIME ZONE",
            "asked_at_iso": "VARCHAR",
            "crawled_at": "TIMESTAMP WITH TIME ZONE",
            "patient_age": "BIGINT",
            "tags": "VARCHAR[]",
        },
        "answers": {
            "answered_at": "TIMESTAMP WITH TIME ZONE",
            "answered_at_iso": "VARCHAR",
            "accepted": "BOOLEAN",
            "position": "BIGINT",
        },
        "rejects": {"at": "TIMESTAMP WITH TIME ZONE"},
    }
    with duckdb.connect() as db:
        db.execute("SET TimeZone = 'UTC'")
        for stem, types in documented.items():
            source = str(parquet / f"{stem}.parquet")
            found = {
                r[0]: r[1] for r in db.execute(f"DESCRIBE SELECT * FROM '{source}'").fetchall()
            }
            assert {name: found[name] for name in types} == types, stem
        rows = db.execute(
            "SELECT answered_at_iso, strftime(answered_at, '%Y-%m-%dT%H:%M:%S') "
            f"FROM '{parquet / 'answers.parquet'}' ORDER BY 1"
        ).fetchall()
    answers = {a["id"]: a for a in read_jsonl(reported / "answers.jsonl")}
    assert sorted(a["answered_at"] for a in answers.values() if a["answered_at"]) == [
        iso for iso, _ in rows if iso
    ]
    as_utc = dict(rows)
    assert as_utc["2024-02-24T20:54:00+08:00"] == "2024-02-24T12:54:00"
    assert as_utc["2026-05-21"] == "2026-05-21T00:00:00"  # a bare date: midnight UTC


def test_a_folder_without_manifest_is_an_error(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        f"medcrawl report: no manifest.json in {tmp_path} (not a finished run?)\n",
    )


def chromium() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must render the report: install chromium (.ci/run does)")
        pytest.skip("no chromium on PATH (apt-get install chromium); CI runs this test")
    return found


def test_the_report_renders_in_headless_chromium(reported, tmp_path):
    from PIL import Image

    browser = chromium()
    command = [
        browser,
        *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
        *("--disable-component-update", "--no-first-run", "--hide-scrollbars"),
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,3800",
        "--virtual-time-budget=15000",
    ]
    url = (reported / "report.html").as_uri()
    dom = subprocess.run(
        [*command, "--dump-dom", url], capture_output=True, text=True, timeout=120
    ).stdout
    # Plotly adds `js-plotly-plot` and draws an <svg class="main-svg"> when a chart renders
    drawn = re.findall(r'<div id="chart-\d+" class="[^"]*\bjs-plotly-plot\b', dom)
    assert len(drawn) == CHARTS, dom[-2000:]
    assert dom.count('class="main-svg"') >= CHARTS

    shot = tmp_path / "report.png"
    subprocess.run([*command, f"--screenshot={shot}", url], capture_output=True, timeout=120)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 3800)
    small = image.resize((120, 380))
    raw = small.tobytes()
    pixels = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    not_white = sum(1 for p in pixels if min(p) < 235) / len(pixels)
    assert not_white > 0.2, f"the screenshot is nearly blank ({not_white:.0%} drawn)"
    assert len(set(pixels)) > 100


def test_departments_are_the_deepest_crumb_ending_in_ke(tmp_path):
    """The report's chart and the export name the same department for a question."""
    paths = [
        ["内科", "神经内科", "面部肌肉萎缩"],
        ["外科", "泌尿外科"],  # filed under a department, no topic
        ["内科", "神经内科", "面瘫", "面瘫后遗症"],  # a topic under a topic
        ["中医", "失眠"],  # no crumb ends in 科: the top one
        [],
    ]
    lines = [json.dumps({"id": f"q{n}", "category_path": path}) for n, path in enumerate(paths)]
    (tmp_path / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert chart_data(tmp_path)["departments"] == {"神经内科": 2, "泌尿外科": 1, "中医": 1}


def test_read_jsonl_skips_blank_lines_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_text('{"id": "a1"}\n\n{"id": "a2"}\n', encoding="utf-8-sig")
    assert list(read_jsonl(path)) == [{"id": "a1"}, {"id": "a2"}]
    assert list(read_jsonl(tmp_path / "missing.jsonl")) == []
