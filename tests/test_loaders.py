"""The lean loader path runs the declared processors exactly as itemloaders runs them."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itemloaders.common import wrap_loader_context
from itemloaders.processors import Compose, Join, MapCompose, TakeFirst

from medcrawl.extract import loaders
from medcrawl.extract.loaders import BaseLoader, runner

NOW = datetime(2024, 3, 20, 2, 0, tzinfo=timezone.utc)
LOADERS = [
    cls
    for cls in vars(loaders).values()
    if isinstance(cls, type) and issubclass(cls, BaseLoader) and cls is not BaseLoader
]
texts = st.one_of(
    st.none(),
    st.text(alphabet=" \u3000\xa0\n　举报提问abc１２头痛、，30岁2024-02-24 20:54:", max_size=12),
    st.sampled_from(["举报", "", " ", "30岁", "2024-02-24 20:54", "昨天 16:05", "擅长:全科、儿科"]),
)


def slow(loader: BaseLoader, proc, values):
    return wrap_loader_context(proc, loader.context)(values)


@pytest.mark.parametrize("cls", LOADERS, ids=lambda c: c.__name__)
@settings(deadline=None, max_examples=40, derandomize=True)
@given(values=st.lists(texts, max_size=4))
def test_every_field_as_itemloaders_runs_it(cls, values):
    loader = cls(now=NOW)
    for field in fields(cls.default_item_class):
        in_proc = loader.get_input_processor(field.name)
        out_proc = loader.get_output_processor(field.name)
        expected_in = slow(loader, in_proc, values)
        assert runner(in_proc)(values, loader.context) == expected_in
        collected = [v for v in expected_in if v is not None]
        expected_out = slow(loader, out_proc, collected)
        assert runner(out_proc)(collected, loader.context) == expected_out


def test_add_values_is_add_value_for_each():
    values = {"name": " 孙伟 ", "title": None, "specialties": ["擅长:头痛、失眠"]}
    by_one = loaders.DoctorLoader(now=NOW)
    for name, value in values.items():
        by_one.add_value(name, value)
    in_bulk = loaders.DoctorLoader(now=NOW)
    in_bulk.add_values(values)
    assert in_bulk.load_item() == by_one.load_item()
    assert in_bulk.load_item().specialties == ["头痛", "失眠"]


def test_nested_and_context_processors():
    def with_context(value, loader_context):
        return f"{value}@{loader_context['now'].year}"

    proc = Compose(TakeFirst(), MapCompose(str.upper, with_context), Join("|"))
    loader = loaders.QuestionLoader(now=NOW)
    assert runner(proc)(["", "a", "b"], loader.context) == slow(loader, proc, ["", "a", "b"])
    assert runner(proc)(["", "a"], loader.context) == "A@2024"


def test_an_unknown_field_is_an_error_as_with_itemadapter():
    with pytest.raises(KeyError):
        loaders.DrugLoader(now=NOW).add_value("no_such_field", "x")
