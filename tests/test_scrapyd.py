"""scrapyd on a free port of 127.0.0.1 with its own config: `scrapyd-deploy` builds and uploads
medcrawl's egg, `schedule.json` starts an incremental replay crawl with an absolute output
root, `listjobs.json` is polled until the job is done, and its JSONL files are read back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode
from zipfile import ZipFile

import pytest

from medcrawl.sites import sites
from tests.minisite import ROOT, demo_site, write_archive
from tests.servers import free_port

BIN = Path(sys.executable).parent
CONFIG = """[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
poll_interval = 0.2
max_proc = 1
eggs_dir = {home}/eggs
logs_dir = {home}/logs
dbs_dir = {home}/dbs
items_dir =
"""


def call(url: str, **form: str | list[str]) -> dict:
    """A scrapyd API call: GET, or POST when there is a form; the JSON answer."""
    data = urlencode(form, doseq=True).encode() if form else None
    with urllib.request.urlopen(url, data=data, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A running scrapyd: its URL and its folder (eggs, logs)."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(CONFIG.format(port=port, home=home), encoding="utf-8")
    log = (home / "scrapyd.log").open("w")
    server = subprocess.Popen([BIN / "scrapyd"], cwd=home, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:
        try:
            call(url + "daemonstatus.json")
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "scrapyd did not start"
            time.sleep(0.1)
    yield url, home
    server.terminate()
    server.wait(timeout=10)


def wait_finished(url: str, job: str) -> None:
    """Poll `listjobs.json` until scrapyd lists `job` as finished."""
    deadline = time.monotonic() + 60
    while job not in {j["id"] for j in call(url + "listjobs.json?project=medcrawl")["finished"]}:
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.2)


def copy_project(target: Path) -> Path:
    """What scrapyd-deploy packs, away from the working tree (it writes build/ and egg-info)."""
    target.mkdir()
    for name in ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(
        ROOT / "medcrawl", target / "medcrawl", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def test_deploy_and_schedule_a_nightly_run(scrapyd, tmp_path):
    url, home = scrapyd
    project = copy_project(tmp_path / "project")
    deploy = subprocess.run(
        [BIN / "scrapyd-deploy", "env", "--version", "r1"],
        cwd=project,
        env={**os.environ, "SCRAPYD_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deploy.returncode == 0, deploy.stderr
    assert json.loads(deploy.stdout)["spiders"] == len(sites())  # one spider per site

    with ZipFile(home / "eggs" / "medcrawl" / "r1.egg") as egg:
        packed = set(egg.namelist())
        entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
    schema_dir = ROOT / "medcrawl" / "contract" / "schemas"
    schemas = {f"medcrawl/contract/schemas/{p.name}" for p in schema_dir.glob("*.json")}
    assert schemas and schemas <= packed
    assert "medcrawl/settings.py" in packed
    assert "settings = medcrawl.settings" in entry_points

    pages, by_category = demo_site()
    archive = write_archive(pages, tmp_path / "site.warc.gz")
    out = tmp_path / "output"
    job = call(
        url + "schedule.json",
        project="medcrawl",
        spider="ask39",
        replay=str(archive),
        incremental="1",
        run_id="nightly",
        setting=[f"MEDCRAWL_OUTPUT_DIR={out}", f"MEDCRAWL_STATE_DIR={tmp_path / 'state'}"],
    )["jobid"]
    wait_finished(url, job)

    log = (home / "logs" / "medcrawl" / "ask39" / f"{job}.log").read_text(encoding="utf-8")
    assert "Spider closed (finished)" in log and "ERROR" not in log
    run = out / "ask39" / "nightly"
    lines = (run / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    ids = {json.loads(line)["id"] for line in lines}
    assert ids == {f"ask39:{n}" for numbers in by_category.values() for n in numbers}
    assert (tmp_path / "state" / "ask39.sqlite").exists()  # incremental=1 reached the spider

    # A run that fails its checks: its crawl exits 3, which scrapyd lists as `finished` all the
    # same; its own log says `Process died: exitstatus=3`, and `medcrawl runs` says FAILED.
    failing = call(
        url + "schedule.json",
        project="medcrawl",
        spider="ask39",
        replay=str(archive),
        run_id="failing",
        setting=[f"MEDCRAWL_OUTPUT_DIR={out}", "MEDCRAWL_MIN_ITEMS=100000"],
    )["jobid"]
    wait_finished(url, failing)
    daemon_log = (home / "scrapyd.log").read_text(encoding="utf-8")
    assert f"Process died: exitstatus=3 project='medcrawl' spider='ask39' job='{failing}'" in (
        daemon_log
    )
    runs = subprocess.run(
        [BIN / "medcrawl", "runs", str(out)], capture_output=True, text=True, timeout=60
    )
    assert runs.returncode == 1
    assert runs.stdout.splitlines()[0].split()[:2] == ["ask39", "failing"]
    assert "FAILED" in runs.stdout and "Output/enough items" in runs.stdout
