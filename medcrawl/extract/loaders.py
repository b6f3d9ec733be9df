"""Item loaders: every field's cleaning lives here, shared by all sites.

Input processors clean each extracted string (widths, spaces, zero-width characters, UI
words); output processors shape the field (first value, list, joined text, parsed date).
Dates are parsed against the crawl time passed as loader context: `Loader(now=datetime)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from itemloaders.processors import Compose, Identity, Join, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from medcrawl.contract import items
from medcrawl.extract.dates import parse_date
from medcrawl.extract.medical import parse_age
from medcrawl.extract.text import MAX_LABEL_CHARS, clean, clean_inline, drop_ui_word, split_list


def dedupe_consecutive(values: Iterable[Any]) -> list[Any]:
    """`[a, a, b, a]` → `[a, b, a]`: breadcrumbs repeat a crumb when a page sits at two levels."""
    out: list[Any] = []
    for value in values:
        if not out or out[-1] != value:
            out.append(value)
    return out


def clean_value(value: Any) -> Any:
    """Clean strings; numbers and other values pass through."""
    return clean(value) if isinstance(value, str) else value


def clean_values(values: Iterable[Any]) -> list[Any]:
    """Default input processor: clean every string, drop empty ones and lone UI words.

    A plain function rather than `MapCompose(clean_value, drop_ui_word)`: same result, but
    MapCompose rebuilds its context and re-wraps its functions on every call, and this runs
    for nearly every value of every item.
    """
    out = []
    for value in values:
        value = clean_value(value)
        if value is not None and value != "" and drop_ui_word(value) is not None:
            out.append(value)
    return out


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


class BaseLoader(ItemLoader):
    """Clean every string, drop lone UI words, keep the first value.

    Processors are class attributes here (never item field metadata), so each loader class
    looks a field's processors up once; itemloaders would build an ItemAdapter per value.
    """

    default_input_processor = staticmethod(clean_values)
    default_output_processor = TakeFirst()
    _processors: ClassVar[dict[tuple[str, str], Callable[..., Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._processors = {}

    def get_input_processor(self, field_name: str) -> Callable[..., Any]:
        key = (field_name, "in")
        if key not in self._processors:
            self._processors[key] = super().get_input_processor(field_name)
        return self._processors[key]

    def get_output_processor(self, field_name: str) -> Callable[..., Any]:
        key = (field_name, "out")
        if key not in self._processors:
            self._processors[key] = super().get_output_processor(field_name)
        return self._processors[key]


class QuestionLoader(BaseLoader):
    default_item_class = items.Question
    title_in = MapCompose(clean_inline, drop_ui_word)
    question_out = Join("\n")
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
    text_out = Join("\n")
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
    summary_out = Join("\n")
    possible_diseases_in = MapCompose(clean_inline, drop_ui_word, split_list)
    possible_diseases_out = Compose(unique)
    common_checks_in = MapCompose(clean_inline, drop_ui_word, split_list)
    common_checks_out = Compose(unique)
    departments_in = MapCompose(clean_inline, drop_ui_word, split_list)
    departments_out = Compose(unique)


class DrugLoader(BaseLoader):
    default_item_class = items.Drug
    name_in = MapCompose(clean_inline, drop_ui_word)
    indication_out = Join("\n")


class DoctorLoader(BaseLoader):
    default_item_class = items.Doctor
    name_in = MapCompose(clean_inline, drop_ui_word)
    specialties_in = MapCompose(clean_inline, strip_label, split_list, strip_etc, drop_ui_word)
    specialties_out = Compose(unique)


class RejectLoader(BaseLoader):
    default_item_class = items.Reject
