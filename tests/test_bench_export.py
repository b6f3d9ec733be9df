"""bench/export.py keeps running, and finds the duplicates it plants."""

from __future__ import annotations

import re

from bench import export


def test_the_export_benchmark_runs_and_finds_its_planted_duplicates(capsys):
    assert export.main(["--records", "1500"]) == 0
    out = capsys.readouterr().out
    for method in ("JSONL read+write", "export, dedupe off", "export, dedupe on"):
        assert re.search(rf"^{re.escape(method)} +[\d,]+ answers/s", out, re.M), method
    assert "dedupe on vs off:" in out
    found = re.search(
        r"found (\d+) exact and (\d+) near duplicates \(planted (\d+) and (\d+)\)", out
    )
    exact, near, planted_exact, planted_near = map(int, found.groups())
    # Two near copies made the same way are exact copies of each other: the total is what counts.
    assert 0.9 * (planted_exact + planted_near) <= exact + near <= planted_exact + planted_near
    assert exact >= planted_exact
