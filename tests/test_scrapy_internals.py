"""What `medcrawl.scrapy_internals` relies on still holds in the installed Scrapy — one test per
function, failing with the function's name and the Scrapy version — and no other module of the
package uses another library's underscore names.

The behaviour is seen in one tiny real crawl (`tests/internals_probe.py`, in a subprocess).
"""

from __future__ import annotations

import ast
import gc
import inspect
import json
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest
import scrapy
import twisted
from scrapy.commands import BaseRunSpiderCommand
from scrapy.core import engine as scrapy_engine
from scrapy.core.downloader import Downloader, Slot
from scrapy.core.scheduler import Scheduler
from scrapy.core.scraper import Scraper
from scrapy.dupefilters import BaseDupeFilter
from scrapy.http import HtmlResponse
from scrapy.utils import defer as scrapy_defer

from medcrawl import scrapy_internals as internals
from tests import internals_probe

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "medcrawl"
SHIM = PACKAGE / "scrapy_internals.py"
VERSIONS = f"Scrapy {scrapy.__version__} (Twisted {twisted.__version__})"


def holds(function: str, condition: bool, what: str) -> None:
    """Fail naming the shim function and the versions when what it relies on is gone."""
    if not condition:
        pytest.fail(
            f"medcrawl.scrapy_internals.{function} relies on {what}, which does not hold on "
            f"{VERSIONS}: adapt the function (its docstring says why it exists), then the "
            "Scrapy pin in pyproject.toml and README 'Scrapy internals'",
            pytrace=False,
        )


def params(function: Any) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict[str, Any]:
    """What the probe crawl saw."""
    out = tmp_path_factory.mktemp("probe") / "seen.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.internals_probe", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0 or not out.exists():
        pytest.fail(f"the probe crawl failed on {VERSIONS}:\n{done.stderr[-4000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def test_close_spider_soon(seen):
    holds(
        "close_spider_soon",
        params(getattr(scrapy_defer, "_schedule_coro", None) or (lambda: None)) == ["coro"],
        "scrapy.utils.defer._schedule_coro(coro)",
    )
    close = getattr(scrapy_engine.ExecutionEngine, "close_spider_async", None)
    holds(
        "close_spider_soon",
        inspect.iscoroutinefunction(close) and "reason" in params(close),
        "ExecutionEngine.close_spider_async(reason=…), a coroutine",
    )
    holds(
        "close_spider_soon",
        seen.get("finish_reason") == "probe_closed",
        "the spider closing with the reason given, from a sync call",
    )


def test_requests_in_progress(seen):
    slot = getattr(scrapy_engine, "_Slot", None)
    holds(
        "requests_in_progress",
        slot is not None and hasattr(slot, "add_request") and hasattr(slot, "remove_request"),
        "scrapy.core.engine._Slot keeping the requests in progress",
    )
    holds(
        "requests_in_progress",
        seen.get("in_progress_during_callback") is True,
        "ExecutionEngine._slot.inprogress holding a request while its callback runs",
    )


def test_wake_engine(seen):
    slot = getattr(scrapy_engine, "_Slot", None)
    holds(
        "wake_engine",
        slot is not None and "nextcall" in params(slot.__init__),
        "scrapy.core.engine._Slot.nextcall",
    )
    heartbeat = getattr(scrapy_engine.ExecutionEngine, "_SLOT_HEARTBEAT_INTERVAL", None)
    holds(
        "wake_engine",
        heartbeat is not None and heartbeat >= 5,
        "the engine polling its scheduler only every 5 s otherwise",
    )
    woken = seen.get("woken_fetched_at")
    holds(
        "wake_engine",
        woken is not None and woken - seen["woken_at"] < 2.5,
        "ExecutionEngine._slot.nextcall.schedule() making the engine take a request queued "
        "from outside at once, not at its next heartbeat",
    )


def test_disk_queue_dir(seen):
    holds(
        "disk_queue_dir",
        seen.get("disk_queue_dir", "missing") is None,
        "Scheduler.dqdir being None without JOBDIR",
    )
    queue_dir = seen.get("job_disk_queue_dir")
    holds(
        "disk_queue_dir",
        isinstance(queue_dir, str) and queue_dir.startswith(seen["jobdir"]),
        "Scheduler.dqdir being the queue folder inside JOBDIR",
    )


def test_pop_scheduled(seen):
    holds("pop_scheduled", params(Scheduler.next_request) == [], "Scheduler.next_request()")
    holds(
        "pop_scheduled",
        seen.get("popped") == ["/p2", "/p3", "/p1"],
        "Scheduler.next_request() handing out every queued request once, highest priority "
        "first, then None",
    )


def test_seen_by_dupefilter(seen):
    holds(
        "seen_by_dupefilter",
        params(BaseDupeFilter.request_seen) == ["request"],
        "BaseDupeFilter.request_seen(request)",
    )
    holds(
        "seen_by_dupefilter",
        seen.get("dupefilter") == [True, False, True],
        "Scheduler.df being the dupefilter in use, request_seen() recording as it answers",
    )


def test_fail_request(seen):
    holds(
        "fail_request",
        params(getattr(Scraper, "enqueue_scrape", None) or (lambda: None)) == ["result", "request"],
        "Scraper.enqueue_scrape(result, request)",
    )
    holds(
        "fail_request",
        seen.get("fail_request_errback") == ["/never", "Stopped"],
        "the request's errback getting the failure",
    )
    holds(
        "fail_request",
        {"from": "fail_request"} in seen.get("items", []),
        "what the errback returns going on to the pipelines",
    )


def test_download_slots(seen):
    holds(
        "download_slots",
        seen.get("slots") == {"127.0.0.1": ["float", "deque"]},
        "Downloader.slots: one Slot per site with a float `delay` and a deque `queue`",
    )
    holds(
        "download_slots",
        sorted(seen.get("taken", [])) == ["/c1", "/c2", "/c3"],
        "a raised Slot.delay holding the next downloads back",
    )


def test_take_waiting_downloads(seen):
    fetched = {path for path, _ in seen.get("hits", [])}
    holds(
        "take_waiting_downloads",
        sorted(seen.get("taken", [])) == ["/c1", "/c2", "/c3"] and not fetched & {"/c1", "/c3"},
        "Slot.queue holding (request, deferred) pairs the downloader dispatches from",
    )
    holds(
        "take_waiting_downloads",
        sorted(seen.get("errbacks", [])) == sorted({"/c1", "/c2", "/c3"} - {seen["taken"][1]}),
        "a taken request's deferred, fired with a Failure, failing its download",
    )
    holds(
        "take_waiting_downloads",
        "/d" in fetched,
        "a taken request's deferred, fired with a Request, scheduling that request",
    )


def test_hold_download_slot(seen):
    holds(
        "hold_download_slot",
        "slot" in params(getattr(Downloader, "_latercall", None) or (lambda: None))
        and "latercall" in Slot.__dataclass_fields__,
        "Downloader._latercall(slot) and Slot.latercall",
    )
    holds(
        "hold_download_slot",
        seen.get("b_hit") is not None
        and seen["b_hit"] - seen["held_at"] >= internals_probe.HOLD * 0.9,
        "no download of a slot starting while Slot.latercall is set",
    )


def test_downloads_in_flight(seen):
    holds(
        "downloads_in_flight",
        min(seen.get("in_flight_when_reached", [0])) >= 1 and seen.get("in_flight_after") == 0,
        "Downloader.active holding each request from the downloader's door to its response",
    )


def test_command_crawler(seen):
    holds(
        "command_crawler",
        params(getattr(BaseRunSpiderCommand, "_create_crawler", None) or (lambda: None))
        == ["spidercls"],
        "BaseRunSpiderCommand._create_crawler(spidercls)",
    )
    holds(
        "command_crawler",
        seen.get("command_crawler") == "Crawler" and "finish_reason" in seen,
        "the crawler it returns being the one crawl() runs",
    )


def test_bootstrap_failed(seen):
    holds(
        "bootstrap_failed",
        (seen.get("bootstrap_failed_before"), seen.get("bootstrap_failed_after")) == (False, True),
        "CrawlerProcess.bootstrap_failed turning true when a spider cannot start",
    )


def test_release_selector():
    def parsed_page_outlives_its_last_reference(release: bool) -> bool:
        response = HtmlResponse("https://example.com/", body=b"<p>x</p>", encoding="utf-8")
        assert response.xpath("//p/text()").get() == "x"
        if release:
            internals.release_selector(response)
        gone = weakref.ref(response)
        del response
        return gone() is not None

    gc.disable()  # only reference counting frees here, as between two collections in a crawl
    try:
        holds(
            "release_selector",
            parsed_page_outlives_its_last_reference(release=False),
            "a response's cached Selector pointing back at the response (else it has no use)",
        )
        holds(
            "release_selector",
            not parsed_page_outlives_its_last_reference(release=True),
            "TextResponse._cached_selector holding the only other reference to it",
        )
    finally:
        gc.enable()
    response = HtmlResponse("https://example.com/", body=b"<p>x</p>", encoding="utf-8")
    response.xpath("//p")
    internals.release_selector(response)
    holds(
        "release_selector",
        response.xpath("//p/text()").get() == "x",
        "TextResponse.selector building a Selector again when the cached one is None",
    )


def test_every_function_is_tested():
    tree = ast.parse(SHIM.read_text(encoding="utf-8"))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert functions - tested == set()


#: Underscore names of other libraries allowed outside the shim: type names for annotations
#: that have been stable for years.
ALLOWED = {"etree._Element", "argparse._SubParsersAction"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(path: Path, root: Path = ROOT) -> list[str]:
    """Another library's underscore names: `x._name` (not self's, cls's, super()'s or a
    dunder) and imports of underscore modules or names (not medcrawl's own)."""
    found = []
    where = path.relative_to(root)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super":
                continue
            name = f"{ast.unparse(owner)}.{node.attr}"
            if name not in ALLOWED:
                found.append(f"{where}:{node.lineno}: {name}")
        elif isinstance(node, ast.ImportFrom) and not node.level:
            module = node.module or ""
            if module.split(".")[0] == "medcrawl":
                continue
            if any(_private(part) for part in [*module.split("."), *(a.name for a in node.names)]):
                found.append(f"{where}:{node.lineno}: from {module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(_private(part) for part in alias.name.split(".")):
                    found.append(f"{where}:{node.lineno}: import {alias.name}")
    return found


def test_no_private_api_outside_the_shim():
    uses = [
        use for path in sorted(PACKAGE.rglob("*.py")) if path != SHIM for use in _private_uses(path)
    ]
    assert uses == [], "move these into medcrawl/scrapy_internals.py, with a test here"


def test_the_scan_finds_private_uses(tmp_path):
    """The scan itself: an underscore attribute of another object and an underscore import."""
    module = tmp_path / "m.py"
    module.write_text(
        "from scrapy.utils.defer import _schedule_coro\n"
        "from twisted.web import _newclient\n"
        "def f(crawler):\n    return crawler.engine._slot, self._mine, super()._x\n"
    )
    assert _private_uses(module, root=tmp_path) == [
        "m.py:1: from scrapy.utils.defer",
        "m.py:2: from twisted.web",
        "m.py:4: crawler.engine._slot",
    ]


def test_the_docs_name_the_version_checked_and_the_pin_holds_it():
    """README, the shim's docstring and the pin agree with the Scrapy these tests ran on."""
    version = scrapy.__version__
    major, minor = (int(part) for part in version.split(".")[:2])
    readme, shim = (
        " ".join(path.read_text("utf-8").split()) for path in (ROOT / "README.md", SHIM)
    )
    assert f"Checked against **Scrapy {version}**" in readme
    assert f"Checked against Scrapy {version}" in shim
    pin = f'"scrapy>={major}.{minor},<{major}.{minor + 1}"'
    assert pin in (ROOT / "pyproject.toml").read_text("utf-8")
