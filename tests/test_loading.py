"""The README's loading snippets, run as written on the demo crawl's folder: DuckDB joins
questions–answers–causes–doctors, pandas reads the files, and both find the seed page's five
causes, in order, with the answering doctor's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.runs import contract_run

__all__ = ["contract_run"]

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = "output/ask39/<run id>"
SEED_QUESTION = "ask39:91201364"
SEED_CAUSES = ["神经受压", "面神经炎", "外伤", "感染", "代谢紊乱"]


def snippet(language: str) -> str:
    """The README's `language` code block under "Loading the output"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Loading the output", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    return block


def test_the_duckdb_join(contract_run):
    duckdb = pytest.importorskip("duckdb")
    sql = snippet("sql").replace(PLACEHOLDER, str(contract_run.folder))
    with duckdb.connect() as db:
        result = db.execute(sql)
        columns = [d[0] for d in result.description]
        rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    seed = [r for r in rows if r["question_id"] == SEED_QUESTION]
    assert [r["cause"] for r in seed] == SEED_CAUSES
    assert {r["doctor"] for r in seed} == {"袁余"}
    assert seed[0]["title"] == "引起面部肌肉痉挛的原因"
    assert seed[0]["drugs_mentioned"] == ["布洛芬"]
    assert len(rows) == len(contract_run.jsonl("causes"))


def test_the_pandas_snippet(contract_run):
    pytest.importorskip("pandas")
    code = snippet("python").replace(PLACEHOLDER, str(contract_run.folder))
    scope: dict = {}
    exec(code, scope)
    table = scope["table"]
    seed = table[table["question_id"] == SEED_QUESTION]
    assert list(seed["cause"]) == SEED_CAUSES
    assert set(seed["doctor"]) == {"袁余"}
    assert len(table) == len(contract_run.jsonl("causes"))
