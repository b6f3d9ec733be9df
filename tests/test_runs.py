"""`medcrawl runs`: recent runs of every spider from their run folders, and an exit status an
operator's alerting can call; `medcrawl crawl` from a folder outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from medcrawl.cli import main
from tests.runs import ROOT, contract_run

__all__ = ["contract_run"]

MEDCRAWL = str(Path(sys.executable).parent / "medcrawl")


def write_run(root: Path, spider: str, run_id: str, manifest: dict | None, age: float) -> Path:
    """A run folder `age` seconds old: a questions file, and `manifest` if given."""
    folder = root / spider / run_id
    folder.mkdir(parents=True)
    name = "questions.jsonl" if manifest is not None else "questions.jsonl.part"
    (folder / name).write_text('{"id": "x:1"}\n{"id": "x:2"}\n', encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    then = time.time() - age
    for path in folder.iterdir():
        os.utime(path, (then, then))
    return folder


def manifest(verdict: str | None, finished_at: str, failures: list[str] = ()) -> dict:
    return {
        "finish_reason": "finished" if verdict != "failed" else "challenged",
        "finished_at": finished_at,
        "files": {"questions.jsonl": {"records": 2}, "rejects.jsonl": {"records": 0}},
        "monitors": {"verdict": verdict, "failures": list(failures)},
        "settings": {},
    }


def test_runs_lists_every_spider_and_fails_when_the_newest_run_failed(tmp_path, capsys):
    root = tmp_path / "output"
    write_run(root, "site_a", "old", manifest("passed", "2026-11-24T02:40:00+00:00"), 3 * 86400)
    failed = ["Output/key field coverage: answers.text 0.00 < 0.98"]
    write_run(root, "site_a", "new", manifest("failed", "2026-11-25T02:40:00+00:00", failed), 86400)
    write_run(root, "site_b", "good", manifest("passed", "2026-11-25T03:00:00+00:00"), 86400)
    assert main(["runs", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:5] == ["site_a", "new", "2026-11-25", "02:40Z", "challenged"]
    assert "FAILED" in out[0] and "questions 2" in out[0]
    assert out[1] == f"    {failed[0]}"
    assert out[2].split()[:2] == ["site_a", "old"] and "passed" in out[2]
    assert out[3].split()[:2] == ["site_b", "good"]
    assert out[-1] == f"medcrawl: the newest run of site_a failed: {root / 'site_a' / 'new'}"

    # A newer run of site_a that passed: all good again. One still writing (a .part file
    # changed a minute ago) does not count yet; one left without a manifest for long does.
    write_run(root, "site_a", "newer", manifest("passed", "2026-11-26T02:40:00+00:00"), 3600)
    write_run(root, "site_b", "writing", None, 60)
    assert main(["runs", str(root)]) == 0
    assert "running?" in capsys.readouterr().out
    write_run(root, "site_b", "killed", None, 20 * 60)
    assert main(["runs", str(root), "--spider", "site_b", "--json"]) == 1
    runs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["run_id"], r["status"], r["failed"]) for r in runs] == [
        ("writing", "running", False),
        ("killed", "unfinished", True),
        ("good", "passed", False),
    ]
    assert runs[1]["records"] == {"questions": 2, "answers": None, "rejects": None}


def test_runs_reads_a_real_manifest_and_refuses_a_missing_root(contract_run, tmp_path, capsys):
    root = tmp_path / "output"
    shutil.copytree(contract_run.folder, root / "ask39" / "demo")
    assert main(["runs", str(root)]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.split()[:2] == ["ask39", "demo"] and "finished" in line and "passed" in line
    assert main(["runs", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == f"medcrawl: runs: {tmp_path / 'nowhere'} is not a folder\n"


def test_medcrawl_crawl_runs_from_any_folder(tmp_path):
    """Outside the checkout `scrapy crawl` does not know the project; `medcrawl crawl` finds
    the settings module through the installed package's entry point."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    archive = ROOT / "demo" / "ask39-demo.warc.gz"
    plain = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ask39"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plain.returncode != 0 and "no active project" in plain.stdout
    command = [MEDCRAWL, "crawl", "ask39", "-a", f"replay={archive}", "-a", "run_id=r1"]
    done = subprocess.run(
        [*command, "-s", "LOG_LEVEL=WARNING"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((tmp_path / "output" / "ask39" / "r1" / "manifest.json").read_text())
    assert manifest["monitors"]["verdict"] == "passed"
