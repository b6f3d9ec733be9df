"""The README's quick start, end to end: `scrapy crawl ask39 -a replay=demo/ask39-demo.warc.gz`
crawls the demo archive (index → lists → questions) into the six JSONL files, offline.

The crawl runs once per module, in a subprocess, exactly as a user runs it (plus an output
folder, a run id and a proxy that refuses every connection, so a request that left the
archive would fail loudly). What it must write is `demo.build_demo.expected()`: the items of
every fixture page in the archive plus those of `demo/site_data.py`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from demo import build_demo, site_data
from medcrawl.archive.warc import WarcIndex

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = "demo/ask39-demo.warc.gz"  # as the README writes it, relative to the checkout
RUN_ID = "demo-test"
STEMS = ("questions", "answers", "causes", "encyclopedia", "drugs", "doctors")
_STAT = re.compile(r"^\s*[{ ]?'([^']+)': (\d+)[,}]?\s*$")
_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> dict:
    """Run the demo crawl once: {"files": {stem: [lines]}, "stats": {name: int}, "log": str}."""
    out = tmp_path_factory.mktemp("demo-output")
    refuse = "http://127.0.0.1:9"  # the discard port: nothing listens, any connection fails
    env = {**os.environ, "http_proxy": refuse, "https_proxy": refuse, "no_proxy": ""}
    scrapy = Path(sys.executable).with_name("scrapy")
    command = [str(scrapy), "crawl", "ask39", "-a", f"replay={ARCHIVE}", "-a", f"run_id={RUN_ID}"]
    command += ["-s", f"MEDCRAWL_OUTPUT_DIR={out}"]  # the project's own log level
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = out / "ask39" / RUN_ID
    files = {
        stem: (run / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()
        for stem in (*STEMS, "rejects")
    }
    stats_dump = done.stderr.split("Dumping Scrapy stats:", 1)[-1]
    stats = {m[1]: int(m[2]) for line in stats_dump.splitlines() if (m := _STAT.match(line))}
    return {"files": files, "stats": stats, "log": done.stderr}


@pytest.fixture(scope="module")
def records(crawl) -> dict[str, list[dict]]:
    return {stem: [json.loads(line) for line in lines] for stem, lines in crawl["files"].items()}


@pytest.fixture(scope="module")
def expected() -> dict[str, set[str]]:
    return build_demo.expected()


def by_id(records: dict, stem: str) -> dict[str, dict]:
    return {r["id"]: r for r in records[stem]}


def test_the_committed_archive_is_current(tmp_path):
    """The archive holds what `python -m demo.build_demo` writes today (fixtures included)."""

    def content(path: Path) -> list[tuple]:
        with path.open("rb") as stream:
            return [
                (record.rec_headers.headers, record.http_headers, record.raw_stream.read())
                for record in ArchiveIterator(stream)
            ]

    rebuilt = build_demo.build(tmp_path / "demo.warc.gz")
    assert content(ROOT / ARCHIVE) == content(rebuilt), "run: python -m demo.build_demo"


def test_the_archive_holds_enough_question_pages():
    index = WarcIndex(ROOT / ARCHIVE)
    questions = [p for p in build_demo.fixture_pages() if index.get(p.url)]
    questions += [q for q in site_data.QUESTIONS if index.get(build_demo.question_url(q.id))]
    assert len(questions) >= 24
    assert len(site_data.QUESTIONS) >= 20
    assert index.get(build_demo.list_url("3150", 2)) is not None  # one category is paged


@pytest.mark.parametrize("stem", STEMS)
def test_each_file_holds_exactly_the_expected_records(records, expected, stem):
    ids = [r["id"] for r in records[stem]]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert set(ids) == expected[stem]


def test_at_least_twenty_questions(records):
    assert len(records["questions"]) >= 20


@pytest.mark.parametrize("stem", [*STEMS, "rejects"])
def test_every_line_is_json_with_real_chinese(crawl, stem):
    lines = crawl["files"][stem]
    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict)
        assert not _ESCAPE.search(line), line[:200]
    if stem != "rejects":
        assert any(re.search(r"[\u4e00-\u9fff]", line) for line in lines)


def test_every_link_resolves_to_a_written_record(records):
    questions, answers = by_id(records, "questions"), by_id(records, "answers")
    doctors, drugs = by_id(records, "doctors"), by_id(records, "drugs")
    encyclopedia = by_id(records, "encyclopedia")
    for a in records["answers"]:
        assert a["question_id"] in questions, a["id"]
        assert a["doctor_id"] is None or a["doctor_id"] in doctors, a["id"]
    for c in records["causes"]:
        assert c["answer_id"] in answers, c["id"]
        assert answers[c["answer_id"]]["question_id"] == c["question_id"], c["id"]
    for q in records["questions"]:
        assert q["encyclopedia_id"] is None or q["encyclopedia_id"] in encyclopedia, q["id"]
        assert set(q["drug_ids"]) <= set(drugs), q["id"]
        assert set(q["recommended_doctor_ids"]) <= set(doctors), q["id"]
    # Shared doctors, drugs and diseases are written once and linked from several questions.
    linked = Counter(d for q in records["questions"] for d in q["recommended_doctor_ids"])
    assert max(linked.values()) >= 3
    assert max(Counter(d for q in records["questions"] for d in q["drug_ids"]).values()) >= 3


def test_the_seed_question_and_its_five_causes(records):
    seed = by_id(records, "questions")["ask39:91201364"]
    assert seed["category_path"] == ["内科", "神经内科", "面部肌肉萎缩"]
    assert seed["crawled_at"] == "2026-11-20T08:00:00+00:00"  # the capture date, not today
    causes = sorted(
        (c for c in records["causes"] if c["answer_id"] == "ask39:91201364/a1"),
        key=lambda c: c["position"],
    )
    assert [(c["position"], c["name"]) for c in causes] == [
        (1, "神经受压"),
        (2, "面神经炎"),
        (3, "外伤"),
        (4, "感染"),
        (5, "代谢紊乱"),
    ]
    assert causes[3]["drugs_mentioned"] == ["阿莫西林胶囊", "头孢克肟分散片"]
    assert by_id(records, "answers")["ask39:91201364/a1"]["answered_at"] == (
        "2024-02-24T20:54:00+08:00"
    )


@pytest.mark.parametrize("q", site_data.QUESTIONS, ids=lambda q: str(q.id))
def test_rendered_pages_come_back_as_written(records, q):
    """Every question of the data table, field by field where the table says the value."""
    got = by_id(records, "questions")[f"ask39:{q.id}"]
    assert got["title"] == q.title
    assert got["question"] == q.text
    assert (got["patient_sex"], got["patient_age"]) == (q.sex, q.age)
    assert got["category_path"] == list(q.crumbs)
    assert got["tags"] == list(q.tags)
    assert got["asked_at_raw"] == q.asked
    assert got["asked_at"] is not None
    assert got["answer_count"] == len(q.answers)
    assert (got["encyclopedia_id"] is None) == (q.disease is None)
    assert [d.split(":")[-1] for d in got["drug_ids"]] == [site_data.DRUGS[k].name for k in q.drugs]
    assert len(got["recommended_doctor_ids"]) == len(q.recommended)
    answers = by_id(records, "answers")
    for n, a in enumerate(q.answers, 1):
        answer = answers[f"ask39:{q.id}/a{n}"]
        assert answer["doctor_id"] == f"ask39:doctor:{site_data.DOCTORS[a.doctor].profile}"
        assert answer["answered_at_raw"] == a.time
        assert answer["tips"] == list(a.tips)
        assert [f["text"] for f in answer["follow_ups"]] == [t for _, t in a.follow_ups]
        causes = sorted(
            (c for c in records["causes"] if c["answer_id"] == answer["id"]),
            key=lambda c: c["position"],
        )
        listed = [(i.name, i.text) for i in a.items] if a.kind == "causes" else []
        assert [(c["name"], c["text"]) for c in causes] == listed
        kinds = [
            numbered["kind"]
            for numbered in answer["lists"]
            if numbered["kind"] != "advice" or not a.tips
        ]
        assert kinds[:1] == ([a.kind] if len(a.items) >= 2 else [])
        if a.items:
            assert answer["summary"] == "\n".join(a.lead)
            assert answer["advice"] == "\n".join(a.advice)
        else:
            assert answer["text"] == "\n".join(a.lead)


def test_relative_dates_count_from_the_capture(records):
    """`3天前` on a page archived 2026-11-20 is 2026-11-17, whenever the demo is crawled."""
    q = by_id(records, "questions")["ask39:90000102"]
    assert q["asked_at_raw"] == "3天前"
    captured = datetime.fromisoformat(q["crawled_at"])
    assert datetime.fromisoformat(q["asked_at"]) == captured - timedelta(days=3)
    assert q["asked_at"].endswith("+08:00")


def test_rejects_say_why(records):
    reasons = {r["url"]: r["reason"] for r in records["rejects"]}
    removed = build_demo.question_url(site_data.REMOVED)
    missing = build_demo.question_url(site_data.NOT_ARCHIVED)
    challenged = build_demo.question_url(site_data.CHALLENGED)
    assert reasons.pop(removed) == "removed"
    assert reasons.pop(missing) == "not_archived"
    challenge = [u for u, why in reasons.items() if why == "challenge"]
    assert len(challenge) == 1
    assert challenge[0] == challenged or challenge[0].startswith("https://image.39.net/verify")
    del reasons[challenge[0]]
    # The rest: fixture pages that hold no question, or links (e.g. a fixture page's related
    # questions) to pages the archive does not hold — each `not_archived`, never a fetch.
    index = WarcIndex(ROOT / ARCHIVE)
    not_questions = {p.url for p in build_demo.fixture_pages() if not p.expected.get("questions")}
    for url, why in reasons.items():
        assert url in not_questions or (why == "not_archived" and index.get(url) is None), (
            url,
            why,
        )


def test_replay_never_used_the_network(crawl, records):
    stats = crawl["stats"]
    not_found = [r for r in records["rejects"] if r["reason"] == "not_archived"]
    assert stats["medcrawl/replay/miss"] == len(not_found)
    assert (
        stats["medcrawl/replay/hit"] + stats["medcrawl/replay/miss"]
        == (stats["downloader/request_count"])
    )
    assert stats.get("downloader/exception_count", 0) == 0
    # The log is about the run, not a second copy of the data (Scrapy's DEBUG default).
    assert "Scraped from" not in crawl["log"]
    # Links out of the archive are expected in a partial archive: INFO, not warnings.
    missed = [line for line in crawl["log"].splitlines() if "not_archived" in line]
    assert missed and not [line for line in missed if "WARNING" in line]
    assert "127.0.0.1:9" not in crawl["log"]
