"""Spider arguments (`-a NAME=VALUE`), declared once: name, parser, help.

A spider lists its `Argument`s in `declared_arguments`; `parse_arguments` is the one check of
what an operator gave — run by `scrapy crawl` before anything starts (so a mistake is one
`medcrawl: …` line and exit 2) and again by the spider's `__init__` (for any other runner) —
and the same declarations make `scrapy crawl -h`'s list of spider arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

#: Parses a raw value for a spider class; raises ValueError saying what it takes.
Parser = Callable[[Any, str], Any]

#: A run id is a plain name: it becomes a folder under the output root, never a path.
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class ArgumentError(ValueError):
    """An argument an operator gave that the spider does not take; the message is one line."""


@dataclass(frozen=True)
class Argument:
    """One spider argument. `parse(spider_class, raw)` makes its value (ValueError: why not);
    the value is set on the spider as `attr` (default: the name)."""

    name: str
    help: str
    parse: Parser
    metavar: str = "VALUE"
    attr: str | None = None

    @property
    def attribute(self) -> str:
        return self.attr or self.name


def parse_arguments(
    declared: Iterable[Argument], given: dict[str, Any], spider_class: Any
) -> dict[str, Any]:
    """Every declared argument's value (None when not given), or ArgumentError naming the
    first one that is wrong. Names starting with `_` are a runner's own (scrapyd's `_job`)."""
    by_name = {arg.name: arg for arg in declared}
    unknown = sorted(name for name in given if name not in by_name and not name.startswith("_"))
    if unknown:
        raise ArgumentError(
            f"unknown argument -a {unknown[0]}=; {spider_class.name} takes: "
            + ", ".join(sorted(by_name))
        )
    values: dict[str, Any] = dict.fromkeys(by_name)
    for name, raw in given.items():
        if name in by_name and raw is not None:
            try:
                values[name] = by_name[name].parse(spider_class, str(raw))
            except ValueError as why:
                raise ArgumentError(f"-a {name}={shown(str(raw))}: {why}") from None
    return values


def shown(value: str, limit: int = 60) -> str:
    """A value as an error message quotes it: cut to `limit` characters."""
    return value if len(value) <= limit else f"{value[:limit]}… ({len(value)} characters)"


def usage(declared: Iterable[Argument], indent: str = "  ") -> str:
    """The arguments as help lines: `name=METAVAR  help`."""
    rows = [(f"{arg.name}={arg.metavar}", arg.help) for arg in declared]
    width = max((len(left) for left, _ in rows), default=0) + 2
    return "\n".join(f"{indent}{left:<{width}}{text}" for left, text in rows)


# --- parsers --------------------------------------------------------------------------------


def split_arg(value: str | None) -> list[str]:
    """`a, b,,c` → `["a", "b", "c"]`."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def positive_int(_: Any, value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError("takes a positive whole number")
    return int(value)


def iso_date(_: Any, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("takes a date like 2024-01-01") from None


def flag(_: Any, value: str) -> bool:
    word = value.strip().lower()
    if word not in _TRUE + _FALSE:
        raise ValueError("takes 1 or 0 (true/false, yes/no, on/off)")
    return word in _TRUE


def run_id(_: Any, value: str) -> str:
    if not RUN_ID.fullmatch(value):
        raise ValueError(
            "takes a plain name (letters, digits, `.`, `_`, `-`; up to 100, not starting "
            "with `.`): it names a folder under the output root"
        )
    return value


def existing_file(_: Any, value: str) -> str:
    if not Path(value).is_file():
        raise ValueError("no such file")
    return value


def question_ids(spider_class: Any, value: str) -> list[str]:
    """Question ids the site knows as ids (`Site.question_url` says), or question pages'
    URLs (a site whose questions an id alone does not name takes only these)."""
    ids = split_arg(value)
    for qid in ids:
        if qid.startswith(("http://", "https://")):
            url = spider_class.seed_url(qid)
            if url is None or not spider_class.site.is_question_url(url):
                raise ValueError(f"{shown(qid)!r} is not a question page of this site")
            continue
        try:
            spider_class.site.question_url(qid)
        except ValueError as why:
            if qid.isdigit() and len(qid) < 100:  # an id the site cannot take: its reason
                raise ValueError(str(why)) from None
            raise ValueError(f"{shown(qid)!r} is not a question id of this site") from None
    if not ids:
        raise ValueError("takes question ids, comma-separated")
    return ids


def site_urls(spider_class: Any, value: str) -> list[str]:
    """URLs of the site (or question ids), as `QASpider.seed_url` takes them."""
    urls = split_arg(value)
    for url in urls:
        if spider_class.seed_url(url) is None:
            raise ValueError(f"{shown(url)!r} is not a URL of this site or a question id")
    if not urls:
        raise ValueError("takes URLs, comma-separated")
    return urls


def categories(spider_class: Any, value: str) -> list[str]:
    """Category ids as the site writes them (`0237` → `237`), each one the site knows."""
    found = []
    for category in split_arg(value):
        category = str(int(category)) if category.isdigit() and len(category) < 20 else category
        try:
            spider_class.site.category_url(category)
        except ValueError:
            raise ValueError(f"{shown(category)!r} is not a category id of this site") from None
        found.append(category)
    if not found:
        raise ValueError("takes category ids, comma-separated")
    return found


def replay_path(_: Any, value: str) -> str:
    """A WARC file or folder that holds some, each starting with a readable record."""
    from medcrawl.archive.warc import check_archive  # the archive code only when replaying

    check_archive(value)
    return value
