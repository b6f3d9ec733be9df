"""The README's quick start, end to end, for every site: `scrapy crawl <site> -a
replay=demo/<site>-demo.warc.gz` crawls the demo archive (index → lists → questions) into the
six JSONL files, offline.

Each site's crawl runs once per module, in a subprocess, exactly as a user runs it (plus an
output folder, a run id and a proxy that refuses every connection, so a request that left the
archive would fail loudly). What it must write is its builder's `expected()`: the items of
every fixture page in the archive plus those of the site's demo data
(`demo/build_demo.py` + `site_data.py` for ask39, `demo/build_120ask.py` + `data_120ask.py`,
`demo/build_xywy.py` + `data_xywy.py`).
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

from demo import build_120ask, build_demo, build_xywy, data_120ask, data_xywy, site_data
from medcrawl.archive.warc import WarcIndex

ROOT = Path(__file__).resolve().parent.parent
#: Each site's demo builder; the archive as the README writes it, relative to the checkout.
BUILDERS = {"ask39": build_demo, "120ask": build_120ask, "xywy": build_xywy}
ARCHIVES = {site: f"demo/{site}-demo.warc.gz" for site in BUILDERS}
ARCHIVE = ARCHIVES["ask39"]
RUN_ID = "demo-test"
STEMS = ("questions", "answers", "causes", "encyclopedia", "drugs", "doctors")
_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")


def run_demo(site: str, out: Path) -> dict:
    """Run a site's demo crawl: {"site", "files": {stem: [lines]}, "stats": {name: int},
    "log": str}."""
    refuse = "http://127.0.0.1:9"  # the discard port: nothing listens, any connection fails
    env = {**os.environ, "http_proxy": refuse, "https_proxy": refuse, "no_proxy": ""}
    scrapy = Path(sys.executable).with_name("scrapy")
    command = [str(scrapy), "crawl", site, "-a", f"replay={ARCHIVES[site]}"]
    command += ["-a", f"run_id={RUN_ID}", "-s", f"MEDCRAWL_OUTPUT_DIR={out}"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = out / site / RUN_ID
    files = {
        stem: (run / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()
        for stem in (*STEMS, "rejects")
    }
    stats = json.loads((run / "manifest.json").read_text(encoding="utf-8"))["stats"]
    return {"site": site, "files": files, "stats": stats, "log": done.stderr, "run": str(run)}


def parsed(crawl: dict) -> dict[str, list[dict]]:
    return {stem: [json.loads(line) for line in lines] for stem, lines in crawl["files"].items()}


@pytest.fixture(scope="module")
def crawl_ask39(tmp_path_factory) -> dict:
    return run_demo("ask39", tmp_path_factory.mktemp("demo-output"))


@pytest.fixture(scope="module")
def crawl_120ask(tmp_path_factory) -> dict:
    return run_demo("120ask", tmp_path_factory.mktemp("demo-output"))


@pytest.fixture(scope="module")
def crawl_xywy(tmp_path_factory) -> dict:
    return run_demo("xywy", tmp_path_factory.mktemp("demo-output"))


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def crawl(request) -> dict:
    """The demo crawl of each site, once per module."""
    return request.getfixturevalue(f"crawl_{request.param}")


@pytest.fixture(scope="module")
def records(crawl) -> dict[str, list[dict]]:
    return parsed(crawl)


@pytest.fixture(scope="module")
def expected(crawl) -> dict[str, set[str]]:
    return BUILDERS[crawl["site"]].expected()


@pytest.fixture(scope="module")
def ask39_records(crawl_ask39) -> dict[str, list[dict]]:
    return parsed(crawl_ask39)


@pytest.fixture(scope="module")
def records_120ask(crawl_120ask) -> dict[str, list[dict]]:
    return parsed(crawl_120ask)


@pytest.fixture(scope="module")
def records_xywy(crawl_xywy) -> dict[str, list[dict]]:
    return parsed(crawl_xywy)


def by_id(records: dict, stem: str) -> dict[str, dict]:
    return {r["id"]: r for r in records[stem]}


@pytest.mark.parametrize("site", sorted(BUILDERS))
def test_the_committed_archive_is_current(tmp_path, site):
    """The archive holds what its builder (`python -m demo.build_demo`, `… demo.build_120ask` …)
    writes today (fixtures included)."""

    def content(path: Path) -> list[tuple]:
        with path.open("rb") as stream:
            return [
                (record.rec_headers.headers, record.http_headers, record.raw_stream.read())
                for record in ArchiveIterator(stream)
            ]

    builder = BUILDERS[site]
    rebuilt = builder.build(tmp_path / "demo.warc.gz")
    assert content(ROOT / ARCHIVES[site]) == content(rebuilt), f"run: python -m {builder.__name__}"


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
def test_every_line_is_json_with_real_chinese(crawl, expected, stem):
    lines = crawl["files"][stem]
    assert lines or (
        stem != "rejects" and not expected[stem]
    )  # 120ask, xywy: no encyclopedia, drugs
    for line in lines:
        assert isinstance(json.loads(line), dict)
        assert not _ESCAPE.search(line), line[:200]
    if stem != "rejects" and lines:
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
    # Doctors (and drugs, diseases) are written once, and linked from several answers.
    answered = Counter(a["doctor_id"] for a in records["answers"] if a["doctor_id"])
    assert max(answered.values()) >= 2


def test_ask39_shared_sidebar_records_are_linked_from_several_questions(ask39_records):
    records = ask39_records
    linked = Counter(d for q in records["questions"] for d in q["recommended_doctor_ids"])
    assert max(linked.values()) >= 3
    assert max(Counter(d for q in records["questions"] for d in q["drug_ids"]).values()) >= 3


def test_the_seed_question_and_its_five_causes(ask39_records):
    records = ask39_records
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
def test_rendered_pages_come_back_as_written(ask39_records, q):
    """Every question of the data table, field by field where the table says the value."""
    records = ask39_records
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


def test_relative_dates_count_from_the_capture(ask39_records):
    records = ask39_records
    """`3天前` on a page archived 2026-11-20 is 2026-11-17, whenever the demo is crawled."""
    q = by_id(records, "questions")["ask39:90000102"]
    assert q["asked_at_raw"] == "3天前"
    captured = datetime.fromisoformat(q["crawled_at"])
    assert datetime.fromisoformat(q["asked_at"]) == captured - timedelta(days=3)
    assert q["asked_at"].endswith("+08:00")


def test_ask39_rejects_say_why(ask39_records):
    records = ask39_records
    reasons = {r["url"]: r["reason"] for r in records["rejects"]}
    removed = build_demo.question_url(site_data.REMOVED)
    missing = build_demo.question_url(site_data.NOT_ARCHIVED)
    challenged = build_demo.question_url(site_data.CHALLENGED)
    assert reasons.pop(removed) == "removed"
    assert missing not in reasons  # a link the archive lacks is no page of the run
    challenge = [u for u, why in reasons.items() if why == "challenge"]
    assert len(challenge) == 1
    assert challenge[0] == challenged or challenge[0].startswith("https://image.39.net/verify")
    del reasons[challenge[0]]
    # The rest: fixture pages that hold no question. Links to pages the archive does not
    # hold (the list's missing question, fixture pages' related questions) are no rejects.
    not_questions = {p.url for p in build_demo.fixture_pages() if not p.expected.get("questions")}
    assert set(reasons) <= not_questions, reasons
    assert "not_archived" not in {r["reason"] for r in records["rejects"]}


def test_replay_never_used_the_network(crawl):
    stats = crawl["stats"]
    missed = stats.get("medcrawl/replay/miss", 0)
    assert missed == stats.get("medcrawl/replay/not_archived", 0)  # each a link, none a seed
    assert (
        stats["medcrawl/replay/hit"] + stats["medcrawl/replay/miss"]
        == (stats["downloader/request_count"])
    )
    assert stats.get("downloader/exception_count", 0) == 0
    # The log is about the run, not a second copy of the data (Scrapy's DEBUG default).
    assert "Scraped from" not in crawl["log"]
    # Links out of the archive are expected in a partial archive: one line that counts them.
    assert "not_archived" not in crawl["log"]
    lines = [line for line in crawl["log"].splitlines() if "not in the archive" in line]
    assert lines == [f"  not in the archive: {missed} links (not pages of this run)"]
    assert "127.0.0.1:9" not in crawl["log"]


def test_the_log_ends_with_the_summary_and_the_run_folder(crawl, records):
    """Not Scrapy's 100-line stats dump (DEBUG now; the stats are in manifest.json)."""
    log = crawl["log"]
    assert "Dumping Scrapy stats" not in log
    summary = log.split("[medcrawl.crawl.summary] INFO: ", 1)[1].splitlines()
    assert log.endswith("\n".join(summary) + "\n")
    assert summary[0].startswith("Crawl finished: ")
    counts = ", ".join(f"{stem} {len(records[stem])}" for stem in STEMS)
    assert summary[1] == f"  records: {counts}"
    assert summary[2].startswith(f"  rejects: {len(records['rejects'])} — pages: ")
    assert summary[-2:] == ["  verdict: passed (8 checks)", f"Run folder: {crawl['run']}"]


def test_the_ask39_summary(crawl_ask39):
    """33 of the demo's 35 rejects were links out of the archive; now one line counts them."""
    summary = crawl_ask39["log"].split("[medcrawl.crawl.summary] INFO: ", 1)[1].splitlines()
    assert summary[0].startswith("Crawl finished: 76 pages in ")
    assert summary[2:5] == [
        "  rejects: 2 — pages: challenge 1, removed 1; invalid items: none",
        "  retried: none",
        "  not in the archive: 33 links (not pages of this run)",
    ]


# --- 120ask -------------------------------------------------------------------------------


def test_the_120ask_archive_holds_enough_question_pages():
    index = WarcIndex(ROOT / ARCHIVES["120ask"])
    questions = [p for p in build_120ask.fixture_pages() if index.get(p.url)]
    questions += [q for q in data_120ask.QUESTIONS if index.get(build_120ask.question_url(q.id))]
    assert len(questions) >= 20
    assert len(build_120ask.fixture_pages()) >= 8
    assert index.get(build_120ask.SITE.category_url("neike", 2)) is not None  # a list is paged


@pytest.mark.parametrize("q", data_120ask.QUESTIONS, ids=lambda q: str(q.id))
def test_120ask_rendered_pages_come_back_as_written(records_120ask, q):
    """Every question of the 120ask data table, field by field."""
    records = records_120ask
    got = by_id(records, "questions")[f"120ask:{q.id}"]
    assert got["title"] == q.title
    assert got["question"] == q.text
    assert (got["patient_sex"], got["patient_age"]) == (q.sex, q.age)
    assert got["category_path"] == list(q.crumbs)
    assert got["asked_at_raw"] == q.asked
    assert got["asked_at"] == q.asked.replace(" ", "T") + "+08:00"
    assert got["answer_count"] == len(q.answers)
    assert (got["encyclopedia_id"], got["drug_ids"], got["recommended_doctor_ids"]) == (
        None,
        [],
        [],
    )
    answers = by_id(records, "answers")
    doctors = by_id(records, "doctors")
    for n, a in enumerate(q.answers, 1):
        answer = answers[f"120ask:{q.id}/a{n}"]
        d = data_120ask.DOCTORS[a.doctor]
        doctor = doctors[answer["doctor_id"]]
        assert (doctor["name"], doctor["title"]) == (d.name, d.title)
        assert answer["doctor_id"].endswith(f":{d.profile}") == (d.profile is not None)
        assert answer["accepted"] is a.accepted
        assert answer["answered_at_raw"] == a.time
        assert answer["follow_ups"] == [{"role": r, "text": t} for r, t in a.follow_ups]
        causes = sorted(
            (c for c in records["causes"] if c["answer_id"] == answer["id"]),
            key=lambda c: c["position"],
        )
        assert [(c["name"], c["text"]) for c in causes] == list(a.items)
        if a.voice:
            assert (answer["text"], answer["summary"], answer["advice"]) == (None, None, None)
        else:
            assert answer["summary"] == "\n".join(a.lead)
            assert answer["advice"] == ("\n".join(a.advice) or None)
            assert answer["text"] == "\n".join(build_120ask.answer_lines(a))


def test_120ask_rejects_say_why(records_120ask):
    """The removed and missing pages the archive was built with, each with its reason, and
    nothing else: links to questions the archive does not hold are no rejects."""
    got = {f"{r['url']} {r['reason']}" for r in records_120ask["rejects"]}
    assert got == build_120ask.expected()["rejects"]


def test_120ask_has_no_encyclopedia_or_drugs(crawl_120ask):
    assert crawl_120ask["files"]["encyclopedia"] == []
    assert crawl_120ask["files"]["drugs"] == []


# --- xywy ---------------------------------------------------------------------------------


def test_the_xywy_archive_holds_enough_question_pages():
    index = WarcIndex(ROOT / ARCHIVES["xywy"])
    questions = [p for p in build_xywy.fixture_pages() if index.get(p.url)]
    questions += [q for q in data_xywy.QUESTIONS if index.get(build_xywy.question_url(q))]
    assert len(questions) >= 20
    assert len(build_xywy.fixture_pages()) >= 8
    assert index.get(build_xywy.SITE.index_url(2)) is not None  # the day index is paged
    assert index.get(build_xywy.SITE.day_url(data_xywy.LAST_DAY, 2)) is not None  # a day too


def test_xywy_whole_site_crawl_takes_the_newest_7_days(crawl_xywy):
    """Without since/until: the 7 newest days the index lists, on both index pages; each day
    paged to its end (by `[下一页]`, or by `共N页` where the pager has no link); the related
    links of the pages not followed (they would lead out of the days)."""
    # Every archived page fetched once (index pages, day lists, questions) — and no day
    # list the archive does not hold (2024-02-28, 02-29: listed, older than the 7 days).
    assert crawl_xywy["stats"]["medcrawl/replay/hit"] == len(list(build_xywy.captures()))
    rejected = [r["url"] for r in parsed(crawl_xywy)["rejects"]]
    assert not [url for url in rejected if "/keshi/" in url]
    written = {q["url"] for q in parsed(crawl_xywy)["questions"]}
    for q in data_xywy.QUESTIONS:  # every day's questions, the paged day's second page too
        assert build_xywy.question_url(q) in written, q.id
    assert crawl_xywy["stats"]["medcrawl/pages/question"] == len(written)


@pytest.mark.parametrize("q", data_xywy.QUESTIONS, ids=lambda q: str(q.id))
def test_xywy_rendered_pages_come_back_as_written(records_xywy, q):
    """Every question of the xywy data table, field by field: GBK pages of both generations,
    the charset in the header, a <meta> or nowhere."""
    records = records_xywy
    got = by_id(records, "questions")[f"xywy:{q.id}"]
    assert got["url"] == build_xywy.question_url(q)
    assert got["title"] == q.title
    assert got["question"] == "\n".join(q.text)
    assert (got["patient_sex"], got["patient_age"]) == (q.sex, q.age)
    assert got["category_path"] == list(q.crumbs)
    assert got["asked_at"] == q.asked.replace(" ", "T") + "+08:00"
    assert got["answer_count"] == len(q.answers)
    assert (got["encyclopedia_id"], got["drug_ids"]) == (None, [])
    answers = by_id(records, "answers")
    doctors = by_id(records, "doctors")
    for n, a in enumerate(q.answers, 1):
        answer = answers[f"xywy:{q.id}/a{n}"]
        assert answer["accepted"] is a.best
        assert answer["text"] == "\n".join(a.lines)
        assert answer["answered_at_raw"] == a.time
        assert [(f["role"], f["text"]) for f in answer["follow_ups"]] == [
            (f.role, f.text) for f in a.follow_ups
        ]
        doctor = data_xywy.DOCTORS[a.doctor]
        assert doctors[answer["doctor_id"]]["name"] == doctor.name
        assert doctors[answer["doctor_id"]]["title"] == doctor.title
        assert [numbered["kind"] for numbered in answer["lists"]] == ([a.kind] if a.kind else [])
        causes = sorted(
            (c for c in records["causes"] if c["answer_id"] == answer["id"]),
            key=lambda c: c["position"],
        )
        listed = list(a.items) if a.kind == "causes" else []
        assert [(c["name"], c["text"]) for c in causes] == listed


def test_xywy_rejects_say_why(crawl_xywy, records_xywy):
    """The bad pages listed on a day, each with its reason; nothing else (related links are not
    followed in a crawl bounded by days). The listed question the archive lacks is counted."""
    got = {f"{r['url']} {r['reason']}" for r in records_xywy["rejects"]}
    assert got == build_xywy.expected()["rejects"]
    assert crawl_xywy["stats"]["medcrawl/replay/not_archived"] == 1
