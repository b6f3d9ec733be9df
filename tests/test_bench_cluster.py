"""bench/cluster.py keeps running: one small round of 1 and 2 workers, a report with the ratio."""

from __future__ import annotations

import shutil

import pytest

from bench import cluster


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_the_cluster_benchmark_runs_and_reports_the_ratio(capsys):
    assert cluster.main(["--questions", "60", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "64 pages, " in out  # the index, 3 lists, 60 questions: every page was crawled
    assert "2 workers / 1 worker: " in out and "min–max" in out
