"""Output that cannot be stored fails the run: `scrapy crawl` exits 3 with one reason line
(`medcrawl: could not write output: …`), the crawl stops at the first failure, and the files
it leaves are `<name>.jsonl.failed` — never a `.part` or `.jsonl` that looks like a result.
An incremental run keeps what its last checkpoint says instead, so nothing is lost."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler

from medcrawl.contract.feeds import AtomicFileFeedStorage
from medcrawl.contract.manifest import RunManifest
from medcrawl.contract.output import ERROR_STAT, output_problem
from medcrawl.contract.schema import STEMS
from tests.full_disk import SETTINGS as FULL_DISK
from tests.runs import DEMO, crawl

ENOSPC = "could not write output: [Errno 28] No space left on device: "


def full_disk(free: int) -> list[str]:
    """`-s` options: a disk with `free` bytes for the run's files."""
    storages = json.dumps(FULL_DISK["FEED_STORAGES"])
    return ["-s", f"FEED_STORAGES={storages}", "-s", f"FULL_DISK_BYTES={free}"]


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_full_disk_fails_the_run_and_leaves_no_result(tmp_path):
    run = crawl(tmp_path / "out", Path(DEMO), *full_disk(30_000), run_id="full", related=True)
    assert run.returncode == 3, run.log[-3000:]
    last = run.log.rstrip("\n").splitlines()[-1]
    assert last.startswith(f"medcrawl: {ENOSPC}'{run.folder}/"), last
    assert "Could not write output: [Errno 28] No space left on device" in run.log
    assert "Closing spider (output_error)" in run.log  # stopped at once, not the whole site
    assert "Error caught on signal handler" not in run.log
    assert "Traceback" not in run.log.split("Run checks FAILED")[1]  # one line a feed
    left = sorted(p.name for p in run.folder.iterdir())
    assert left == sorted([*(f"{stem}.jsonl.failed" for stem in STEMS), "manifest.json"])
    manifest = run.manifest
    assert manifest["output_error"].startswith("[Errno 28] No space left on device")
    assert manifest["finish_reason"] == "output_error"
    assert manifest["monitors"]["verdict"] == "failed"
    summary = run.log.split("[medcrawl.crawl.summary] INFO: ", 1)[1]
    assert f"verdict: FAILED — {ENOSPC}" in summary
    assert f"Run folder: {run.folder}\n" in summary


def test_a_full_disk_in_an_incremental_run_keeps_its_last_checkpoint(tmp_path):
    """The state says which pages are written: the files are cut back to match it, named
    `.jsonl`, and the next run fetches the rest — no page lost, none written twice."""
    state = tmp_path / "state"
    common = ("-a", "incremental=1", "-s", f"MEDCRAWL_STATE_DIR={state}")
    first = crawl(
        tmp_path / "out",
        Path(DEMO),
        *common,
        *("-s", "MEDCRAWL_STATE_BATCH=1", "-s", "CONCURRENT_REQUESTS=1"),
        *full_disk(40_000),
        run_id="full",
        related=True,
    )
    assert first.returncode == 3, first.log[-3000:]
    assert not list(first.folder.glob("*.part")) and not list(first.folder.glob("*.failed"))
    written = {q["id"] for q in lines_of(first.folder / "questions.jsonl")}
    assert written
    with sqlite3.connect(state / "ask39.sqlite") as db:
        recorded = {row[0] for row in db.execute("SELECT id FROM questions")}
        reason = db.execute("SELECT finish_reason FROM runs WHERE run_id = 'full'").fetchone()
    assert recorded == written and reason == ("output_error",)
    answers = lines_of(first.folder / "answers.jsonl")
    assert {a["question_id"] for a in answers} <= written  # whole pages only

    second = crawl(tmp_path / "out", Path(DEMO), *common, run_id="next", related=True)
    assert second.returncode == 0, second.log[-3000:]
    again = {q["id"] for q in lines_of(second.folder / "questions.jsonl")}
    assert again and not again & written
    every = {q["id"] for q in lines_of(_demo_questions(tmp_path))}
    assert again | written == every


def _demo_questions(tmp_path: Path) -> Path:
    run = crawl(tmp_path / "plain", Path(DEMO), run_id="plain", related=True)
    return run.folder / "questions.jsonl"


def test_a_failed_rename_fails_the_run_and_marks_the_file(tmp_path):
    crawler = get_crawler()
    final = tmp_path / "run" / "questions.jsonl"
    storage = AtomicFileFeedStorage.from_crawler(crawler, str(final), feed_options={})
    file = storage.open(SimpleNamespace(continues_run=False))
    file.write(b'{"id": "q1"}\n')
    final.mkdir(parents=True)  # something in the way of the rename
    with pytest.raises(IsADirectoryError):
        storage.store(file)
    assert crawler.stats.get_value(ERROR_STAT).startswith("[Errno 21] Is a directory")
    assert (tmp_path / "run" / "questions.jsonl.failed").read_bytes() == b'{"id": "q1"}\n'
    assert not (tmp_path / "run" / "questions.jsonl.part").exists()
    assert output_problem(crawler.stats.get_stats()).startswith("could not write output: ")


def test_a_manifest_that_cannot_be_written_fails_the_run(tmp_path):
    regular = tmp_path / "file"
    regular.write_text("in the way")
    crawler = get_crawler(settings_dict={"FEEDS": {"x.jsonl": {"format": "jsonlines"}}})
    crawler.spider = SimpleNamespace(run_dir=str(regular / "run"), name="ask39", run_id="r")
    manifest = RunManifest.from_crawler(crawler)
    manifest.spider_closed(crawler.spider, "finished")
    manifest.feed_exporter_closed()
    problem = output_problem(crawler.stats.get_stats())
    assert problem == (f"could not write output: [Errno 20] Not a directory: '{regular / 'run'}'")


def test_a_feed_scrapy_could_not_store_fails_the_run():
    stats = {"feedexport/failed_count/FileFeedStorage": 2}
    assert output_problem(stats) == (
        "could not write output: 2 feed(s) not stored (see the ERROR lines)"
    )
    assert output_problem({"feedexport/success_count/FileFeedStorage": 7}) is None
