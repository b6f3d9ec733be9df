"""The output contract: one JSON Schema (draft 2020-12) per output file, in `medcrawl/schemas/`.

`record_errors()` validates a record with formats enforced (dates, URLs); `field_tables()`
renders the README's field tables from the schemas (`python -m medcrawl.contract.schema` prints
them), so the docs cannot drift from the contract.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, partial
from importlib.resources import files
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from medcrawl.contract.items import OUTPUT_FILES

# Read as package resources: scrapyd runs medcrawl from a zipped egg, where `__file__` is no path.
SCHEMA_DIR = files("medcrawl.contract") / "schemas"
#: Output file stems in the order the README documents them.
STEMS: tuple[str, ...] = tuple(OUTPUT_FILES.values())


@cache
def load_schema(stem: str) -> dict[str, Any]:
    """The schema of `<stem>.jsonl` (`questions`, `answers`, … `rejects`)."""
    return json.loads((SCHEMA_DIR / f"{stem}.schema.json").read_text(encoding="utf-8"))


@cache
def validator(stem: str) -> Draft202012Validator:
    """A validator for `stem` that enforces `format` (date-time, date, uri)."""
    schema = load_schema(stem)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


@cache
def fast_check(stem: str) -> Callable[[dict[str, Any]], Any]:
    """The schema of `stem` compiled to Python (fastjsonschema, ~15× faster than jsonschema),
    with jsonschema's own format checkers: raises at the first error, says nothing of the rest.
    tests/test_contract.py checks that it passes exactly what `schema_errors` passes."""
    checker = FormatChecker()
    formats = {name: partial(checker.conforms, format=name) for name in checker.checkers}
    return fastjsonschema.compile(load_schema(stem), formats=formats)


def record_errors(stem: str, record: dict[str, Any]) -> list[dict[str, str]]:
    """Every validation error of `record` as `{path, message}`, in field order; [] if valid.
    A valid record (the common case) costs only the compiled check."""
    try:
        fast_check(stem)(record)
    except fastjsonschema.JsonSchemaException:
        return schema_errors(stem, record)
    return []


def schema_errors(stem: str, record: dict[str, Any]) -> list[dict[str, str]]:
    """Every validation error of `record` by jsonschema itself (the reference), sorted."""
    found = [
        {"path": "/".join(str(part) for part in error.absolute_path), "message": _message(error)}
        for error in validator(stem).iter_errors(record)
    ]
    return sorted(found, key=lambda e: (e["path"], e["message"]))


def _message(error: ValidationError) -> str:
    """jsonschema's message, but say what was expected where it only says `anyOf` failed."""
    if error.validator == "anyOf":
        return f"{error.instance!r} is not {_type_of(error.schema)}"
    return error.message


# --- the README's field tables ------------------------------------------------------------


def _type_of(prop: dict[str, Any]) -> str:
    """A short reader-facing type: `string`, `integer or null`, `list of string`, `URL` …"""
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        values = [f"`{v}`" for v in prop["enum"] if v is not None]
        return " ".join(values) + (" or null" if None in prop["enum"] else "")
    if "anyOf" in prop:
        names = [_type_of(option) for option in prop["anyOf"]]
        return " or ".join(sorted(names, key=lambda name: name == "null"))
    types = prop.get("type", "any")
    types = types if isinstance(types, list) else [types]
    names = []
    for name in types:
        if name == "string" and "format" in prop:
            names.append({"uri": "URL"}.get(prop["format"], prop["format"]))
        elif name == "array":
            items = prop.get("items", {})
            names.append(f"list of {'objects' if items.get('type') == 'object' else 'string'}")
        else:
            names.append(name)
    return " or ".join(names)


def field_table(stem: str) -> str:
    """The markdown table of one output file's fields, from its schema."""
    schema = load_schema(stem)
    rows = ["| field | type | what |", "|---|---|---|"]
    for name, prop in schema["properties"].items():
        what = prop.get("description", "").replace("|", "\\|")
        rows.append(f"| `{name}` | {_type_of(prop)} | {what} |")
    return "\n".join(rows)


def field_tables() -> str:
    """Every output file's field table, as the README's Fields section holds them."""
    parts = []
    for stem in STEMS:
        schema = load_schema(stem)
        parts.append(f"**{stem}** — {schema['description']}\n\n{field_table(stem)}")
    return "\n\n".join(parts)


if __name__ == "__main__":
    print(field_tables())
