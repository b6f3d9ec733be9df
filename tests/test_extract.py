"""`medcrawl extract`: the records of a replay crawl, without the Scrapy engine, on every core."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from medcrawl import cli
from medcrawl.archive.warc import write_capture
from tests.runs import DEMO, ROOT, contract_run, crawl, fixture_page  # noqa: F401

STEMS = ("questions", "answers", "causes", "encyclopedia", "drugs", "doctors", "rejects")


def comparable(folder: Path, stem: str) -> list[str]:
    """A file's records, sorted, without their run times, and without the `not_archived`
    rejects of links out of the archive that only a crawl follows."""
    out = []
    for line in (folder / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record.pop("at", None)
        if record.get("reason") != "not_archived":
            out.append(json.dumps(record, sort_keys=True, ensure_ascii=False))
    return sorted(out)


def extract(out: Path, *args: str) -> int:
    return cli.main(["extract", *args, "--out", str(out)])


@pytest.fixture(scope="module")
def demo_extract(tmp_path_factory, request) -> Path:
    out = tmp_path_factory.mktemp("extract") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        assert extract(out, DEMO, "--jobs", "2") == 0
    return out


@pytest.mark.parametrize("stem", STEMS)
def test_every_file_as_the_replay_crawl(demo_extract, contract_run, stem):  # noqa: F811
    assert contract_run.returncode == 0, contract_run.log[-2000:]
    expected = comparable(contract_run.folder, stem)
    assert expected  # every file of the demo holds records
    assert comparable(demo_extract, stem) == expected


def test_manifest_and_checks_as_a_run(demo_extract, contract_run):  # noqa: F811
    ours = json.loads((demo_extract / "manifest.json").read_text(encoding="utf-8"))
    theirs = contract_run.manifest
    assert ours["monitors"] == {"verdict": "passed", "failures": []}
    assert ours["spider"] == "ask39"
    assert ours["pages"]["questions"] == theirs["pages"]["questions"] == 35
    assert ours["pages"]["skipped"] == theirs["pages"]["skipped"]
    assert ours["pages"]["skipped"] == {"challenge": 1, "removed": 1}
    assert ours["pages"]["not_archived"] == 0  # links out of the archive: only a crawl follows
    assert ours["coverage"] == theirs["coverage"]
    assert ours["rejected"] == theirs["rejected"]
    for stem in STEMS[:-1]:  # the same lines; their order is the crawl's, not the archive's
        mine, crawled = ours["files"][f"{stem}.jsonl"], theirs["files"][f"{stem}.jsonl"]
        assert (mine["records"], mine["bytes"]) == (crawled["records"], crawled["bytes"])


def test_one_job_writes_the_same_bytes(demo_extract, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert extract(tmp_path / "one", DEMO, "--jobs", "1") == 0
    for stem in STEMS[:-1]:
        assert (tmp_path / "one" / f"{stem}.jsonl").read_bytes() == (
            demo_extract / f"{stem}.jsonl"
        ).read_bytes()


def capture(writer, url, body=b"", *, day, status="200 OK", headers=None):
    headers = headers or [("Content-Type", "text/html; charset=utf-8")]
    when = datetime(2024, 3, day, tzinfo=timezone.utc)
    write_capture(writer, url, body, date=when, status=status, headers=headers)


def test_captures_redirects_and_errors_as_a_replay_crawl(tmp_path):
    """Latest capture wins; a redirect to another form of the page is followed, to another
    page is `redirected`, to the bot check a `challenge`; an error status is `http_<n>`; an
    uncompressed WARC reads like a gzipped one."""
    seed, tips = fixture_page("seed_2024"), fixture_page("g3_2025_tips")
    q = "https://ask.39.net/question/{}.html".format
    archive = tmp_path / "mixed.warc"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        capture(writer, q(1), tips.body, day=1)  # older capture of 1: loses
        capture(writer, q(1), seed.body, day=2)
        capture(writer, q(2), day=2, status="302 Found", headers=[("Location", q(2) + "?from=x")])
        capture(writer, q(2) + "?from=x", tips.body, day=2)
        capture(writer, q(3), day=2, status="301 Moved", headers=[("Location", q(1))])
        verify = "https://image.39.net/verify.html?referer=x"
        capture(writer, q(4), day=2, status="302 Found", headers=[("Location", verify)])
        capture(writer, q(5), b"gone", day=2, status="404 Not Found")
    crawled = crawl(tmp_path / "crawl", archive, "-a", "question=1,2,3,4,5", run_id="c")
    assert crawled.returncode == 0, crawled.log[-2000:]
    assert extract(tmp_path / "ours", str(archive), "--jobs", "2") == 0
    for stem in STEMS:
        assert comparable(tmp_path / "ours", stem) == comparable(crawled.folder, stem)
    rejects = {r["url"]: r for r in map(json.loads, comparable(tmp_path / "ours", "rejects"))}
    assert {url: r["reason"] for url, r in rejects.items()} == {
        q(3): "redirected",
        q(4): "challenge",
        q(5): "http_404",
    }
    questions = [json.loads(x) for x in comparable(tmp_path / "ours", "questions")]
    questions.sort(key=lambda x: x["url"])
    assert [x["url"] for x in questions] == [q(1), q(2)]
    assert (
        questions[0]["title"]
        == json.loads((ROOT / "tests/fixtures/ask39/seed_2024.json").read_text(encoding="utf-8"))[
            "items"
        ]["questions"][0]["title"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no/such.warc.gz"], "no WARC file or folder"),
        ([DEMO, "--jobs", "0"], "--jobs takes a positive number"),
        ([DEMO, "--site", "nosuchsite"], "no site 'nosuchsite'"),
    ],
)
def test_mistakes_stop_before_anything_starts(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(ROOT)
    assert extract(tmp_path / "out", *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("medcrawl: ") and message in err
    assert not (tmp_path / "out").exists()


def test_a_folder_holding_a_run_is_not_overwritten(demo_extract, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert extract(demo_extract, DEMO) == 2
    assert "already holds a run's files" in capsys.readouterr().err


def test_dask_cluster_writes_the_local_run(demo_extract, tmp_path, monkeypatch):
    """Two workers of a LocalCluster on 127.0.0.1 (tcp; in this process): the same folder."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.chdir(ROOT)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        assert extract(tmp_path / "dask", DEMO, "--dask", cluster.scheduler_address) == 0
    for stem in STEMS[:-1]:
        assert (tmp_path / "dask" / f"{stem}.jsonl").read_bytes() == (
            demo_extract / f"{stem}.jsonl"
        ).read_bytes()
    assert comparable(tmp_path / "dask", "rejects") == comparable(demo_extract, "rejects")


def test_a_folder_that_cannot_be_written_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    """A storage error (here: the `.part` files' folder is gone) ends the run with one line."""
    from medcrawl.archive import reextract

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(reextract, "part_path", lambda final: tmp_path / "gone" / final.name)
    assert extract(tmp_path / "run", DEMO, "--jobs", "1") == 1
    err = capsys.readouterr().err
    assert "medcrawl: the run folder could not be written: " in err
    assert "Traceback" not in err
