"""bench/extract.py keeps running: a small archive, floor, parse bench, jobs 1 and 2."""

from __future__ import annotations

from bench import extract


def test_the_extract_benchmark_runs_and_reports(capsys):
    extract.main(["--pages", "40", "--rss-pages", "0"])  # the exit status is the target
    out = capsys.readouterr().out
    rows = {r[0] + r[1]: r for r in map(str.split, out.splitlines()) if len(r) >= 4}
    assert {"lxmlfloor", "parsebench", "jobs1", "jobs2"} <= rows.keys()
    assert "jobs 2 / jobs 1 speed (wall):" in out
    assert "jobs 1 / parse bench, CPU a page:" in out
