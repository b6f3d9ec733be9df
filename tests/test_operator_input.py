"""An operator's mistakes are refused before anything starts: one `medcrawl: …` line on stderr,
exit 2, no traceback, no Scrapy startup log (`medcrawl.cli.preflight`, run by `scrapy crawl`).
The checks are the spider's declared arguments (`QASpider.declared_arguments`), so `__init__`
refuses the same values for any other runner, and `scrapy crawl -h` lists them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from medcrawl import settings as project
from medcrawl.cli.preflight import OperatorError, check_crawl
from medcrawl.contract.items import Reject
from medcrawl.sites import sites
from medcrawl.sites.arguments import ArgumentError
from medcrawl.sites.ask39.spider import Ask39Spider
from tests.runs import ROOT, fixture_page, write_warc

LONG_ID = "9" * 5000  # past int()'s 4,300-digit limit
KNOWN = ", ".join(sorted(sites()))  # every site's spider


@pytest.fixture
def out(tmp_path) -> Path:
    return tmp_path / "out"


def settings(out: Path, **more: object) -> Settings:
    values = {k: getattr(project, k) for k in dir(project) if k.isupper()}
    return Settings({**values, "MEDCRAWL_OUTPUT_DIR": str(out), **more})


def refused(out: Path, given: dict[str, str], spider: str = "ask39", **more: object) -> str:
    with pytest.raises(OperatorError) as caught:
        check_crawl(settings(out, **more), [spider], given)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.fixture
def archive(tmp_path) -> Path:
    return write_warc(tmp_path / "a.warc.gz", [fixture_page("seed_2024")])


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"max_pages": "-1"}, "-a max_pages=-1: takes a positive whole number"),
        ({"max_pages": "ten"}, "-a max_pages=ten: takes a positive whole number"),
        ({"since": "2024-13-45"}, "-a since=2024-13-45: takes a date like 2024-01-01"),
        ({"categories": "xyz"}, "'xyz' is not a category id of this site"),
        ({"categories": "3166,abc"}, "'abc' is not a category id of this site"),
        ({"urls": "/no/such/seeds.txt"}, "-a urls=/no/such/seeds.txt: no such file"),
        ({"question": "abc"}, "'abc' is not a question id of this site"),
        ({"question": LONG_ID}, "… (5000 characters)' is not a question id of this site"),
        ({"start": "https://example.com/x"}, "is not a URL of this site or a question id"),
        ({"related": "maybe"}, "-a related=maybe: takes 1 or 0"),
        ({"max_page": "5"}, "unknown argument -a max_page=; ask39 takes: categories, "),
        ({"run_id": "../../x"}, "-a run_id=../../x: takes a plain name"),
        ({"run_id": "a/b"}, "-a run_id=a/b: takes a plain name"),
        ({"run_id": ""}, "-a run_id=: takes a plain name"),
        ({"run_id": ".."}, "-a run_id=..: takes a plain name"),
        ({"replay": "/no/such.warc.gz"}, "-a replay=/no/such.warc.gz: no WARC file or folder"),
    ],
)
def test_bad_arguments_are_refused_with_one_line(out, given, says):
    assert says in refused(out, given)
    with pytest.raises(ArgumentError):  # the spider refuses them too, whoever runs it
        Ask39Spider(**given)


def test_the_unknown_argument_message_lists_every_known_one(out):
    message = refused(out, {"max_page": "5"})
    for name in ("start", "question", "urls", "max_pages", "since", "replay", "run_id"):
        assert name in message.split("takes: ", 1)[1]


def test_an_unknown_spider_lists_the_known_ones(out):
    assert refused(out, {}, spider="ask40") == f"no spider 'ask40'; known: {KNOWN}"


def test_a_runner_s_own_arguments_pass(out):
    """scrapyd adds `-a _job=…`: a runner's, not an operator's mistake."""
    assert check_crawl(settings(out), ["ask39"], {"_job": "abc", "max_pages": "3"})
    assert Ask39Spider(_job="abc", max_pages="3").max_pages == 3


@pytest.mark.parametrize("name", ["empty_folder", "no_warc.txt", "garbage.warc.gz", "empty.warc"])
def test_replay_paths_that_hold_no_warc_are_refused(out, tmp_path, archive, name):
    path = tmp_path / name
    if name == "empty_folder":
        path.mkdir()
        (path / "notes.txt").write_text("no archive here")
        says = "no *.warc or *.warc.gz files in folder"
    elif name == "no_warc.txt":
        path.write_text("hello")
        says = "is not a WARC file"
    elif name == "garbage.warc.gz":  # a binary file named like an archive
        path.write_bytes(bytes(range(256)) * 40)
        says = "is not a WARC file"
    else:
        path.write_bytes(b"")
        says = "holds no WARC record"
    message = refused(out, {"replay": str(path)})
    assert says in message
    assert "\\x" not in message and len(message) < 300  # no dump of the bytes
    assert refused(out, {}, MEDCRAWL_REPLAY=str(path)).startswith(f"MEDCRAWL_REPLAY={path}: ")
    assert check_crawl(settings(out), ["ask39"], {"replay": str(archive)})


def test_an_unwritable_output_root_is_refused(tmp_path):
    regular = tmp_path / "file"
    regular.write_text("a file, not a folder")  # what even root cannot write under
    message = refused(regular / "out", {})
    assert message.startswith(f"cannot write to the output folder {regular / 'out' / 'ask39'}: ")
    assert "Not a directory" in message


def test_a_run_id_that_names_a_finished_run_is_refused_unless_overwrite(out):
    run_dir = out / "ask39" / "nightly"
    run_dir.mkdir(parents=True)
    (run_dir / "questions.jsonl").write_text('{"id": "ask39:1"}\n')
    (run_dir / "manifest.json").write_text("{}")
    message = refused(out, {"run_id": "nightly"})
    assert message == (
        f"run folder {run_dir} holds run nightly already; give another -a run_id= or "
        "-a overwrite=1 to replace it"
    )
    assert check_crawl(settings(out), ["ask39"], {"run_id": "nightly", "overwrite": "1"})
    assert check_crawl(settings(out), ["ask39"], {"run_id": "other"})
    assert (out / "ask39" / "other").is_dir()  # the run folder was made, and written to
    assert not list((out / "ask39" / "other").iterdir())  # the probe is gone


def test_a_run_id_may_name_its_job_or_an_unclosed_incremental_run(out, tmp_path):
    run_dir = out / "ask39" / "nightly"
    run_dir.mkdir(parents=True)
    (run_dir / "questions.jsonl").write_text('{"id": "ask39:1"}\n')
    job = tmp_path / "job"
    job.mkdir()
    (job / "medcrawl-run.json").write_text(json.dumps({"run_id": "nightly", "status": "stopped"}))
    assert check_crawl(settings(out, JOBDIR=str(job)), ["ask39"], {"run_id": "nightly"})
    (run_dir / "questions.jsonl").rename(run_dir / "questions.jsonl.part")  # killed: settled
    refused(out, {"run_id": "nightly"})
    given = {"run_id": "nightly", "incremental": "1"}
    assert check_crawl(settings(out), ["ask39"], given)


def test_overwrite_replaces_what_the_run_left_and_nothing_else(out):
    from scrapy.utils.test import get_crawler

    run_dir = out / "ask39" / "nightly"
    (run_dir / "parquet").mkdir(parents=True)
    for name in ("questions.jsonl", "causes.jsonl.part", "doctors.jsonl.failed", "manifest.json"):
        (run_dir / name).write_text("old\n")
    (run_dir / "parquet" / "questions.parquet").write_text("old")
    (run_dir / "notes.txt").write_text("mine")
    crawler = get_crawler(Ask39Spider, {"MEDCRAWL_OUTPUT_DIR": str(out)})
    Ask39Spider.from_crawler(crawler, run_id="nightly", overwrite="1")
    assert [p.name for p in run_dir.iterdir()] == ["notes.txt"]


def test_a_huge_id_in_a_seed_file_is_a_bad_seed_and_the_next_seeds_are_read(tmp_path):
    from scrapy.utils.test import get_crawler

    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"101\n{LONG_ID}\nhttps://[::1/x\n102\n", encoding="utf-8")
    crawler = get_crawler(Ask39Spider, {"MEDCRAWL_OUTPUT_DIR": str(tmp_path)})
    spider = Ask39Spider.from_crawler(crawler, urls=str(seeds))
    got = list(spider.seeds())
    urls = [r.url for r in got if not isinstance(r, Reject)]
    rejects = [(r.reason, r.detail) for r in got if isinstance(r, Reject)]
    assert urls == ["https://ask.39.net/question/101.html", "https://ask.39.net/question/102.html"]
    assert rejects == [
        ("bad_seed", f"{seeds}:2: not a URL of this site or a question id"),
        ("bad_seed", f"{seeds}:3: not a URL of this site or a question id"),
    ]
    assert crawler.stats.get_value("medcrawl/skipped/bad_seed") == 2


def scrapy_crawl(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["ask40"], f"medcrawl: no spider 'ask40'; known: {KNOWN}"),
        (["ask39", "-a", "max_pages=-1"], "medcrawl: -a max_pages=-1: takes a positive whole"),
        (["ask39", "-a", "max_page=5"], "medcrawl: unknown argument -a max_page=; ask39 takes:"),
        (["ask39", "-a", "replay=demo/README.md"], "medcrawl: -a replay=demo/README.md: demo/"),
    ],
)
def test_scrapy_crawl_says_one_line_before_it_starts(tmp_path, args, says):
    done = scrapy_crawl(*args, "-s", f"MEDCRAWL_OUTPUT_DIR={tmp_path}")
    assert done.returncode == 2
    assert done.stderr.startswith(says)
    assert done.stderr.count("\n") == 1, done.stderr  # one line: no startup log, no traceback
    assert done.stdout == ""
    assert not list(tmp_path.iterdir())  # nothing started, nothing written


def test_scrapy_crawl_help_lists_the_spider_arguments():
    done = scrapy_crawl("ask39", "-h")
    assert done.returncode == 0
    help_text = done.stdout.split("Spider arguments (-a NAME=VALUE)", 1)[1]
    for spec in Ask39Spider.declared_arguments:
        line = next(line for line in help_text.splitlines() if f" {spec.name}=" in line)
        assert spec.help in line and spec.metavar in line
