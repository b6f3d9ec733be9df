"""Item loaders: every field's cleaning lives here, shared by all sites.

Input processors clean each extracted string (widths, spaces, zero-width characters, UI
words); output processors shape the field (first value, list, joined text, parsed date).
Dates are parsed against the crawl time passed as loader context: `Loader(now=datetime)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any, ClassVar

from itemadapter import ItemAdapter
from itemloaders.processors import Compose, Identity, Join, MapCompose, TakeFirst
from itemloaders.utils import arg_to_iter, get_func_args
from scrapy.loader import ItemLoader

from medcrawl.contract import items
from medcrawl.extract.dates import parse_date
from medcrawl.extract.medical import parse_age
from medcrawl.extract.text import (
    MAX_LABEL_CHARS,
    UI_WORDS,
    clean,
    clean_inline,
    drop_ui_word,
    split_list,
)


def dedupe_consecutive(values: Iterable[Any]) -> list[Any]:
    """`[a, a, b, a]` → `[a, b, a]`: breadcrumbs repeat a crumb when a page sits at two levels."""
    out: list[Any] = []
    for value in values:
        if not out or out[-1] != value:
            out.append(value)
    return out


def clean_values(values: Iterable[Any]) -> list[Any]:
    """Default input processor: clean every string, drop empty ones and lone UI words.

    Numbers and other values pass through. A plain function rather than
    `MapCompose(clean, drop_ui_word)` over the strings: same result, but
    MapCompose rebuilds its context and re-wraps its functions on every call, and this runs
    for nearly every value of every item.
    """
    out = []
    for value in values:
        if isinstance(value, str):
            value = clean(value)
            if value and value not in UI_WORDS:  # `drop_ui_word`, inlined: the hottest loop
                out.append(value)
        elif value is not None:
            out.append(value)
    return out


def join_lines(values: Iterable[str]) -> str | None:
    """Output processor: the values as lines of one text; None when there are none (the
    contract has no empty strings)."""
    return "\n".join(values) or None


def unique(values: Iterable[Any]) -> list[Any]:
    """Keep the first of each value, in order."""
    return list(dict.fromkeys(values))


def to_iso_date(value: str | None, loader_context: dict) -> str | None:
    """Output processor: the raw date, parsed relative to the crawl time (`now` in context)."""
    return parse_date(value, loader_context["now"]) if value else None


def strip_label(value: str) -> str:
    """`擅长:全科` → `全科`; text without a `label:` stays."""
    head, sep, tail = value.partition(":") if ":" in value else value.partition("：")
    return tail.strip() if sep and len(head) <= MAX_LABEL_CHARS else value


_ETC = re.compile(r"(?:等等?)?[。．.…；;]*$")


def strip_etc(value: str) -> str | None:
    """`运动损伤等` → `运动损伤`: the `等` (and the full stop) that closes a list of names is
    not part of its last name; None when nothing is left."""
    return _ETC.sub("", value).strip() or None


#: A processor made ready to run: `(values, loader context) -> result`.
Runner = Callable[[Any, Mapping[str, Any]], Any]


def as_list(value: Any) -> Any:
    """itemloaders' `arg_to_iter` with the common cases first: None → `[]`, a list as is, a
    string → `[string]` (arg_to_iter tests a string's class twice before wrapping it)."""
    cls = value.__class__
    if cls is list:
        return value
    if cls is str:
        return [value]
    return arg_to_iter(value)


def _take_first(values: Iterable[Any], context: Mapping[str, Any]) -> Any:
    """TakeFirst: the first value that is not None or `""`."""
    for value in values:
        if value is not None and value != "":
            return value
    return None


def _takes_context(function: Callable[..., Any]) -> bool:
    try:
        return "loader_context" in get_func_args(function)
    except TypeError:
        return False


def _step(function: Callable[..., Any]) -> Runner:
    """One function of a MapCompose or Compose, as a runner; processors nest."""
    if isinstance(function, (Identity, TakeFirst, Join, MapCompose, Compose)):
        return runner(function)
    if _takes_context(function):
        return lambda value, context: function(value, loader_context=context)
    return lambda value, context: function(value)


def runner(proc: Callable[..., Any]) -> Runner:
    """`proc` as itemloaders runs it — same results, same None and list flattening
    (`arg_to_iter`) — with its functions resolved once instead of on every call: MapCompose
    and Compose re-wrap their functions and rebuild their context each time they run."""
    if isinstance(proc, Identity):
        return lambda values, context: values
    if isinstance(proc, TakeFirst):
        return _take_first
    if isinstance(proc, Join):
        separator = proc.separator
        return lambda values, context: separator.join(values)
    if isinstance(proc, MapCompose) and not proc.default_loader_context:
        steps = [_step(f) for f in proc.functions]

        def map_compose(value: Any, context: Mapping[str, Any]) -> list[Any]:
            values = as_list(value)
            for step in steps:
                out: list[Any] = []
                for item in values:
                    out += as_list(step(item, context))
                values = out
            return values  # type: ignore[return-value]

        return map_compose
    if isinstance(proc, Compose) and set(proc.default_loader_context) <= {"stop_on_none"}:
        if not proc.stop_on_none:
            return lambda values, context: proc(values, loader_context=context)
        steps = [_step(f) for f in proc.functions]

        def compose(value: Any, context: Mapping[str, Any]) -> Any:
            for step in steps:
                if value is None:
                    break
                value = step(value, context)
            return value

        return compose
    if _takes_context(proc):
        return lambda values, context: proc(values, loader_context=context)
    return lambda values, context: proc(values)


class BaseLoader(ItemLoader):
    """Clean every string, drop lone UI words, keep the first value.

    The lean way to run the declared processors: each loader class resolves a field's input
    and output processors once (`get_input_processor`, `get_output_processor`, so a subclass
    overriding them is still asked) into runners (`runner`); `add_values` adds a whole item's
    values in one call and `load_item` applies the output processors in one pass. What a
    field becomes is what itemloaders makes of the same processors (tests/test_loaders.py).
    Processors are class attributes (never item field metadata).
    """

    default_input_processor = staticmethod(clean_values)
    default_output_processor = TakeFirst()
    _runners: ClassVar[dict[str, tuple[Runner, Runner]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._runners = {}

    def _field_runners(self, field_name: str) -> tuple[Runner, Runner]:
        found = self._runners.get(field_name)
        if found is None:
            found = (
                runner(self.get_input_processor(field_name)),
                runner(self.get_output_processor(field_name)),
            )
            self._runners[field_name] = found
        return found

    def add_values(self, values: Mapping[str, Any]) -> BaseLoader:
        """`add_value(name, value)` for every pair, in one call: the lean path for filling
        a whole item. None values are skipped, as `add_value` skips them."""
        runners, context, collected = self._runners, self.context, self._values
        for field_name, value in values.items():
            if value is None:
                continue
            process = (runners.get(field_name) or self._field_runners(field_name))[0]
            try:
                processed = process(value if value.__class__ is list else as_list(value), context)
            except Exception as e:
                raise ValueError(
                    f"Error with input processor: field={field_name!r} value={value!r} "
                    f"error='{type(e).__name__}: {e!s}'"
                ) from e
            if processed:
                collected.setdefault(field_name, []).extend(as_list(processed))
        return self

    def _add_value(self, field_name: str, value: Any) -> None:
        self.add_values({field_name: value})

    def get_output_value(self, field_name: str) -> Any:
        value = self._values.get(field_name, [])
        process = (self._runners.get(field_name) or self._field_runners(field_name))[1]
        try:
            return process(value, self.context)
        except Exception as e:
            raise ValueError(
                f"Error with output processor: field={field_name!r} value={value!r} "
                f"error='{type(e).__name__}: {e!s}'"
            ) from e

    def load_item(self) -> Any:
        """The item with every collected field through its output processor, in one pass
        (a dataclass item is filled by attribute, without an ItemAdapter)."""
        item = self.item
        names = _dataclass_fields(type(item))
        adapter = None if names else ItemAdapter(item)
        runners, context = self._runners, self.context
        for field_name, collected in tuple(self._values.items()):
            process = (runners.get(field_name) or self._field_runners(field_name))[1]
            try:
                value = process(collected, context)
            except Exception as e:
                raise ValueError(
                    f"Error with output processor: field={field_name!r} value={collected!r} "
                    f"error='{type(e).__name__}: {e!s}'"
                ) from e
            if value is None:
                continue
            if adapter is not None:
                adapter[field_name] = value
            elif field_name in names:
                setattr(item, field_name, value)
            else:
                raise KeyError(f"{type(item).__name__} does not support field: {field_name}")
        return item


@cache
def _dataclass_fields(cls: type) -> frozenset[str]:
    """A dataclass's field names; empty for any other item class."""
    return frozenset(f.name for f in fields(cls)) if is_dataclass(cls) else frozenset()


class QuestionLoader(BaseLoader):
    default_item_class = items.Question
    title_in = MapCompose(clean_inline, drop_ui_word)
    question_out = staticmethod(join_lines)
    patient_age_in = MapCompose(clean, parse_age)
    category_path_in = MapCompose(clean_inline, drop_ui_word)
    category_path_out = Compose(dedupe_consecutive)
    tags_in = MapCompose(clean_inline, drop_ui_word)
    tags_out = Compose(unique)
    asked_at_out = Compose(TakeFirst(), to_iso_date)
    drug_ids_out = Compose(unique)
    recommended_doctor_ids_out = Compose(unique)


class AnswerLoader(BaseLoader):
    default_item_class = items.Answer
    text_out = staticmethod(join_lines)
    tips_out = Identity()
    lists_in = Identity()
    lists_out = Identity()
    drugs_mentioned_out = Identity()
    follow_ups_in = Identity()
    follow_ups_out = Identity()
    answered_at_out = Compose(TakeFirst(), to_iso_date)


class CauseLoader(BaseLoader):
    default_item_class = items.Cause
    drugs_mentioned_out = Identity()


class EncyclopediaLoader(BaseLoader):
    default_item_class = items.Encyclopedia
    name_in = MapCompose(clean_inline, drop_ui_word)
    summary_out = staticmethod(join_lines)
    possible_diseases_in = MapCompose(clean_inline, drop_ui_word, split_list)
    possible_diseases_out = Compose(unique)
    common_checks_in = MapCompose(clean_inline, drop_ui_word, split_list)
    common_checks_out = Compose(unique)
    departments_in = MapCompose(clean_inline, drop_ui_word, split_list)
    departments_out = Compose(unique)


class DrugLoader(BaseLoader):
    default_item_class = items.Drug
    name_in = MapCompose(clean_inline, drop_ui_word)
    indication_out = staticmethod(join_lines)


class DoctorLoader(BaseLoader):
    default_item_class = items.Doctor
    name_in = MapCompose(clean_inline, drop_ui_word)
    specialties_in = MapCompose(clean_inline, strip_label, split_list, strip_etc, drop_ui_word)
    specialties_out = Compose(unique)


class RejectLoader(BaseLoader):
    default_item_class = items.Reject
