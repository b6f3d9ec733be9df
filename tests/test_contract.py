"""The JSON Schemas are the output contract: they match the item classes, accept every
fixture's items, enforce formats, enums and id patterns, and the README documents them."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import fields
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from medcrawl.contract.items import OUTPUT_FILES, SCHEMA_VERSION
from medcrawl.contract.schema import (
    SCHEMA_DIR,
    STEMS,
    field_tables,
    load_schema,
    record_errors,
    schema_errors,
)
from tests.conftest import fixture_names

ROOT = Path(__file__).resolve().parent.parent
CLASSES = {stem: cls for cls, stem in OUTPUT_FILES.items()}


@pytest.mark.parametrize("stem", STEMS)
def test_schema_is_valid_2020_12_and_matches_its_item_class(stem):
    schema = load_schema(stem)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    names = [f.name for f in fields(CLASSES[stem])]
    assert list(schema["properties"]) == names, "schema and items.py list different fields"
    assert schema["required"] == names
    assert schema["additionalProperties"] is False
    assert schema["properties"]["schema_version"] == {
        "const": SCHEMA_VERSION,
        "description": "version of this schema the record follows (SemVer)",
    }


def test_schemas_ship_as_package_data():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["medcrawl.contract"]
    shipped = {
        p.name
        for p in SCHEMA_DIR.iterdir()
        if any(fnmatch.fnmatch(f"schemas/{p.name}", g) for g in globs)
    }
    assert shipped == {f"{stem}.schema.json" for stem in STEMS}


@pytest.mark.parametrize("name", fixture_names("ask39"))
def test_every_fixture_item_is_valid(extracted, name):
    for stem, records in extracted("ask39", name).items():
        for record in records:
            assert record_errors(stem, record) == [], (stem, record.get("id"))


def seed(extracted, stem: str) -> dict:
    return dict(extracted("ask39", "seed_2024")[stem][0])


BROKEN = [
    # (kind, field, bad value, expected message fragment)
    ("answers", "position", "1", "'1' is not of type 'integer'"),
    ("answers", "answered_at", "2024-02-24 20:54", "is not date-time or date or null"),
    ("answers", "answered_at", "2024-02-24T20:54:00", "is not date-time or date or null"),
    ("answers", "id", "ask39:91201364/answer-1", "does not match"),
    ("answers", "follow_ups", [{"role": "patient"}], "'text' is a required property"),
    ("questions", "url", "not a url", "is not a 'uri'"),
    ("questions", "crawled_at", "2026-11-20", "is not a 'date-time'"),
    ("questions", "patient_age", -3, "is less than the minimum of 0"),
    ("questions", "drug_ids", ["巴氯芬片"], "does not match"),
    ("doctors", "title_rank", "professor", "is not one of"),
    ("doctors", "id", "ask39:doctor:袁余", "does not match"),
    ("causes", "drugs_mentioned", "布洛芬", "is not of type 'array'"),
    ("questions", "schema_version", "0.9.0", "'1.2.0' was expected"),
]


@pytest.mark.parametrize(("stem", "field", "value", "message"), BROKEN)
def test_a_wrong_value_is_an_error_at_its_field(extracted, stem, field, value, message):
    record = seed(extracted, stem)
    record[field] = value
    errors = record_errors(stem, record)
    assert [e["path"].split("/")[0] for e in errors] == [field]
    assert message in errors[0]["message"]


def test_a_missing_or_unknown_field_is_an_error(extracted):
    record = seed(extracted, "causes")
    del record["text"]
    record["score"] = 1
    messages = [e["message"] for e in record_errors("causes", record)]
    assert "'text' is a required property" in messages
    assert any("'score' was unexpected" in m for m in messages)


def test_a_date_without_a_time_is_valid(extracted):
    record = seed(extracted, "questions")
    record["asked_at"] = "2024-02-24"
    assert record_errors("questions", record) == []


def test_readme_field_tables_are_the_schemas():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- fields:begin[^>]*-->\n(.*?)\n<!-- fields:end -->", readme, re.S)
    assert m, "README lacks the <!-- fields:begin --> … <!-- fields:end --> markers"
    assert m.group(1).strip() == field_tables(), (
        "README field tables differ from the schemas: paste `python -m medcrawl.contract.schema`"
    )


PROBES = [
    None,
    "",
    0,
    -1,
    1.5,
    True,
    "x",
    "ask39:1",
    "ask39:doctor:h0123456789ab",
    [],
    [None],
    [1],
    ["x"],
    [{"role": "patient", "text": "x"}],
    {},
    "2024-02-24",
    "2024-02-24T20:54:00+08:00",
    "2024-02-24T20:54:00",
    "2024-13-01",
    "http://a.b/c",
    "not a url",
    "chief",
]


def test_the_compiled_check_agrees_with_jsonschema(extracted):
    """record_errors() trusts a compiled check (fastjsonschema) for valid records: on every
    fixture record, and on one record per kind with every field set to each probe value, it
    must pass exactly what jsonschema passes and report jsonschema's errors otherwise."""
    records = {}
    for name in fixture_names("ask39"):
        for stem, found in extracted("ask39", name).items():
            for record in found:
                assert record_errors(stem, record) == schema_errors(stem, record) == []
                records.setdefault(stem, record)
    records["rejects"] = {
        "url": "https://ask.39.net/question/1.html",
        "reason": "invalid",
        "detail": "x",
        "at": "2026-11-20T08:00:00+00:00",
        "item_kind": "answers",
        "schema_version": "1.2.0",
        "errors": [{"path": "id", "message": "bad"}],
        "record": {"id": None},
    }
    checked = 0
    for stem, record in records.items():
        variants = [{k: v for k, v in record.items() if k != name} for name in record]
        variants += [{**record, "extra": 1}]
        variants += [{**record, name: probe} for name in record for probe in PROBES]
        for variant in variants:
            assert record_errors(stem, variant) == schema_errors(stem, variant), (stem, variant)
            checked += 1
    assert checked > 1500
