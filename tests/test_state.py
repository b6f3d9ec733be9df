"""The pieces of incremental and resumable runs, one at a time: the content hash, the state
database, the run lock, atomic feed files and settling a killed run's files."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from medcrawl.contract.feeds import AtomicFileFeedStorage, settle, trim_partial_line
from medcrawl.contract.items import Answer, Doctor, Question
from medcrawl.contract.runs import written_ids
from medcrawl.incremental.state import Fetch, RunLock, StateStore
from medcrawl.incremental.tracker import content_hash

IGNORE = ("crawled_at", "*_raw")
T0 = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)


def page(crawled_at: str = "2026-11-01T03:00:00+00:00", **answer: str) -> list[object]:
    """The items of one question page; `answer` overrides fields of its answer."""
    fields = {"id": "ask39:1/a1", "text": "多休息", "answered_at_raw": "3天前", **answer}
    return [
        Question(id="ask39:1", title="头痛", crawled_at=crawled_at),
        Answer(**fields),
        Doctor(id="ask39:doctor:P1", name="袁余"),
    ]


def test_content_hash_ignores_when_the_page_was_fetched():
    same = content_hash(page(), IGNORE)
    assert content_hash(page(crawled_at="2026-11-08T03:00:00+00:00"), IGNORE) == same
    assert content_hash(page(answered_at_raw="5天前"), IGNORE) == same  # the same answer


def test_content_hash_sees_an_edit_a_new_answer_and_a_new_doctor():
    before = content_hash(page(), IGNORE)
    assert content_hash(page(text="多休息，按时复诊"), IGNORE) != before
    assert content_hash([*page(), Answer(id="ask39:1/a2", text="补液")], IGNORE) != before
    assert content_hash([*page(), Doctor(id="ask39:doctor:P2")], IGNORE) != before


def fetch(question_id: str, when: datetime, digest: str = "h1") -> Fetch:
    return Fetch(
        question_id, f"https://ask.39.net/question/{question_id[6:]}.html", digest, when, when
    )


def test_state_store_remembers_fetches_by_id_and_url(tmp_path):
    store = StateStore(tmp_path / "ask39.sqlite")
    store.begin_run("r1", "out/r1", committed={})
    store.checkpoint("r1", [fetch("ask39:1", T0), fetch("ask39:2", T0)], {"out/r1/q.jsonl": 10})
    later = T0 + timedelta(days=8)
    store.checkpoint("r1", [Fetch("ask39:1", fetch("ask39:1", T0).url, "h1", later, T0)], {})
    assert store.seen("ask39:1") == Fetch("ask39:1", fetch("ask39:1", T0).url, "h1", later, T0)
    assert store.seen_url("https://ask.39.net/question/2.html") == fetch("ask39:2", T0)
    assert store.seen("ask39:3") is None
    store.close()
    with sqlite3.connect(tmp_path / "ask39.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_failed_checkpoint_changes_nothing(tmp_path):
    store = StateStore(tmp_path / "ask39.sqlite")
    store.begin_run("r1", "out/r1", committed={"a": 1})
    store.checkpoint("r1", [fetch("ask39:1", T0)], {"a": 5})
    broken = Fetch("ask39:2", None, "h", T0, T0)  # type: ignore[arg-type]  # url NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        store.checkpoint("r1", [fetch("ask39:3", T0), broken], {"a": 9})
    assert store.seen("ask39:3") is None
    assert [run.committed for run in store.open_runs()] == [{"a": 5}]


def test_runs_stay_open_until_closed(tmp_path):
    store = StateStore(tmp_path / "ask39.sqlite")
    store.begin_run("r1", "out/r1", committed={})
    store.begin_run("r2", "out/r2", committed={})
    store.close_run("r1", "finished")
    assert [run.run_id for run in store.open_runs()] == ["r2"]
    store.begin_run("r1", "out/r1", committed={})  # a resumed run is open again
    assert sorted(run.run_id for run in store.open_runs()) == ["r1", "r2"]


def test_run_lock_is_exclusive_while_held(tmp_path):
    first, second = RunLock(tmp_path, "ask39", "r1"), RunLock(tmp_path, "ask39", "r1")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
    assert not list((tmp_path / "locks").iterdir())


def storage(path, overwrite: bool = True) -> AtomicFileFeedStorage:
    return AtomicFileFeedStorage(str(path), feed_options={"overwrite": overwrite})


def test_feed_is_written_as_part_and_renamed_on_store(tmp_path):
    final = tmp_path / "run" / "questions.jsonl"
    feed = storage(final)
    file = feed.open(SimpleNamespace(continues_run=False))
    file.write(b'{"id": "q1"}\n')
    assert feed.committed_size() == 13
    assert (tmp_path / "run" / "questions.jsonl.part").exists() and not final.exists()
    feed.store(file)
    assert final.read_bytes() == b'{"id": "q1"}\n'
    assert not (tmp_path / "run" / "questions.jsonl.part").exists()
    assert feed.committed_size() == 13


def test_a_resumed_run_appends_to_its_file(tmp_path):
    final = tmp_path / "questions.jsonl"
    final.write_bytes(b'{"id": "q1"}\n')
    feed = storage(final)
    file = feed.open(SimpleNamespace(continues_run=True))
    assert not final.exists()  # back to .part while the run writes
    file.write(b'{"id": "q2"}\n')
    feed.store(file)
    assert final.read_bytes() == b'{"id": "q1"}\n{"id": "q2"}\n'


def test_settle_cuts_files_back_to_the_checkpoint(tmp_path):
    part = tmp_path / "questions.jsonl.part"  # killed while writing
    part.write_bytes(b'{"id": "q1"}\n{"id": "q2"}\n{"id": "q3"')
    renamed = tmp_path / "answers.jsonl"  # killed after the rename, before the state closed
    renamed.write_bytes(b'{"id": "a1"}\n{"id": "a2"}\n')
    empty = tmp_path / "doctors.jsonl.part"  # opened after the last checkpoint
    empty.write_bytes(b'{"id": "d1"}\n')
    other = tmp_path / "manifest.json"
    other.write_text("{}")
    settle(
        {
            str(tmp_path / "questions.jsonl"): 26,
            str(renamed): 13,
            str(tmp_path / "doctors.jsonl"): 0,
            str(tmp_path / "drugs.jsonl"): 0,  # never written
        }
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "answers.jsonl",
        "manifest.json",
        "questions.jsonl",
    ]
    assert (tmp_path / "questions.jsonl").read_bytes() == b'{"id": "q1"}\n{"id": "q2"}\n'
    assert renamed.read_bytes() == b'{"id": "a1"}\n'


@pytest.mark.parametrize(
    ("content", "kept"),
    [(b'{"a": 1}\n{"b"', b'{"a": 1}\n'), (b'{"a": 1}\n', b'{"a": 1}\n'), (b'{"b"', b"")],
)
def test_trim_partial_line(tmp_path, content, kept):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    trim_partial_line(path)
    assert path.read_bytes() == kept


def test_written_ids_reads_finished_and_part_files(tmp_path):
    (tmp_path / "questions.jsonl").write_text(json.dumps({"id": "ask39:1"}) + "\n")
    (tmp_path / "doctors.jsonl.part").write_text('{"id": "ask39:doctor:P1"}\n{"id": "ask39:do')
    assert set(written_ids(tmp_path)) == {(Question, "ask39:1"), (Doctor, "ask39:doctor:P1")}


def test_the_job_file_is_replaced_whole(tmp_path, monkeypatch):
    """A kill while the job file is written must leave the old one, not an empty file that
    stops the next start."""
    from medcrawl.contract import feeds
    from medcrawl.contract.feeds import write_whole

    path = tmp_path / "medcrawl-run.json"
    write_whole(path, '{"run_id": "r1", "status": "running"}')

    def killed(*args):
        raise OSError("killed before the rename")

    monkeypatch.setattr(feeds.os, "replace", killed)
    with pytest.raises(OSError):
        write_whole(path, '{"run_id": "r1", "status": "finished"}')
    assert path.read_text() == '{"run_id": "r1", "status": "running"}'
