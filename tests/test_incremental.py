"""Incremental runs (`-a incremental=1`) against the mini site, in subprocesses:

- a first run writes everything; a re-run after time passed for some questions and some
  pages changed fetches only what is due and writes only what changed;
- a run killed with SIGKILL mid-crawl, then the next run: together they write every
  question once, and the next run fetches exactly what the killed one had not committed.
"""

from __future__ import annotations

import signal
import sqlite3
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.crawlproc import ids, interrupt, question_hits, records, start_crawl
from tests.minisite import HOST, MiniSite, Page, demo_site, fixture_html, list_page, run_crawl

CATEGORIES = {3166: [[101, 102, 103, 104], [105, 106, 107, 108]], 237: [[109, 110, 111, 112]]}
ALL = {str(q) for lists in CATEGORIES.values() for page in lists for q in page}
NEW = 113  # listed on 237-1 before the second run
DUE = {"101", "102", "103", "109", "110"}  # fetched more than MEDCRAWL_REFRESH_DAYS ago
CHANGED = frozenset(
    {"102", "109", "105"}
)  # 105 changed too, but it is fresh: neither fetched nor written
# Pages that change (and the new one) are the seed page; the others are other fixture pages,
# so that the doctors, drugs and encyclopedia entries of an unchanged page are told apart.
SEED_BASED = {*CHANGED, str(NEW)}
OTHERS = ("g1_2018_cough", "g3_2025_tips", "prose_only_2024", "list_styles_2024")
EDIT = ("保持充足睡眠", "保持充足睡眠并按时复诊")  # a doctor edits the answer's advice


def question(qid: int | str, edited: bool = False) -> Page:
    html = fixture_html("seed_2024" if str(qid) in SEED_BASED else OTHERS[int(qid) % 4])
    if edited:
        assert EDIT[0] in html
        html = html.replace(*EDIT)
    return Page(html.encode("utf-8"))


def site_pages(
    new: dict[int, list[int]] | None = None, edited: frozenset[str] = frozenset()
) -> dict:
    """The site: list pages (`new` questions added to a category's first page) and questions
    (`edited` ones changed)."""
    pages: dict[str, Page] = {}
    for class_id, lists in CATEGORIES.items():
        for n, listed in enumerate(lists, 1):
            listed = listed + (new or {}).get(class_id, []) * (n == 1)
            body = list_page(class_id, n, len(lists), [(q, None) for q in listed])
            pages[f"{HOST}/news/{class_id}-{n}.html"] = Page(body)
            for q in listed:
                pages[f"{HOST}/question/{q}.html"] = question(q, edited=str(q) in edited)
    return pages


def age(database: Path, question_ids: set[str], days: float) -> str:
    """Move questions' fetch (and change) time `days` back: time passing for them."""
    when = (datetime.now(timezone.utc) - timedelta(days=days)).replace(microsecond=0).isoformat()
    with sqlite3.connect(database) as db:
        db.executemany(
            "UPDATE questions SET fetched_at = ?, changed_at = ? WHERE id = ?",
            [(when, when, f"ask39:{q}") for q in question_ids],
        )
    return when


def state_rows(database: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT id, fetched_at, changed_at FROM questions").fetchall()
    return {i.split(":")[1]: (fetched, changed) for i, fetched, changed in rows}


def test_rerun_fetches_what_is_due_and_writes_what_changed(tmp_path):
    state = tmp_path / "state"
    database = state / "ask39.sqlite"
    incremental = ("-a", "incremental=1", "-a", "categories=3166,237")
    # Patient: a page fetched twice (after a timeout on a busy machine) would fail the test.
    settings = {"MEDCRAWL_STATE_DIR": str(state), "DOWNLOAD_TIMEOUT": 10}
    with MiniSite(site_pages()) as site:
        first = run_crawl(site, tmp_path, *incremental, settings=settings, run_id="first")
        assert first.stats["finish_reason"] == "finished", first.log[-3000:]
        assert set(question_hits(site)) == ALL
        assert first.question_ids() == ALL
        assert first.stats["medcrawl/incremental/new"] == len(ALL)

        long_ago = age(database, DUE, days=8)  # default MEDCRAWL_REFRESH_DAYS: 7
        site.pages.update(site_pages(new={237: [NEW]}, edited=CHANGED))
        hits_before = len(site.hits)
        second = run_crawl(site, tmp_path, *incremental, settings=settings, run_id="second")
        assert second.stats["finish_reason"] == "finished", second.log[-3000:]

        # Fetched: the due questions and the new one, nothing fresh, nothing twice.
        fetched = question_hits(site, since=hits_before)
        assert sorted(fetched) == sorted(DUE | {str(NEW)})
        stats = {k.rsplit("/", 1)[1]: v for k, v in second.stats.items() if "/incremental/" in k}
        assert stats == {"skipped_fresh": len(ALL - DUE), "unchanged": 3, "changed": 2, "new": 1}
        assert second.returncode == 0, second.log[-3000:]

        # A quiet night: everything is fresh, nothing is written — and that is a good run.
        quiet = run_crawl(site, tmp_path, *incremental, settings=settings, run_id="quiet")
        assert quiet.question_ids() == set()
        assert quiet.stats["medcrawl/incremental/skipped_fresh"] == len(ALL) + 1
        assert quiet.stats["medcrawl/monitors/verdict"] == "passed", quiet.log[-3000:]
        assert quiet.returncode == 0

    # Written: only the changed and the new question, with their answers and causes …
    run = second.run_dir
    written = {"102", "109", str(NEW)}
    assert second.question_ids() == written
    assert {a["question_id"].split(":")[1] for a in records(run, "answers")} == written
    assert {c["question_id"].split(":")[1] for c in records(run, "causes")} == written
    # … and only the doctors, drugs and encyclopedia entries those pages link, none of the
    # unchanged pages' (other fixtures, other doctors).
    questions, answers = records(run, "questions"), records(run, "answers")
    linked_doctors = {d for q in questions for d in q["recommended_doctor_ids"]}
    linked_doctors |= {a["doctor_id"] for a in answers if a["doctor_id"]}
    assert set(ids(run, "doctors")) == linked_doctors
    assert set(ids(run, "drugs")) == {d for q in questions for d in q["drug_ids"]}
    assert set(ids(run, "encyclopedia")) == {q["encyclopedia_id"] for q in questions}
    unchanged_doctors = set(ids(first.run_dir, "doctors")) - linked_doctors
    assert unchanged_doctors and not unchanged_doctors & set(ids(run, "doctors"))
    assert not list(run.glob("*.part"))

    # The state: an unchanged page was fetched now but changed long ago; a changed one now.
    rows = state_rows(database)
    assert rows["101"][0] > long_ago and rows["101"][1] == long_ago
    assert rows["102"][0] > long_ago and rows["102"][1] > long_ago
    assert set(rows) == ALL | {str(NEW)}


def test_a_killed_run_and_the_next_write_every_question_once(tmp_path):
    state = tmp_path / "state"
    pages, by_category = demo_site()
    every = {str(q) for qids in by_category.values() for q in qids}
    settings = {"MEDCRAWL_STATE_DIR": str(state), "DOWNLOAD_TIMEOUT": 10}
    slow = {
        **settings,
        "MEDCRAWL_STATE_BATCH": 2,
        "DOWNLOAD_DELAY": 0.15,
        "CONCURRENT_REQUESTS": 1,
    }
    killed_dir = tmp_path / "ask39" / "killed"
    with MiniSite(pages) as site:
        crawl = start_crawl(
            site, tmp_path, "-a", "incremental=1", "-a", "run_id=killed", settings=slow
        )
        interrupt(crawl, site, after=len(every) // 2, how=signal.SIGKILL)
        assert crawl.process.returncode == -signal.SIGKILL
        assert (killed_dir / "questions.jsonl.part").exists()
        assert not (killed_dir / "questions.jsonl").exists()  # never half a file

        hits_before = len(site.hits)
        following = run_crawl(
            site, tmp_path, "-a", "incremental=1", settings=settings, run_id="next"
        )
        assert following.stats["finish_reason"] == "finished", following.log[-3000:]
        fetched_again = question_hits(site, since=hits_before)

    # The killed run's files were cut back to its last checkpoint: whole pages only.
    assert not list(killed_dir.glob("*.part"))
    killed = set(ids(killed_dir, "questions"))
    assert killed, "the killed run committed no checkpoint"
    assert {a["question_id"] for a in records(killed_dir, "answers")} == killed
    assert Counter(c["answer_id"] for c in records(killed_dir, "causes")) == {
        f"{q}/a1": 5 for q in killed
    }
    # The next run fetched exactly what the killed one had not committed, and wrote it.
    following_ids = set(ids(following.run_dir, "questions"))
    assert sorted(fetched_again) == sorted(q.split(":")[1] for q in following_ids)
    assert not killed & following_ids
    assert {q.split(":")[1] for q in killed | following_ids} == every
    for run in (killed_dir, following.run_dir):
        for stem in ("questions", "answers", "causes", "doctors", "drugs", "encyclopedia"):
            assert not [i for i, n in Counter(ids(run, stem)).items() if n > 1], (run, stem)
    with sqlite3.connect(state / "ask39.sqlite") as db:
        reasons = dict(db.execute("SELECT run_id, finish_reason FROM runs").fetchall())
    assert reasons == {"killed": "killed", "next": "finished"}
