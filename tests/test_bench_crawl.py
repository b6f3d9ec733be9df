"""bench/crawl.py keeps running: a small crawl of nginx's site, floor and medcrawl, every page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench import crawl


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists() and not os.getenv("CI"),
    reason="needs nginx (.ci/run installs it; in CI this test always runs)",
)
def test_the_crawl_benchmark_crawls_every_page_and_reports(capsys):
    crawl.main(["--pages", "60", "--rss-pages", "0"])  # the exit status is the target, not run
    out = capsys.readouterr().out
    assert "medcrawl / floor: " in out
    rows = {r[0]: r for r in map(str.split, out.splitlines()) if len(r) == 7}
    floor, ours = rows["floor"], rows["medcrawl"]
    assert floor[1] == ours[1] == "72"  # robots.txt, the index, 10 lists, 60 questions
    assert ours[2] == "60"
    assert "replay / replay floor: " in out
    replays = {" ".join(r[:2]): r[2:] for r in map(str.split, out.splitlines()) if len(r) == 8}
    assert replays["replay floor"][0] == replays["medcrawl replay"][0] == "71"  # no robots.txt
    assert replays["medcrawl replay"][1] == "60"
