"""bench/parse.py keeps running: one round over the fixture pages, every method, a report."""

from __future__ import annotations

from bench import parse


def test_the_parse_benchmark_runs_and_reports_ratios(capsys):
    pages = parse.fixture_pages()
    assert {p.name for p in pages} >= {"ask39/seed_2024", "120ask/accepted_2019_fever"}
    parse.main(["--repeat", "1"])
    out = capsys.readouterr().out
    assert "ask39/seed_2024" in out
    assert "mean ms/page, 120ask" in out and "mean ms/page, ask39" in out  # per site
    assert "medcrawl / lxml floor:" in out
    assert "trafilatura" in out  # a ratio, or how to install the bench extra


def test_the_measured_path_yields_the_seed_items():
    """What is timed is the whole callback: every item of the page, not a shortcut."""
    seed = next(p for p in parse.fixture_pages() if p.name == "ask39/seed_2024")
    kinds = [type(item).__name__ for item in parse.medcrawl(seed)]
    assert kinds.count("Question") == 1
    assert kinds.count("Cause") == 5
    assert kinds.count("Drug") == 4
