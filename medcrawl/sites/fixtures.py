"""Page fixtures as data: the raw bytes of a page beside what it must give.

A fixture is a pair under `tests/fixtures/<site>/`: `<name>.html`, the body exactly as served,
and `<name>.json`, the page's URL, when it was fetched, the headers it came with and what it
must give — its items by output file or, under `bad/`, the reason it is rejected
(`tests/fixtures/README.md`). The tests and `medcrawl savefixture` read a fixture here into
the response a crawl hands the spider, and run the site's spider on it.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.test import get_crawler

from medcrawl import settings
from medcrawl.contract.items import OUTPUT_FILES, Reject
from medcrawl.crawl.encoding import EncodingFallbackMiddleware
from medcrawl.sites.spider import QASpider

#: The folder of a site's fixtures that must be rejects.
BAD = "bad"


@dataclass
class Fetched:
    """A page as it was fetched: all a fixture holds but its expected output."""

    url: str
    body: bytes
    fetched_at: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: The URL the spider asked for, when a redirect led to `url`.
    asked: str | None = None


def fixture_path(root: Path, site: str, name: str, *, bad: bool = False) -> Path:
    """`<root>/<site>/[bad/]<name>.json`; the page's bytes are beside it, in `.html`."""
    return root / site / (BAD if bad else "") / f"{name}.json"


def fixture_names(root: Path, site: str, *, bad: bool = False) -> list[str]:
    return sorted(
        path.stem for path in fixture_path(root, site, "*", bad=bad).parent.glob("*.json")
    )


def load(path: Path) -> tuple[Fetched, dict[str, Any]]:
    """The page a fixture holds and its whole JSON (`items` or `reject`, `note` …)."""
    meta = json.loads(path.read_text(encoding="utf-8"))
    when = meta.get("fetched_at")
    page = Fetched(
        url=meta["url"],
        body=path.with_suffix(".html").read_bytes(),
        fetched_at=datetime.fromisoformat(when) if when else None,
        headers=meta.get("headers", {}),
        asked=meta.get("asked"),
    )
    return page, meta


def response(page: Fetched, *, middleware: bool = True) -> HtmlResponse:
    """The response the spider gets for the page: its raw bytes and headers, `Date` from the
    fetch time (relative dates count from it), the redirect that led to it, passed through
    the project's EncodingFallbackMiddleware as in a crawl (`middleware=False`: Scrapy's own
    decoding)."""
    headers = {}
    if page.fetched_at is not None:
        headers["Date"] = format_datetime(page.fetched_at.astimezone(timezone.utc), usegmt=True)
    headers.update(page.headers)
    redirected = page.asked is not None and page.asked != page.url
    request = Request(page.url, meta={"redirect_urls": [page.asked]} if redirected else {})
    raw = HtmlResponse(page.url, body=page.body, headers=headers, request=request)
    return encoding_fallback(raw) if middleware else raw


def encoding_fallback(response: HtmlResponse) -> HtmlResponse:
    """`response` after the project's EncodingFallbackMiddleware, as in a crawl."""
    return _encoding().process_response(response.request or Request(response.url), response)


@functools.cache
def _encoding() -> EncodingFallbackMiddleware:
    crawler = get_crawler(
        settings_dict={"MEDCRAWL_FALLBACK_ENCODING": settings.MEDCRAWL_FALLBACK_ENCODING}
    )
    return EncodingFallbackMiddleware.from_crawler(crawler)


def spider(site: str, **settings_dict: Any) -> QASpider:
    """The site's spider, ready to parse responses outside a crawl (retries off unless
    `RETRY_ENABLED=True` is given)."""
    project = Settings()
    project.setmodule(settings)
    spidercls = get_spider_loader(project).load(site)
    crawler = get_crawler(spidercls, settings_dict={"RETRY_ENABLED": False, **settings_dict})
    qa = spidercls.from_crawler(crawler)
    crawler.spider = qa
    return qa


def as_items(output: Iterable[object]) -> dict[str, list[dict[str, Any]]]:
    """The items among a callback's output (not rejects, not requests), by output file."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in output:
        stem = OUTPUT_FILES.get(type(item))
        if stem is not None and not isinstance(item, Reject):
            grouped[stem].append(ItemAdapter(item).asdict())
    return dict(grouped)


def expected(site: str, page: Fetched) -> dict[str, Any]:
    """What today's code makes of the page, as the site's spider parses it:
    `{"reject": reason}`, or `{"items": {stem: [items…]}}` with every output file, in the
    contract's order (all empty when it yields neither, e.g. for a list page)."""
    output = list(spider(site).parse(response(page)))
    rejects = [out for out in output if isinstance(out, Reject)]
    if rejects:
        return {"reject": rejects[0].reason}
    found = as_items(output)
    items = {stem: found.get(stem, []) for stem in OUTPUT_FILES.values() if stem != "rejects"}
    for records in items.values():
        for record in records:  # the contract's, not the page's
            record.pop("schema_version", None)
    return {"items": items}
