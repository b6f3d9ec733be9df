"""End-to-end crawls for the output-contract tests: a WARC built from fixture pages, replayed by
`scrapy crawl` in a subprocess (a fresh reactor, and the real command's exit status)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from medcrawl.archive.warc import write_capture
from tests.conftest import FIXTURES, load_expected

ROOT = Path(__file__).resolve().parent.parent
SEED_URL = load_expected("ask39", "seed_2024")["url"]


@dataclass
class Page:
    url: str
    body: bytes
    date: datetime
    headers: list[tuple[str, str]]


def fixture_page(name: str) -> Page:
    """A fixture page as served: URL, raw bytes, fetch time, headers (its own Content-Type)."""
    meta = load_expected("ask39", name)
    body = (FIXTURES / "ask39" / f"{name}.html").read_bytes()
    headers = {"Content-Type": "text/html", **meta.get("headers", {})}
    return Page(meta["url"], body, datetime.fromisoformat(meta["fetched_at"]), [*headers.items()])


def write_warc(path: Path, pages: list[Page]) -> Path:
    """A gzipped WARC holding each page as a 200 capture."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for page in pages:
            write_capture(writer, page.url, page.body, date=page.date, headers=page.headers)
    return path


@dataclass
class Run:
    """A finished crawl: its exit status, log and run folder."""

    returncode: int
    log: str
    folder: Path

    def jsonl(self, stem: str) -> list[dict]:
        text = (self.folder / f"{stem}.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines()]

    @property
    def manifest(self) -> dict:
        return json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))


def crawl(
    out: Path,
    replay: Path,
    *args: str,
    run_id: str = "test",
    command: tuple[str, ...] = ("crawl", "ask39"),
    spider: str = "ask39",
    related: bool = False,
) -> Run:
    """`scrapy crawl ask39 -a replay=…` writing under `out`. Related-question links are not
    followed unless `related`, so the run holds exactly the pages asked for."""
    cmd = [sys.executable, "-m", "scrapy", *command, "-a", f"replay={replay}"]
    cmd += [] if related else ["-a", "related=0"]
    cmd += ["-a", f"run_id={run_id}", "-s", f"MEDCRAWL_OUTPUT_DIR={out}"]
    cmd += list(args)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    return Run(done.returncode, done.stderr, out / spider / run_id)


_done: dict[str, Run] = {}


def once(key: str, make) -> Run:
    """`make()` the first time `key` is asked for in this test session, then the same Run (a
    session fixture imported into several modules would otherwise run once per module)."""
    if key not in _done:
        _done[key] = make()
    return _done[key]


DEMO = "demo/ask39-demo.warc.gz"  # as the README writes it, relative to the checkout


@pytest.fixture(scope="session")
def contract_run(tmp_path_factory) -> Run:
    """The README's demo crawl (index → lists → questions, every fixture page among them): the
    run the contract, report and loading tests share."""
    out = tmp_path_factory.mktemp("contract")
    return once("demo", lambda: crawl(out, Path(DEMO), run_id="demo", related=True))
