"""Cluster mode against real servers on 127.0.0.1: a redis-server started here, the mini site
(tests/minisite.py) as ask.39.net, `scrapy crawl` workers in subprocesses.

Two workers crawl one seeded queue: their collected output equals a single-process crawl,
no page is fetched twice, the shared rate limit spaces their requests. A worker SIGKILLed
mid-crawl and started again loses nothing; only the pages it had in flight are fetched again.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import pickle
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from medcrawl import cli
from medcrawl.cluster import Keys, inflight_key
from medcrawl.cluster.collect import collect
from medcrawl.cluster.politeness import DomainRateLimit
from medcrawl.cluster.seed import id_range
from tests.minisite import FAST_SETTINGS, ROOT, MiniSite, crawl_settings, demo_site, run_crawl
from tests.servers import redis_server

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)"
)

#: Seconds between two requests to the site from all workers together, in these tests.
INTERVAL = 0.03
#: Fields that differ between two fetches of one page.
VOLATILE = {"crawled_at", "at"}


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def db(redis_url: str) -> redis.Redis:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    return client


@pytest.fixture(scope="module")
def site() -> Iterator[MiniSite]:
    pages, _ = demo_site(categories={3166: 6, 237: 6, 52: 6}, per_page=5)
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
    site: MiniSite, redis_url: str, worker: str, tmp: Path, **extra: Any
) -> subprocess.Popen:
    """`scrapy crawl ask39` in cluster mode against `site`; log and stats in `tmp`; `extra`
    settings on top."""
    settings: dict[str, Any] = {
        **FAST_SETTINGS,
        **crawl_settings(site, tmp / f"{worker}.stats.json"),
        "REDIS_URL": redis_url,
        "MEDCRAWL_WORKER_ID": worker,
        "MEDCRAWL_CLUSTER_IDLE_CLOSE": 1,
        "MEDCRAWL_DOMAIN_INTERVAL": INTERVAL,
        "MEDCRAWL_OUTPUT_DIR": str(tmp / "worker-output"),
        "CONCURRENT_REQUESTS": 4,  # a worker takes no more than it can start on
        "LOG_LEVEL": "INFO",
        **extra,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "ask39"]
    for name, value in settings.items():
        command += ["-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}"]
    log = (tmp / f"{worker}.log").open("a", encoding="utf-8")
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)


def finish(*workers: subprocess.Popen) -> None:
    for worker in workers:
        assert worker.wait(timeout=90) == 0


def seed(redis_url: str, *arguments: str) -> None:
    assert cli.main(["seed", "--spider", "ask39", "--redis-url", redis_url, *arguments]) == 0


def fetches(site: MiniSite) -> Counter[str]:
    """Pages the site served and how often, robots.txt aside (each worker reads it)."""
    return Counter(hit.key for hit in site.hits if not hit.key.endswith("/robots.txt"))


def test_two_workers_share_one_frontier(site, single, redis_url, db, tmp_path):
    site.hits.clear()
    # The index (which leads to everything), two questions the lists also link, a list page
    # the index links (a plain URL), and one bad seed.
    seed(redis_url, "--default-start", "--ids", "1000-1001")
    keys = Keys.of(Settings(), "ask39")
    db.rpush(keys.start, "https://ask.39.net/news/237-1.html", "not a url")
    workers = [start_worker(site, redis_url, name, tmp_path) for name in ("w1", "w2")]
    finish(*workers)

    pushed = [json.loads(raw) for raw in db.lrange(keys.items, 0, -1)]
    questions = [e["item"]["id"] for e in pushed if e["file"] == "questions"]
    assert len(questions) == len(set(questions)) == 90  # no question produced twice
    assert max(fetches(site).values()) == 1  # no page fetched twice, seeds included
    stats = [json.loads((tmp_path / f"{w}.stats.json").read_text()) for w in ("w1", "w2")]
    assert all(s["downloader/response_count"] > 5 for s in stats)  # both took their share

    assert (
        cli.main(
            [
                "collect",
                "--spider",
                "ask39",
                "--redis-url",
                redis_url,
                "--output-dir",
                str(tmp_path / "out"),
                "--run-id",
                "both",
            ]
        )
        == 0
    )
    assert db.llen(keys.items) == 0
    cluster = read_run(tmp_path / "out" / "ask39" / "both")
    assert [(r["url"], r["reason"]) for r in cluster.pop("rejects")] == [("not a url", "bad_seed")]
    assert comparable(cluster) == comparable(single)
    for records in cluster.values():
        assert len({r["id"] for r in records}) == len(records)  # no id written twice

    # The shared rate limit: any 20 consecutive requests from both workers span ≥ 20 intervals,
    # less a margin for a busy worker that sends a little after it took its token.
    times = sorted(hit.at for hit in site.hits)
    spans = [b - a for a, b in zip(times, times[20:], strict=False)]
    assert min(spans) >= 20 * INTERVAL * 0.75
    assert sum(s.get("medcrawl/politeness/delayed", 0) for s in stats) > 0


def test_a_killed_worker_loses_nothing(site, single, redis_url, db, tmp_path):
    site.hits.clear()
    seed(redis_url, "--default-start")
    keys = Keys.of(Settings(), "ask39")
    ledger = inflight_key(keys.queue, "w2")
    w1 = start_worker(site, redis_url, "w1", tmp_path)
    w2 = start_worker(site, redis_url, "w2", tmp_path)
    deadline = time.monotonic() + 60
    while sum(k.startswith("ask.39.net/question/") for k in fetches(site)) < 25 or not db.zcard(
        ledger
    ):
        assert time.monotonic() < deadline and w2.poll() is None, "crawl ended before the kill"
        time.sleep(0.01)
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
    cli.main(
        [
            "collect",
            "--spider",
            "ask39",
            "--redis-url",
            redis_url,
            "--output-dir",
            str(tmp_path),
            "--run-id",
            "k",
        ]
    )
    cluster = read_run(tmp_path / "ask39" / "k")
    assert comparable(cluster) == comparable(single)


def test_bad_seeds_are_rejected_and_the_worker_carries_on(site, redis_url, db, tmp_path):
    """Each bad seed becomes a `bad_seed` reject and leaves the seed list and the ledger; the
    seeds after it are crawled. Before: the first one raised in `start()` and stayed in the
    ledger, to crash the worker again on every restart (an off-site one was silently dropped)."""
    keys = Keys.of(Settings(), "ask39")
    bad = {
        b"\xff\xfehttps://ask.39.net/question/1002.html": "not UTF-8",
        b'{"url": "https://ask.39.net/question/1002.html"': "not JSON",
        b'{"url": "https://ask.39.net/question/1002.html", "meta": ["x"]}': "meta is not",
        b'{"url": "https://example.com/question/1002.html"}': "not a URL of this site",
        b"https://example.com/question/1002.html": "not a URL of this site",
        b'{"url": 1002}': "not a URL of this site",
    }
    db.rpush(keys.start, *bad)
    db.rpush(keys.start, "1000", json.dumps({"url": "https://ask.39.net/question/1001.html"}))
    # A worker that died holding a bad seed gets it back first: it must not crash again.
    db.rpush(inflight_key(keys.start, "w1"), b"\xff")
    # 7 rejects in ~40 pages: more than the monitors' error rate allows, on purpose.
    finish(start_worker(site, redis_url, "w1", tmp_path, MEDCRAWL_MAX_ERROR_RATE=1))

    pushed = [json.loads(raw) for raw in db.lrange(keys.items, 0, -1)]
    rejects = {
        e["item"]["url"]: e["item"]
        for e in pushed
        if e["file"] == "rejects" and e["item"]["reason"] == "bad_seed"
    }
    expected = {raw.decode("utf-8", "backslashreplace"): why for raw, why in bad.items()}
    expected["\\xff"] = "not UTF-8"
    assert sorted(rejects) == sorted(expected)
    for url, why in expected.items():
        assert rejects[url]["detail"].startswith(f"{keys.start}: {why}")
    questions = {e["item"]["id"] for e in pushed if e["file"] == "questions"}
    assert {"ask39:1000", "ask39:1001"} <= questions  # (and the questions they link)
    assert db.llen(keys.start) == 0
    assert not db.exists(inflight_key(keys.start, "w1"))
    stats = json.loads((tmp_path / "w1.stats.json").read_text())
    assert stats["medcrawl/skipped/bad_seed"] == len(expected)
    assert "Skipped \\xff: bad_seed" in (tmp_path / "w1.log").read_text()


def test_rate_limit_is_shared_between_workers(redis_url, db):
    """Two workers' limiters (two Redis clients) asking at once for one host: one grant per
    interval in all; another host does not wait."""
    settings = {"REDIS_URL": redis_url, "MEDCRAWL_DOMAIN_INTERVAL": 0.05}
    limiters = [
        DomainRateLimit.from_crawler(
            get_crawler(settings_dict={**settings, "MEDCRAWL_WORKER_ID": w})
        )
        for w in ("a", "b")
    ]
    granted: list[tuple[str, float]] = []

    async def take(limiter: DomainRateLimit, host: str) -> None:
        await limiter.take(host)
        granted.append((host, time.monotonic()))

    async def main() -> float:
        begin = time.monotonic()
        await asyncio.gather(
            *(take(limiter, "ask.39.net") for limiter in limiters for _ in range(4)),
            take(limiters[0], "other.example"),
        )
        return begin

    begin = asyncio.run(main())
    times = [at for host, at in granted if host == "ask.39.net"]
    assert len(times) == 8
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.05 * 0.95
    assert next(at for host, at in granted if host == "other.example") - begin < 0.05


def test_collect_goes_on_from_a_killed_collector(db, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    # A killed collector's file: still `.part`, its last line torn.
    (run_dir / "questions.jsonl.part").write_text('{"id": "ask39:1"}\n{"id": "ask3', "utf-8")
    entries = [
        {"file": "questions", "item": {"id": "ask39:1"}},
        {"file": "questions", "item": {"id": "ask39:2", "title": "头痛"}},
        {"file": "questions", "item": {"id": "ask39:2", "title": "头痛"}},
        {"file": "rejects", "item": {"url": "u", "reason": "removed", "at": "t1"}},
        {"file": "rejects", "item": {"url": "u", "reason": "removed", "at": "t2"}},
    ]
    db.rpush("items", *(json.dumps(e, ensure_ascii=False) for e in entries))
    assert collect(db, "items", run_dir, batch=2) == {"questions": 1, "rejects": 1}
    assert (run_dir / "questions.jsonl").read_text(encoding="utf-8") == (
        '{"id": "ask39:1"}\n{"id": "ask39:2", "title": "头痛"}\n'
    )
    assert db.llen("items") == 0
    assert sorted(p.name for p in run_dir.iterdir()) == ["questions.jsonl", "rejects.jsonl"]


def test_seed_refuses_bad_input_before_touching_redis(db, redis_url, capsys):
    assert (
        cli.main(
            ["seed", "--spider", "ask39", "--redis-url", redis_url, "https://example.com/x.html"]
        )
        == 2
    )
    assert cli.main(["seed", "--spider", "ask39", "--redis-url", redis_url, "--ids", "20-10"]) == 2
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
    assert "Pushed 4 seeds" in capsys.readouterr().out

    # --reset forgets the frontier — seeds, queue, seen set, every worker's ledgers — first.
    db.sadd("ask39:dupefilter", "fingerprint")
    db.zadd("ask39:requests", {b"request": 0})
    db.zadd(inflight_key("ask39:requests", "w9"), {b"request": 0})
    db.rpush(inflight_key("ask39:start_urls", "w9"), "seed")
    seed(redis_url, "--reset", "--ids", "7")
    assert db.keys("*") == [b"ask39:start_urls"]
    assert db.lrange("ask39:start_urls", 0, -1) == [
        b'{"url": "https://ask.39.net/question/7.html"}'
    ]
