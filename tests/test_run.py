"""End to end: a replayed crawl writes only valid records, describes itself in manifest.json,
and `scrapy crawl` exits non-zero when the run fails its checks — after a layout change, a
schema break, or when the checks themselves could not run."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime

import pytest

from demo.build_demo import expected
from medcrawl import __version__
from medcrawl.contract.coverage import KIND_FIELDS
from medcrawl.contract.items import SCHEMA_VERSION
from medcrawl.contract.schema import STEMS, record_errors, schema_errors
from tests.conftest import fixture_names
from tests.runs import DEMO, ROOT, contract_run, crawl, fixture_page, write_warc

__all__ = ["contract_run"]  # a session fixture, shared with the report and loading tests

SEED_ANSWER = "ask39:91201364/a1"
#: A layout change: the answer text, doctor name and answer time classes renamed.
RENAMED = {b"sele_txt": b"answer_text", b"doc_name": b"doctor_name", b"doc_time": b"answer_time"}


def test_the_demo_run_passes_its_checks(contract_run):
    assert contract_run.returncode == 0, contract_run.log[-3000:]
    assert "Run checks passed (8)" in contract_run.log
    assert "Traceback" not in contract_run.log


def test_every_line_of_every_output_file_is_valid(contract_run):
    for stem in STEMS:
        for n, record in enumerate(contract_run.jsonl(stem), 1):
            assert schema_errors(stem, record) == [], f"{stem}.jsonl line {n}"
            assert record["schema_version"] == SCHEMA_VERSION
    assert {q["id"] for q in contract_run.jsonl("questions")} == expected()["questions"]
    seed_causes = [c for c in contract_run.jsonl("causes") if c["answer_id"] == SEED_ANSWER]
    assert [c["name"] for c in seed_causes] == [
        "神经受压",
        "面神经炎",
        "外伤",
        "感染",
        "代谢紊乱",
    ]


def test_the_manifest_describes_the_run(contract_run):
    manifest = contract_run.manifest
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert (manifest["run_id"], manifest["spider"]) == ("demo", "ask39")
    assert manifest["arguments"]["replay"] == DEMO
    assert manifest["arguments"]["run_id"] == "demo"
    assert manifest["settings"]["MEDCRAWL_COVERAGE_THRESHOLDS"]["answers.text"] == 0.98
    assert manifest["settings"]["MEDCRAWL_OUTPUT_DIR"] == str(contract_run.folder.parent.parent)
    assert manifest["finish_reason"] == "finished"
    started = datetime.fromisoformat(manifest["started_at"])
    assert started <= datetime.fromisoformat(manifest["finished_at"])
    assert manifest["code"]["medcrawl"] == __version__
    assert manifest["code"]["git_commit"] is None or len(manifest["code"]["git_commit"]) == 40
    assert manifest["monitors"] == {"verdict": "passed", "failures": []}

    assert sorted(manifest["files"]) == sorted(f"{stem}.jsonl" for stem in STEMS)
    for name, entry in manifest["files"].items():
        data = (contract_run.folder / name).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["records"] == len(data.splitlines())
    for kind, entry in manifest["coverage"].items():
        assert entry["records"] == manifest["files"][f"{kind}.jsonl"]["records"]
        assert list(entry["fields"]) == KIND_FIELDS[kind]

    # coverage, recomputed from the files
    answers = contract_run.jsonl("answers")
    with_text = sum(1 for a in answers if a["text"])
    assert manifest["coverage"]["answers"]["fields"]["text"] == round(with_text / len(answers), 4)
    with_causes = {c["answer_id"] for c in contract_run.jsonl("causes")}
    assert manifest["answers_with_causes"] == round(len(with_causes) / len(answers), 4)
    skipped = manifest["pages"]["skipped"]
    assert sum(skipped.values()) == len(contract_run.jsonl("rejects"))


def drifted_pages():
    pages = []
    for name in fixture_names("ask39"):
        page = fixture_page(name)
        body = page.body
        for old, new in RENAMED.items():
            body = body.replace(old, new)
        pages.append(replace(page, body=body))
    return pages


def test_a_layout_change_fails_the_run_with_the_coverage_message(tmp_path):
    pages = drifted_pages()
    replay = write_warc(tmp_path / "drifted.warc.gz", pages)
    run = crawl(tmp_path / "out", replay, "-a", "start=" + ",".join(p.url for p in pages))
    assert run.returncode == 3, run.log[-3000:]
    assert "Field coverage under threshold (did the layout change?)" in run.log
    assert "answers.text 0.00 < 0.98" in run.log
    assert "answers.doctor_id 0.00 < 0.90" in run.log
    assert "medcrawl: the run failed its checks" in run.log
    manifest = run.manifest
    assert manifest["monitors"]["verdict"] == "failed"
    assert manifest["coverage"]["answers"]["fields"]["text"] == 0.0
    # the output is still there and valid: a failed run is flagged, not thrown away
    for stem in STEMS:
        assert all(record_errors(stem, r) == [] for r in run.jsonl(stem))


def test_a_broken_record_goes_to_rejects_with_its_errors(tmp_path):
    seed = fixture_page("seed_2024")
    replay = write_warc(tmp_path / "seed.warc.gz", [seed])
    run = crawl(
        tmp_path / "out",
        replay,
        *("-a", f"start={seed.url}", "-s", "SPIDER_MODULES=tests.spiders"),
        command=("crawl", "ask39_broken"),
        spider="ask39_broken",
    )
    (reject,) = run.jsonl("rejects")
    assert (reject["url"], reject["reason"]) == (seed.url, "invalid")
    assert reject["item_kind"] == "answers"
    assert reject["errors"] == [
        {"path": "id", "message": "None is not of type 'string'"},
        {"path": "position", "message": "'first' is not of type 'integer'"},
    ]
    assert reject["record"]["text"] == "坏的"
    assert record_errors("rejects", reject) == []
    assert [a["id"] for a in run.jsonl("answers")] == ["ask39:91201364/a1"]  # only the good one
    assert "WARNING: Invalid answers item from https://ask.39.net/question/91201364.html" in run.log
    assert run.manifest["rejected"]["invalid"] == {"answers": 1}
    assert run.returncode == 3  # 1 of 20 items invalid: over MEDCRAWL_MAX_INVALID_RATE
    assert "1 item(s) failed their schema" in run.log


def test_checks_that_cannot_run_fail_the_run(tmp_path):
    """spidermon's trap: without SPIDERMON_MAX_DOWNLOADER_EXCEPTIONS its monitor raises
    NotConfigured, the suite stops, and plain `scrapy crawl` would still exit 0."""
    seed = fixture_page("seed_2024")
    replay = write_warc(tmp_path / "seed.warc.gz", [seed])
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.settings_without_threshold"}
    command = [sys.executable, "-m", "scrapy", "crawl", "ask39", "-a", f"replay={replay}"]
    command += ["-a", f"start={seed.url}", "-s", f"MEDCRAWL_OUTPUT_DIR={tmp_path}"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "NotConfigured" in done.stderr
    assert done.returncode == 3
    assert "the run checks did not run to a verdict" in done.stderr


@pytest.mark.parametrize(
    ("stats", "problem"),
    [
        ({"medcrawl/monitors/verdict": "passed"}, None),
        ({}, "did not run to a verdict"),
        (
            {"medcrawl/monitors/verdict": "failed", "medcrawl/monitors/failures": ["Output/x: y"]},
            "failed its checks:\n  Output/x: y",
        ),
    ],
)
def test_the_verdict_decides_the_exit_status(stats, problem):
    from scrapy.settings import Settings

    from medcrawl.cli.commands.crawl import verdict_problem

    settings = Settings({"SPIDERMON_ENABLED": True, "SPIDERMON_SPIDER_CLOSE_MONITORS": ["x"]})
    found = verdict_problem(settings, stats)
    assert found == problem if problem is None else problem in found
    assert verdict_problem(Settings({"SPIDERMON_ENABLED": False}), {}) is None


def test_links_out_of_a_replayed_archive_are_not_pages_of_the_run():
    from medcrawl.contract.monitors import page_counts

    stats = {
        "medcrawl/pages/question": 27,
        "medcrawl/skipped/http_404": 1,  # an archived 404
        "medcrawl/replay/not_archived": 30,  # links to pages the archive does not hold
        "medcrawl/skipped/not_archived": 1,  # a seed the archive lacks: asked for, so a page
        "medcrawl/skipped/challenge": 1,
        "medcrawl/skipped/removed": 1,
        "spider_exceptions/count": 1,
    }
    assert page_counts(stats) == (32, 3, 1)  # errors: the 404, the seed, the exception


def test_a_link_the_archive_lacks_is_counted_a_seed_is_rejected(tmp_path):
    from scrapy import Request
    from scrapy.http import Response
    from scrapy.spidermiddlewares.httperror import HttpError
    from scrapy.utils.test import get_crawler
    from twisted.python.failure import Failure

    from medcrawl.sites.ask39.spider import Ask39Spider
    from medcrawl.sites.spider import SEED_META

    crawler = get_crawler(Ask39Spider, {"MEDCRAWL_OUTPUT_DIR": str(tmp_path)})
    spider = Ask39Spider.from_crawler(crawler)

    def miss(meta: dict) -> list:
        request = Request("https://ask.39.net/question/7.html", meta=meta)
        response = Response(request.url, status=404, request=request, flags=["replay-miss"])
        failure = Failure(HttpError(response))
        failure.request = request
        return list(spider.on_error(failure))

    assert miss({}) == []
    assert crawler.stats.get_value("medcrawl/replay/not_archived") == 1
    (reject,) = miss({SEED_META: True})
    assert (reject.url, reject.reason) == ("https://ask.39.net/question/7.html", "not_archived")
