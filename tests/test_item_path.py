"""The cheaper path from a callback's items to the files (issue 15, "Crawl"): repeats dropped
before the engine takes them, the collector kept off startup objects, DEBUG lines made only
when heard."""

from __future__ import annotations

import asyncio
import gc
import logging

from scrapy import Request, signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from medcrawl.contract.dedupe import DedupeMiddleware
from medcrawl.contract.items import Answer, Doctor, Question
from medcrawl.crawl.heap import FrozenStartup
from medcrawl.logs import heard


def passed(middleware: DedupeMiddleware, entries: list) -> list:
    async def collect() -> list:
        async def result():
            for entry in entries:
                yield entry

        return [e async for e in middleware.process_spider_output(None, result())]

    return asyncio.run(collect())


def test_repeats_are_dropped_counted_and_signalled_like_a_pipeline_drop():
    crawler = get_crawler()
    dropped = []
    crawler.signals.connect(
        lambda item, exception: dropped.append((item, str(exception))),
        signals.item_dropped,
        weak=False,
    )
    middleware = DedupeMiddleware(crawler)
    doctor, again = Doctor(id="s:doctor:1", name="王"), Doctor(id="s:doctor:1", name="王")
    request = Request("https://example.com/q/2.html")
    first = [Question(id="s:1"), doctor, Answer(id="s:1/a1")]
    assert passed(middleware, first) == first
    second = [Question(id="s:2"), again, request, Question(id="s:1"), Answer(id="s:1/a1")]
    assert passed(middleware, second) == [second[0], request]
    assert dropped == [
        (again, "duplicate doctors s:doctor:1"),
        (second[3], "duplicate questions s:1"),
        (second[4], "duplicate answers s:1/a1"),
    ]
    stats = crawler.stats.get_stats()
    assert {k: v for k, v in stats.items() if k.startswith("medcrawl/deduped/")} == {
        "medcrawl/deduped/doctors": 1,
        "medcrawl/deduped/questions": 1,
        "medcrawl/deduped/answers": 1,
    }


def test_items_without_an_id_always_pass():
    middleware = DedupeMiddleware(get_crawler())
    entries = [Answer(), Answer(), {"id": None}, {"id": None}]
    assert passed(middleware, entries) == entries


def test_the_collector_skips_what_existed_when_the_engine_started_until_it_stops():
    crawler = get_crawler()
    extension = FrozenStartup.from_crawler(crawler)  # noqa: F841  (signals hold it weakly)
    assert gc.get_freeze_count() == 0
    crawler.signals.send_catch_log(signals.engine_started)
    try:
        assert gc.get_freeze_count() > 1000
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_freeze_count() == 0


def test_heard_follows_the_handlers_a_record_would_reach():
    root, parent = logging.getLogger(), logging.getLogger("medcrawl_test_heard")
    child = logging.getLogger("medcrawl_test_heard.child")
    saved = root.level, root.handlers[:]
    handler = logging.NullHandler(logging.INFO)
    try:
        root.setLevel(logging.NOTSET)  # as Scrapy sets it: every level enabled
        root.handlers[:] = [handler]
        assert child.isEnabledFor(logging.DEBUG)
        assert not heard(child, logging.DEBUG)
        assert heard(child, logging.INFO)
        parent.addHandler(debug := logging.NullHandler(logging.DEBUG))
        assert heard(child, logging.DEBUG)
        parent.propagate = False
        parent.removeHandler(debug)
        assert not heard(child, logging.INFO)  # nothing above it hears it
    finally:
        parent.propagate = True
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


def test_an_item_line_is_made_only_when_a_handler_writes_it():
    from scrapy import Spider

    from medcrawl.logs import QuietLogFormatter

    formatter, spider = QuietLogFormatter(), Spider(name="s")
    item = Question(id="s:1")
    root = logging.getLogger()
    saved = root.level, root.handlers[:]
    try:
        root.setLevel(logging.NOTSET)
        root.handlers[:] = [logging.NullHandler(logging.INFO)]
        assert formatter.scraped(item, None, spider) is None
        drop = DropItem("duplicate", log_level="DEBUG")
        assert formatter.dropped(item, drop, None, spider) is None
        warned = formatter.dropped(item, DropItem("bad", log_level="WARNING"), None, spider)
        assert warned is not None and warned["level"] == logging.WARNING
        root.handlers.append(logging.NullHandler(logging.DEBUG))
        scraped = formatter.scraped(item, None, spider)
        assert scraped is not None and scraped["args"]["item"] is item
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


def test_a_repeat_dropped_before_the_ledger_commits_nothing(monkeypatch):
    from medcrawl.contract import commit

    commits = []
    monkeypatch.setattr(commit, "commit_pages", lambda crawler: commits.append(crawler))
    middleware = commit.PageCommitMiddleware(get_crawler())
    page = [Question(id="s:1"), Answer(id="s:1/a1")]
    middleware.ledger.add(page)
    middleware.item_dropped(Doctor(id="s:doctor:1"))  # never in the ledger: wrote nothing
    assert commits == []
    middleware.item_done(page[0])
    assert commits == []  # the page is half through
    middleware.item_dropped(page[1])
    assert len(commits) == 1  # its last item completed it
