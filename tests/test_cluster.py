"""Cluster mode against real servers on 127.0.0.1: a redis-server started here, the mini site
(tests/minisite.py) as ask.39.net, `scrapy crawl` workers and `medcrawl collect --follow` in
subprocesses.

A cluster crawl is one run: two workers and a collector crawl a seeded site; the workers stop
`finished` (exit 0) when nothing is left, the collector completes a run folder like a single
crawl's (equal records, a manifest with the workers' stats merged, checks judged once) and
exits. A worker SIGKILLed mid-crawl and started again loses nothing; one stopped with SIGTERM
exits at once and gives its unsent pages back; a worker that got no work passes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import pickle
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import redis
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.test import get_crawler

from medcrawl import cli, cluster
from medcrawl.cluster import WRAPPED_HANDLERS, ClusterAddon, Keys, frontier
from medcrawl.cluster.collect import Collector
from medcrawl.cluster.politeness import SharedRateHandler
from medcrawl.cluster.seed import id_range
from medcrawl.cluster.state import CrawlRecord
from medcrawl.contract.items import OUTPUT_FILES
from tests.minisite import (
    FAST_SETTINGS,
    ROOT,
    MiniSite,
    Page,
    crawl_settings,
    demo_site,
    question_page,
    run_crawl,
    write_archive,
)
from tests.servers import RedisServer, free_port, running_redis

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)"
)

#: Seconds between two requests to the site from all workers together, in these tests.
INTERVAL = 0.03
#: Fields that differ between two fetches of one page.
VOLATILE = {"crawled_at", "at"}
KEYS = Keys.of(Settings(), "ask39")
MEDCRAWL = str(Path(sys.executable).parent / "medcrawl")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture
def db(redis_url: str) -> redis.Redis:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    return client


@pytest.fixture(scope="module")
def site() -> Iterator[MiniSite]:
    pages, _ = demo_site(categories={3166: 6, 237: 6, 52: 6}, per_page=5)
    pages["ask.39.net/question/5000.html"] = Page(question_page([]))  # links nothing
    with MiniSite(pages) as running:
        yield running


@pytest.fixture(scope="module")
def single(site: MiniSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """The records of one ordinary (single-process, no Redis) crawl of the site."""
    result = run_crawl(site, tmp_path_factory.mktemp("single"))
    assert result.returncode == 0, result.log[-3000:]
    return read_run(result.run_dir)


def read_run(run_dir: Path) -> dict[str, list[dict]]:
    return {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in sorted(run_dir.glob("*.jsonl"))
    }


def comparable(run: dict[str, list[dict]]) -> dict[str, list[str]]:
    """Each file's records without volatile fields, sorted; empty files left out."""
    return {
        stem: sorted(
            json.dumps({k: v for k, v in r.items() if k not in VOLATILE}, sort_keys=True)
            for r in records
        )
        for stem, records in run.items()
        if records
    }


def start_worker(
    site: MiniSite,
    redis_url: str,
    worker: str,
    tmp: Path,
    *,
    via_env: bool = False,
    politeness: dict[str, Any] | None = None,
    **extra: Any,
) -> subprocess.Popen:
    """`scrapy crawl ask39` in cluster mode against `site` (Redis given with `-s REDIS_URL`, or
    only in the environment); log and stats in `tmp`. Politeness off (FAST_SETTINGS) unless
    `politeness` says otherwise; `extra` settings on top."""
    settings: dict[str, Any] = {
        **(FAST_SETTINGS if politeness is None else {**politeness, "LOGSTATS_INTERVAL": 1}),
        **crawl_settings(site, tmp / f"{worker}.stats.json"),
        "MEDCRAWL_WORKER_ID": worker,
        "MEDCRAWL_DOMAIN_INTERVAL": INTERVAL,
        "MEDCRAWL_OUTPUT_DIR": str(tmp / "worker-output"),
        "LOG_LEVEL": "INFO",
        **({} if politeness is not None else {"CONCURRENT_REQUESTS": 4}),
        **extra,
    }
    env = {**os.environ, "REDIS_URL": redis_url} if via_env else os.environ.copy()
    if not via_env:
        env.pop("REDIS_URL", None)
        settings["REDIS_URL"] = redis_url
    command = [sys.executable, "-m", "scrapy", "crawl", "ask39"]
    for name, value in settings.items():
        command += ["-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}"]
    log = (tmp / f"{worker}.log").open("a", encoding="utf-8")
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, env=env)


def start_collector(redis_url: str, out: Path, *extra: str) -> subprocess.Popen:
    """`medcrawl collect --follow` into `out`, in the background; its output in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    command = [MEDCRAWL, "collect", "--spider", "ask39", "--follow"]
    command += ["--redis-url", redis_url, "--output-dir", str(out), *extra]
    log = (out / "collect.log").open("a", encoding="utf-8")
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def finish(*processes: subprocess.Popen, timeout: float = 120) -> None:
    for process in processes:
        try:
            assert process.wait(timeout=timeout) == 0
        finally:
            if process.poll() is None:
                process.kill()


def seed(redis_url: str, *arguments: str) -> None:
    assert cli.main(["seed", "--spider", "ask39", "--redis-url", redis_url, *arguments]) == 0


def collect(redis_url: str, out: Path, *extra: str) -> int:
    command = ["collect", "--spider", "ask39", "--redis-url", redis_url, "--output-dir", str(out)]
    return cli.main([*command, *extra])


def fetches(site: MiniSite) -> Counter[str]:
    """Pages the site served and how often, robots.txt aside (each worker reads it)."""
    return Counter(hit.key for hit in site.hits if not hit.key.endswith("/robots.txt"))


def question_hits(site: MiniSite) -> int:
    return sum(n for key, n in fetches(site).items() if key.startswith("ask.39.net/question/"))


def wait_for(condition: Any, *processes: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        assert all(p.poll() is None for p in processes), "a process ended early"
        time.sleep(0.01)


def test_two_workers_and_a_collector_make_one_run(site, single, redis_url, db, tmp_path):
    site.hits.clear()
    # The index (which leads to everything), two questions the lists also link, a list page
    # the index links (a plain URL), and one bad seed.
    seed(redis_url, "--crawl-id", "both", "--default-start", "--ids", "1000-1001")
    db.rpush(KEYS.start, "https://ask.39.net/news/237-1.html", "not a url")
    out = tmp_path / "out"
    collector = start_collector(redis_url, out)
    workers = [
        start_worker(site, redis_url, "w1", tmp_path),
        start_worker(site, redis_url, "w2", tmp_path, via_env=True),  # $REDIS_URL alone
    ]
    finish(*workers, collector)

    run_dir = out / "ask39" / "both"  # named after the crawl
    for worker in ("w1", "w2"):
        log = (tmp_path / f"{worker}.log").read_text()
        assert "Crawl both is finished" in log and "Spider closed (finished)" in log
    assert max(fetches(site).values()) == 1  # no page fetched twice, seeds included
    stats = [json.loads((tmp_path / f"{w}.stats.json").read_text()) for w in ("w1", "w2")]
    assert all(s["downloader/response_count"] > 5 for s in stats)  # both took their share

    cluster = read_run(run_dir)
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        [*(f"{stem}.jsonl" for stem in OUTPUT_FILES.values()), "manifest.json"]
    )
    assert [(r["url"], r["reason"]) for r in cluster.pop("rejects")] == [("not a url", "bad_seed")]
    assert comparable(cluster) == comparable(single)
    for records in cluster.values():
        assert len({r["id"] for r in records}) == len(records)  # no id written twice

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["run_id"] == "both" and manifest["finish_reason"] == "finished"
    assert manifest["monitors"] == {"verdict": "passed", "failures": []}
    assert manifest["files"]["questions.jsonl"]["records"] == 90
    assert manifest["pages"] == {"questions": 90, "skipped": {"bad_seed": 1}, "not_archived": 0}
    assert manifest["cluster"]["crawl_id"] == "both"
    sessions = manifest["cluster"]["workers"]
    assert sorted(s["worker"] for s in sessions) == ["w1", "w2"]
    assert all(s["finish_reason"] == "finished" for s in sessions)
    downloads = sum(s["downloader/response_count"] for s in stats)
    assert manifest["settings"]["MEDCRAWL_MIN_ITEMS"] == 1
    assert sum(s["pages"] for s in sessions) == downloads
    assert CrawlRecord.read(db, KEYS).collected_at is not None
    assert db.llen(KEYS.items) == 0
    assert cli.main(["report", str(run_dir)]) == 0
    assert cli.main(["runs", str(out)]) == 0

    # The shared rate limit: any 20 consecutive requests from both workers span ≥ 20 intervals.
    times = sorted(hit.at for hit in site.hits)
    spans = [b - a for a, b in zip(times, times[20:], strict=False)]
    assert min(spans) >= 20 * INTERVAL
    assert sum(s.get("medcrawl/politeness/delayed", 0) for s in stats) > 0


def test_a_killed_worker_loses_nothing(site, single, redis_url, db, tmp_path):
    site.hits.clear()
    seed(redis_url, "--default-start")
    ledger = KEYS.ledgers("w2")[0]
    w1 = start_worker(site, redis_url, "w1", tmp_path)
    w2 = start_worker(site, redis_url, "w2", tmp_path)
    wait_for(lambda: question_hits(site) >= 25 and db.zcard(ledger), w1, w2)
    w2.kill()  # SIGKILL: no chance to put anything back
    w2.wait()
    in_flight = {pickle.loads(data)["url"] for data in db.zrange(ledger, 0, -1)}
    assert in_flight  # the kill did leave pages half done
    w2 = start_worker(site, redis_url, "w2", tmp_path)  # same name: takes its ledger back
    finish(w1, w2)
    assert "Took back" in (tmp_path / "w2.log").read_text()
    assert not db.zcard(ledger)

    refetched = {key for key, n in fetches(site).items() if n > 1}
    assert {f"https://{key}" for key in refetched} <= in_flight
    assert collect(redis_url, tmp_path) == 0
    run_dir = tmp_path / "ask39" / CrawlRecord.read(db, KEYS).id
    assert comparable(read_run(run_dir)) == comparable(single)
    workers = json.loads((run_dir / "manifest.json").read_text())["cluster"]["workers"]
    assert sorted((w["worker"], w["finish_reason"]) for w in workers) == [
        ("w1", "finished"),
        ("w2", "finished"),
        ("w2", "killed"),  # its last stats snapshot stands in
    ]


def test_a_stopped_worker_exits_at_once_and_gives_its_pages_back(
    site, single, redis_url, db, tmp_path
):
    """SIGTERM (`systemctl stop`) to a worker with the default politeness (download delay,
    AutoThrottle, 16 requests at a time): it stops within seconds, exit 0, and the requests
    it had taken go back to the queue unsent. Before: it fetched every request it held, one a
    second (~38 s), then exited 3 (finish reason `shutdown`)."""
    site.hits.clear()
    seed(redis_url, "--default-start")
    polite = start_worker(site, redis_url, "w1", tmp_path, politeness={})
    wait_for(lambda: len(site.hits) >= 4, polite)  # robots.txt, the index, two lists
    polite.send_signal(signal.SIGTERM)
    stopped_at = time.monotonic()
    assert polite.wait(timeout=30) == 0
    assert time.monotonic() - stopped_at < 6
    log = (tmp_path / "w1.log").read_text()
    assert "Closing spider (shutdown)" in log and "Run checks passed" in log
    assert not db.exists(KEYS.ledgers("w1")[0])  # nothing left in flight
    finish(start_worker(site, redis_url, "w2", tmp_path))
    assert max(fetches(site).values()) == 1  # nothing fetched twice either
    assert collect(redis_url, tmp_path) == 0
    run_dir = tmp_path / "ask39" / CrawlRecord.read(db, KEYS).id
    assert comparable(read_run(run_dir)) == comparable(single)


def test_a_worker_that_got_no_work_passes(site, redis_url, db, tmp_path, capsys):
    """Two workers waiting for a crawl, then one question that links nothing: one of them gets
    no page at all, and both stop `finished`, exit 0 — also one that never saw the crawl under
    way (it was over before the worker looked). Before: the one without work failed its
    checks (exit 3); and one that never saw the crawl under way waited for the next."""
    workers = [start_worker(site, redis_url, w, tmp_path) for w in ("w1", "w2")]
    logs = [tmp_path / f"{w}.log" for w in ("w1", "w2")]
    wait_for(lambda: all("Waiting for a crawl" in log.read_text() for log in logs), *workers)
    workers[1].send_signal(signal.SIGSTOP)  # w2 does not see the crawl until it is over
    seed(redis_url, "--ids", "5000")
    wait_for(lambda: CrawlRecord.read(db, KEYS).finished, workers[0])
    workers[1].send_signal(signal.SIGCONT)
    finish(*workers)
    pages = [
        json.loads((tmp_path / f"{w}.stats.json").read_text()).get("medcrawl/pages/question", 0)
        for w in ("w1", "w2")
    ]
    assert sorted(pages) == [0, 1]
    # The crawl is judged once, at collect, with the collector's thresholds …
    assert collect(redis_url, tmp_path, "-s", "MEDCRAWL_MIN_ITEMS=1000") == 3
    assert "Output/enough items" in capsys.readouterr().err
    assert collect(redis_url, tmp_path) == 0  # … and passes with the project's
    manifest = json.loads(
        (tmp_path / "ask39" / CrawlRecord.read(db, KEYS).id / "manifest.json").read_text()
    )
    assert manifest["pages"]["questions"] == 1 and manifest["monitors"]["verdict"] == "passed"


def test_bad_seeds_are_rejected_and_the_worker_carries_on(site, redis_url, db, tmp_path):
    """Each bad seed becomes a `bad_seed` reject and leaves the seed list and the ledger; the
    seeds after it are crawled. Before: the first one raised in `start()` and stayed in the
    ledger, to crash the worker again on every restart (an off-site one was silently dropped)."""
    bad = {
        b"\xff\xfehttps://ask.39.net/question/1002.html": "not UTF-8",
        b'{"url": "https://ask.39.net/question/1002.html"': "not JSON",
        b'{"url": "https://ask.39.net/question/1002.html", "meta": ["x"]}': "meta is not",
        b'{"url": "https://example.com/question/1002.html"}': "not a URL of this site",
        b"https://example.com/question/1002.html": "not a URL of this site",
        b'{"url": 1002}': "not a URL of this site",
    }
    db.rpush(KEYS.start, *bad)
    db.rpush(KEYS.start, json.dumps({"url": "https://ask.39.net/question/1001.html"}))
    seed(redis_url, "--ids", "1000")  # (begins the crawl)
    # A worker that died holding a bad seed gets it back first: it must not crash again.
    db.rpush(KEYS.ledgers("w1")[1], b"\xff")
    # 7 rejects in ~40 pages: more than the monitors' error rate allows, on purpose.
    finish(start_worker(site, redis_url, "w1", tmp_path, MEDCRAWL_MAX_ERROR_RATE=1))

    pushed = [json.loads(raw) for raw in db.lrange(KEYS.items, 0, -1)]
    rejects = {
        e["item"]["url"]: e["item"]
        for e in pushed
        if e["file"] == "rejects" and e["item"]["reason"] == "bad_seed"
    }
    expected = {raw.decode("utf-8", "backslashreplace"): why for raw, why in bad.items()}
    expected["\\xff"] = "not UTF-8"
    assert sorted(rejects) == sorted(expected)
    for url, why in expected.items():
        assert rejects[url]["detail"].startswith(f"{KEYS.start}: {why}")
    questions = {e["item"]["id"] for e in pushed if e["file"] == "questions"}
    assert {"ask39:1000", "ask39:1001"} <= questions  # (and the questions they link)
    assert db.llen(KEYS.start) == 0
    assert not db.exists(KEYS.ledgers("w1")[1])
    stats = json.loads((tmp_path / "w1.stats.json").read_text())
    assert stats["medcrawl/skipped/bad_seed"] == len(expected)
    assert "Skipped \\xff: bad_seed" in (tmp_path / "w1.log").read_text()


def test_replayed_pages_take_no_token(redis_url, db, tmp_path):
    """A worker replaying an archive never waits for the shared rate limit (1 s here)."""
    pages, _ = demo_site(categories={3166: 2, 237: 1}, per_page=4)
    archive = write_archive(pages, tmp_path / "site.warc.gz")
    seed(redis_url, "--default-start")
    command = [sys.executable, "-m", "scrapy", "crawl", "ask39", "-a", f"replay={archive}"]
    command += ["-s", f"REDIS_URL={redis_url}", "-s", "MEDCRAWL_DOMAIN_INTERVAL=1"]
    command += ["-s", "STATS_CLASS=tests.minisite.JsonStatsCollector"]
    command += ["-s", f"MINISITE_STATS_FILE={tmp_path / 'stats.json'}"]
    assert subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120).returncode == 0
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["medcrawl/pages/question"] == 12
    assert "medcrawl/politeness/delayed" not in stats
    assert not db.keys("medcrawl:politeness:*")  # no token was ever taken


def most_in_one_second(times: list[float]) -> int:
    """The most requests any 1-second window (closed: [t, t + 1]) holds."""
    times = sorted(times)
    return max(
        sum(1 for later in times[i:] if later - start <= 1.0) for i, start in enumerate(times)
    )


@pytest.mark.parametrize(
    "politeness",
    [{}, {**FAST_SETTINGS, "CONCURRENT_REQUESTS": 16}],
    ids=["default politeness", "worker delays off"],
)
def test_no_second_holds_two_requests_at_a_one_per_second_limit(
    politeness, redis_url, db, tmp_path
):
    """Two workers, `MEDCRAWL_DOMAIN_INTERVAL = 1`: the site (timestamping each request as it
    arrives) never sees two requests within one second — with the workers' own download delay
    and AutoThrottle on (the defaults) or off. Before (the token taken in a downloader
    middleware, ahead of Scrapy's delay queue): requests 20 ms apart, two in a second."""
    pages, _ = demo_site(categories={3166: 1}, per_page=6)
    with MiniSite(pages) as small:
        seed(redis_url, "--default-start")
        workers = [
            start_worker(
                small, redis_url, w, tmp_path, politeness=politeness, MEDCRAWL_DOMAIN_INTERVAL=1
            )
            for w in ("w1", "w2")
        ]
        finish(*workers)
    assert len(small.hits) == 10  # robots.txt twice, the index, the list, 6 questions
    times = sorted(hit.at for hit in small.hits)
    gaps = [round(b - a, 4) for a, b in itertools.pairwise(times)]
    assert most_in_one_second(times) == 1, gaps
    stats = [json.loads((tmp_path / f"{w}.stats.json").read_text()) for w in ("w1", "w2")]
    assert all(s["downloader/response_count"] >= 2 for s in stats)  # both sent requests


@pytest.mark.parametrize("appendonly", [True, False], ids=["persistent", "not persistent"])
def test_a_redis_restart_mid_crawl_loses_nothing(appendonly, site, single, tmp_path):
    """Redis restarted (SIGTERM, as `systemctl restart`) while two workers and the collector
    run. With `appendonly yes` the crawl completes by itself: every page written once, no
    reject blamed on the site. Without persistence Redis comes back empty: the workers keep
    their pages in flight and wait, and the README's recovery — seed the crawl again under
    its id — completes the same run folder. Before: one worker closed `start_error`, the
    other waited for ever, in-flight pages became `connection_lost` rejects."""
    site.hits.clear()
    server = RedisServer(tmp_path, appendonly=appendonly).start()
    try:
        seed(server.url, "--crawl-id", "outage", "--default-start")
        out = tmp_path / "out"
        collector = start_collector(server.url, out)
        workers = [start_worker(site, server.url, w, tmp_path) for w in ("w1", "w2")]
        wait_for(lambda: question_hits(site) >= 25, *workers, collector)
        server.stop()
        time.sleep(2)  # the workers go on with the pages they hold, and find Redis gone
        server.start()
        if not appendonly:
            assert redis.Redis.from_url(server.url).dbsize() == 0  # everything lost
            logs = [tmp_path / f"{w}.log" for w in ("w1", "w2")]
            wait_for(lambda: all("Redis answers again" in log.read_text() for log in logs))
            seed(server.url, "--crawl-id", "outage", "--default-start")
        finish(*workers, collector)
    finally:
        server.stop()

    for worker in ("w1", "w2"):
        log = (tmp_path / f"{worker}.log").read_text()
        assert "Redis does not answer" in log and "Redis answers again" in log
        assert "Traceback" not in log
    cluster = read_run(out / "ask39" / "outage")
    assert not cluster.pop("rejects")  # nothing blamed on the site
    assert comparable(cluster) == comparable(single)
    for records in cluster.values():
        assert len({r["id"] for r in records}) == len(records)
    manifest = json.loads((out / "ask39" / "outage" / "manifest.json").read_text())
    assert manifest["monitors"]["verdict"] == "passed"
    if appendonly:
        assert max(fetches(site).values()) == 1  # not even fetched twice


class AnswerAfter:
    """A download handler that notes when each request was sent, then answers 10 ms later."""

    lazy = False
    sent: ClassVar[list[tuple[str, float]]] = []

    async def download_request(self, request: Request) -> Response:
        self.sent.append((urlparse_cached(request).hostname or "", time.monotonic()))
        await asyncio.sleep(0.01)
        return Response(request.url)

    async def close(self) -> None:
        pass


def test_rate_limit_is_shared_between_workers(redis_url, db):
    """Two workers' handlers (two Redis clients) asked at once for one host: one request at a
    time, each sent at least the interval after the previous one's answer; another host does
    not wait."""
    settings = {
        "REDIS_URL": redis_url,
        "MEDCRAWL_DOMAIN_INTERVAL": 0.05,
        WRAPPED_HANDLERS: {"https": f"{__name__}.AnswerAfter"},
    }
    handlers = [
        SharedRateHandler.from_crawler(
            get_crawler(settings_dict={**settings, "MEDCRAWL_WORKER_ID": w})
        )
        for w in ("a", "b")
    ]
    AnswerAfter.sent.clear()

    async def main() -> float:
        begin = time.monotonic()
        await asyncio.gather(
            *(
                handler.download_request(Request(f"https://ask.39.net/question/{n}.html"))
                for handler in handlers
                for n in range(4)
            ),
            handlers[0].download_request(Request("https://other.example/")),
        )
        return begin

    begin = asyncio.run(main())
    times = [at for host, at in AnswerAfter.sent if host == "ask.39.net"]
    assert len(times) == 8
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.05 + 0.01
    assert next(at for host, at in AnswerAfter.sent if host == "other.example") - begin < 0.05


def test_collect_goes_on_from_a_killed_collector(db, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    # A killed collector's file: still `.part`, its last line torn; and the batch it was
    # writing, still in the `collecting` list.
    (run_dir / "questions.jsonl.part").write_text('{"id": "ask39:1"}\n{"id": "ask3', "utf-8")
    db.rpush("items:collecting", json.dumps({"file": "questions", "item": {"id": "ask39:1"}}))
    entries = [
        {"file": "questions", "item": {"id": "ask39:2", "title": "头痛"}},
        {"file": "questions", "item": {"id": "ask39:2", "title": "头痛"}},
        {"file": "rejects", "item": {"url": "u", "reason": "removed", "at": "t1"}},
        {"file": "rejects", "item": {"url": "u", "reason": "removed", "at": "t2"}},
    ]
    db.rpush("items", *(json.dumps(e, ensure_ascii=False) for e in entries))
    collector = Collector(db, "items", run_dir, batch=2)
    collector.drain()
    collector.close()
    assert collector.written == {"questions": 1, "rejects": 1}
    assert (run_dir / "questions.jsonl").read_text(encoding="utf-8") == (
        '{"id": "ask39:1"}\n{"id": "ask39:2", "title": "头痛"}\n'
    )
    assert not db.exists("items", "items:collecting")
    assert sorted(p.name for p in run_dir.iterdir()) == ["questions.jsonl", "rejects.jsonl"]


def test_seed_refuses_bad_input_before_touching_redis(db, redis_url, capsys):
    assert (
        cli.main(
            ["seed", "--spider", "ask39", "--redis-url", redis_url, "https://example.com/x.html"]
        )
        == 2
    )
    assert cli.main(["seed", "--spider", "ask39", "--redis-url", redis_url, "--ids", "20-10"]) == 2
    assert cli.main(["seed", "--spider", "ask39", "--redis-url", redis_url]) == 2
    assert db.dbsize() == 0
    assert list(id_range("7")) == [7]
    # URLs and ids checked and canonicalised as the spider's own seeds are (QASpider.seed_url).
    seed(redis_url, "--ids", "5-6", "http://wapask.39.net/question/9.html#a", " 8")
    assert [json.loads(s)["url"] for s in db.lrange("ask39:start_urls", 0, -1)] == [
        "https://ask.39.net/question/9.html",
        "https://ask.39.net/question/8.html",
        "https://ask.39.net/question/5.html",
        "https://ask.39.net/question/6.html",
    ]
    out = capsys.readouterr().out
    crawl = CrawlRecord.read(db, KEYS)
    assert f"Pushed 4 seeds to crawl {crawl.id}" in out and crawl.status == "running"
    # More seeds join the crawl under way; another crawl id is refused.
    seed(redis_url, "--ids", "10")
    assert CrawlRecord.read(db, KEYS).id == crawl.id
    assert (
        cli.main(["seed", "--spider", "ask39", "--redis-url", redis_url, "--crawl-id", "x", "7"])
        == 2
    )
    assert f"crawl {crawl.id} is under way, not x" in capsys.readouterr().err


def test_seed_reset_forgets_the_whole_crawl(db, redis_url, capsys):
    """`--reset` forgets the crawl — record, seeds, queue, seen set, every worker's ledgers,
    sessions and items — refusing while a worker runs or items wait to be collected. Before:
    the items stayed, and the next crawl's collector wrote them into its folder."""
    seed(redis_url, "--crawl-id", "old", "--ids", "1")
    db.sadd(KEYS.dupefilter, "fingerprint")
    db.zadd(KEYS.queue, {b"request": 0})
    db.zadd(KEYS.ledgers("w9")[0], {b"request": 0})
    db.rpush(KEYS.ledgers("w9")[1], "seed")
    db.sadd(KEYS.workers, "w9")
    db.hset(KEYS.sessions, "w9/1", "{}")
    db.rpush(KEYS.items, json.dumps({"file": "questions", "item": {"id": "ask39:1"}}))
    db.set(KEYS.alive("w9"), "w9/1", ex=30)
    reset = ["seed", "--spider", "ask39", "--redis-url", redis_url, "--reset", "--ids", "7"]
    assert cli.main(reset) == 2
    assert "workers are running (w9)" in capsys.readouterr().err
    db.delete(KEYS.alive("w9"))
    assert cli.main(reset) == 2
    assert "1 items wait in ask39:items" in capsys.readouterr().err
    assert cli.main([*reset, "--crawl-id", "new", "--force"]) == 0
    assert sorted(db.keys("*")) == [KEYS.crawl.encode(), KEYS.start.encode()]
    assert CrawlRecord.read(db, KEYS).id == "new"
    assert db.lrange(KEYS.start, 0, -1) == [b'{"url": "https://ask.39.net/question/7.html"}']
    # A finished crawl takes no more seeds: a new crawl needs --reset.
    db.hset(KEYS.crawl, "status", "finished")
    assert cli.main(["seed", "--spider", "ask39", "--redis-url", redis_url, "8"]) == 2
    assert "crawl new is finished" in capsys.readouterr().err


def test_requeue_gives_back_a_dead_workers_pages(db, redis_url, capsys):
    """Before: a worker gone for good kept its ledger (the crawl never finished) and there was
    no command to release it."""
    seed(redis_url, "--ids", "1")
    requests, seeds = KEYS.ledgers("w9")
    db.zadd(requests, {b"r1": -10, b"r2": 0})
    db.rpush(seeds, "s1")
    db.sadd(KEYS.workers, "w9")
    db.set(KEYS.alive("w9"), "w9/1", ex=30)
    requeue = ["requeue", "--spider", "ask39", "--redis-url", redis_url]
    assert cli.main([*requeue, "--worker", "w9"]) == 2
    assert "worker w9 is running" in capsys.readouterr().err
    assert cli.main([*requeue, "--worker", "w8"]) == 2
    assert "no worker 'w8' in the cluster (workers: w9)" in capsys.readouterr().err
    db.delete(KEYS.alive("w9"))
    assert cli.main(requeue) == 0  # lists the workers
    assert "w9" in capsys.readouterr().out
    assert cli.main([*requeue, "--worker", "w9"]) == 0
    assert "Gave back 2 requests and 1 seeds of worker w9" in capsys.readouterr().out
    assert db.zrange(KEYS.queue, 0, -1, withscores=True) == [(b"r1", -10.0), (b"r2", 0.0)]
    assert db.lrange(KEYS.start, 0, -1) == [b"s1", b'{"url": "https://ask.39.net/question/1.html"}']
    assert not db.exists(requests, seeds) and not db.sismember(KEYS.workers, "w9")


def test_no_redis_is_one_line_and_exit_2(tmp_path, capsys):
    """Before: a raw `ConnectionError` traceback (seed), or a worker that started and closed
    `start_error`."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    for command in (
        ["seed", "--ids", "1"],
        ["collect"],
        ["requeue", "--worker", "w1"],
    ):
        assert cli.main([command[0], "--spider", "ask39", "--redis-url", closed, *command[1:]]) == 2
        err = capsys.readouterr().err
        assert (
            err.startswith(f"medcrawl: cannot reach Redis at {closed} (") and err.count("\n") == 1
        )
    worker = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ask39", "-s", "LOG_LEVEL=ERROR"],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": closed},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 2
    assert worker.stderr.strip().startswith(f"medcrawl: cannot reach Redis at {closed} (")
    assert "Traceback" not in worker.stderr
    assert cluster.shown("redis://:secret@10.0.0.5:6379/0") == "redis://:***@10.0.0.5:6379/0"


@pytest.mark.parametrize(
    ("env", "cmdline", "project", "expected"),
    [
        (None, None, "", ""),  # no cluster
        (None, None, "redis://settings", "redis://settings"),
        ("redis://env", None, "redis://settings", "redis://env"),
        ("redis://env", "redis://cmdline", "redis://settings", "redis://cmdline"),
        ("redis://env", "", "", ""),  # `-s REDIS_URL=` turns an exported one off
    ],
)
def test_redis_url_precedence(monkeypatch, env, cmdline, project, expected):
    """`-s REDIS_URL` > `$REDIS_URL` > the REDIS_URL setting. Before: `$REDIS_URL` was not
    read, and a worker meant for the cluster crawled the live site on its own."""
    if env is None:
        monkeypatch.delenv("REDIS_URL", raising=False)
    else:
        monkeypatch.setenv("REDIS_URL", env)
    settings = Settings({"REDIS_URL": project}, priority="project")
    if cmdline is not None:
        settings.set("REDIS_URL", cmdline, "cmdline")
    assert cluster.redis_url(settings) == expected
    assert cluster.enabled(settings) == bool(expected)
    ClusterAddon().update_settings(settings)
    assert (settings.get("SCHEDULER") is frontier.Scheduler) == bool(expected)
    assert (settings.get("REDIS_URL") or "") == expected


def test_the_readme_cluster_commands_parse():
    """Every `medcrawl …` command the README's "Scaling out" gives (shell lines, systemd
    units) is one the command line accepts."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Scaling out") : readme.index("## Scheduled runs")]
    blocks = "\n".join(re.findall(r"```\w*\n(.*?)```", section, re.S))
    lines = re.findall(
        r"(?:^|[\s=])(?:/\S+/)?medcrawl ((?:seed|collect|requeue|crawl) .*)", blocks, re.M
    )
    lines = [line.split("#")[0] for line in lines]
    assert len(lines) >= 8
    parser = cli.build_parser()
    for line in lines:
        argv = shlex.split(line.replace("$(hostname)", "host"))
        args = parser.parse_args(argv)  # exits (SystemExit) on a command it does not accept
        assert args.func, line
