"""Pause and resume (`-s JOBDIR=…`) against the mini site, in subprocesses: a crawl stopped
with Ctrl-C, then resumed, writes exactly what one uninterrupted crawl writes, in one run
folder, each record once; and its files are only ever whole (`.part` while it runs)."""

from __future__ import annotations

import json
import signal
from collections import Counter

from tests.crawlproc import ids, interrupt, question_hits, records, start_crawl
from tests.minisite import MiniSite, demo_site

STEMS = ("questions", "answers", "causes", "doctors", "drugs", "encyclopedia")


def test_stopped_then_resumed_job_writes_one_uninterrupted_run(tmp_path):
    pages, by_category = demo_site()
    every = {f"ask39:{q}" for qids in by_category.values() for q in qids}
    job = tmp_path / "job"
    job_file = job / "medcrawl-run.json"
    patient = {"JOBDIR": str(job), "DOWNLOAD_TIMEOUT": 10}  # a page fetched twice is a failure
    slow = {**patient, "DOWNLOAD_DELAY": 0.15, "CONCURRENT_REQUESTS": 1}
    with MiniSite(pages) as site:
        crawl = start_crawl(site, tmp_path, settings=slow)
        while len(question_hits(site)) < 3:  # the run has written some items by now
            assert crawl.process.poll() is None, crawl.wait()
        run_id = json.loads(job_file.read_text())["run_id"]
        run_dir = tmp_path / "ask39" / run_id
        assert (run_dir / "questions.jsonl.part").exists()
        assert not (run_dir / "questions.jsonl").exists()  # an analyst never sees half a file

        log = interrupt(crawl, site, after=len(every) // 2, how=signal.SIGINT)
        assert "Closing spider (shutdown)" in log
        assert json.loads(job_file.read_text()) == {"run_id": run_id, "status": "stopped"}
        assert not list(run_dir.glob("*.part"))
        stopped = set(ids(run_dir, "questions"))
        assert 0 < len(stopped) < len(every)

        log = start_crawl(site, tmp_path, settings=patient).wait()
        assert f"Resuming run {run_id}" in log
        assert "Spider closed (finished)" in log, log[-3000:]
        assert "Run checks passed" in log, log[-3000:]  # doctors written before still count
        fetched = Counter(question_hits(site))

    assert json.loads(job_file.read_text()) == {"run_id": run_id, "status": "finished"}
    assert [p.name for p in (tmp_path / "ask39").iterdir()] == [run_id]  # one run folder
    assert set(ids(run_dir, "questions")) == every
    for stem in STEMS:  # each record once, though both runs saw the same doctors and drugs
        assert not [i for i, n in Counter(ids(run_dir, stem)).items() if n > 1], stem
    assert len(ids(run_dir, "causes")) == 5 * len(every)
    assert set(fetched.values()) == {1}  # no question page fetched twice across the two runs
    assert not list(run_dir.glob("*.part"))


def linked(run_dir, suffix: str) -> dict[str, list[dict]]:
    """Every record of every file (`suffix`: `.jsonl.part` for a killed run); each line must
    be whole JSON."""
    return {stem: records(run_dir, stem, suffix) for stem in (*STEMS, "rejects")}


def test_a_killed_job_leaves_whole_joinable_pages_and_is_not_resumed(tmp_path):
    """kill -9: every file holds whole lines up to the last finished page — the small files
    (doctors, drugs, encyclopedia) too — and every id they link is there. The JOBDIR's queue
    was never saved: the next start with it is refused, saying what to do instead."""
    pages, by_category = demo_site()
    every = {q for qids in by_category.values() for q in qids}
    job = tmp_path / "job"
    slow = {"JOBDIR": str(job), "DOWNLOAD_DELAY": 0.15, "CONCURRENT_REQUESTS": 1}
    with MiniSite(pages) as site:
        crawl = start_crawl(site, tmp_path, "-a", "run_id=killed", settings=slow)
        interrupt(crawl, site, after=len(every) // 2, how=signal.SIGKILL)
        assert crawl.process.returncode == -signal.SIGKILL
        run_dir = tmp_path / "ask39" / "killed"
        files = linked(run_dir, ".jsonl.part")  # json.loads of every line: none is cut
        questions = {q["id"] for q in files["questions"]}
        assert 0 < len(questions) < len(every)
        for stem in ("doctors", "drugs", "encyclopedia"):
            assert files[stem], f"{stem}.jsonl.part is empty after the kill"
        ids = {stem: {r["id"] for r in rows} for stem, rows in files.items() if stem != "rejects"}
        for q in files["questions"]:
            assert q["encyclopedia_id"] is None or q["encyclopedia_id"] in ids["encyclopedia"]
            assert set(q["drug_ids"]) <= ids["drugs"]
            assert set(q["recommended_doctor_ids"]) <= ids["doctors"]
        for a in files["answers"]:
            assert a["question_id"] in questions
            assert a["doctor_id"] is None or a["doctor_id"] in ids["doctors"]
        assert {c["answer_id"] for c in files["causes"]} <= ids["answers"]
        assert {a["question_id"] for a in files["answers"]} == questions  # whole pages

        again = start_crawl(site, tmp_path, "-a", "run_id=killed", settings=slow)
        log = again.wait()
    assert again.process.returncode == 2
    assert log.startswith(f"medcrawl: JOBDIR {job} cannot be resumed: "), log[-2000:]
    assert log.count("\n") == 1
    assert "start a new JOBDIR (with -a incremental=1" in log
