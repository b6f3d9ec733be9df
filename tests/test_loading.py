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


def test_what_read_json_auto_infers_is_what_the_readme_says(contract_run):
    """README "Loading the output", Types: dates mixed with date-times stay VARCHAR."""
    duckdb = pytest.importorskip("duckdb")

    def types(stem: str) -> dict[str, str]:
        path = contract_run.folder / f"{stem}.jsonl"
        with duckdb.connect() as db:
            rows = db.execute(f"DESCRIBE SELECT * FROM read_json_auto('{path}')").fetchall()
        return {row[0]: row[1] for row in rows}

    questions, answers = types("questions"), types("answers")
    assert questions["crawled_at"] == "TIMESTAMP WITH TIME ZONE"
    assert questions["patient_age"] == "BIGINT"
    assert questions["tags"] == "VARCHAR[]"
    assert questions["asked_at"] == answers["answered_at"] == "VARCHAR"
    assert answers["follow_ups"] == 'STRUCT("role" VARCHAR, "text" VARCHAR)[]'
    assert answers["accepted"] == '"NULL"'  # ask39 marks no accepted answer
    assert types("rejects")["at"] == "TIMESTAMP WITH TIME ZONE"
    dates = {a["answered_at"] for a in contract_run.jsonl("answers") if a["answered_at"]}
    assert {len(d) for d in dates} == {10, 25}  # why: bare dates beside date-times
