"""Every field of every item kind of every fixture page is its own test."""

from __future__ import annotations

import pytest

from medcrawl.contract import items
from medcrawl.contract.items import OUTPUT_FILES
from tests.conftest import PAGE_CLASSES, fixture_names, load_expected

KINDS = {stem: cls for cls, stem in OUTPUT_FILES.items() if cls is not items.Reject}


def _cases():
    for site in PAGE_CLASSES:
        for name in fixture_names(site):
            expected = load_expected(site, name)["items"]
            for stem, cls in KINDS.items():
                yield pytest.param(site, name, stem, None, id=f"{name}-{stem}-count")
                if expected.get(stem):
                    for field in cls.__dataclass_fields__:
                        if field == "schema_version":  # not a page value: see test_schemas
                            continue
                        yield pytest.param(site, name, stem, field, id=f"{name}-{stem}-{field}")


@pytest.mark.parametrize(("site", "name", "stem", "field"), list(_cases()))
def test_field(extracted, site, name, stem, field):
    expected = load_expected(site, name)["items"].get(stem, [])
    got = extracted(site, name).get(stem, [])
    if field is None:
        assert len(got) == len(expected), [item.get("id") for item in got]
    else:
        assert [item.get(field) for item in got] == [item.get(field) for item in expected]
