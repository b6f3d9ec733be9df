"""Archiving while crawling (`MEDCRAWL_WARC`) and re-extracting from the archive offline."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from medcrawl.archive.warc import WarcIndex
from medcrawl.archive.writer import ArchiveMiddleware, WarcFiles
from tests.conftest import FIXTURES, fixture_names, load_expected
from tests.proxy_site import Page, proxy_site

ROOT = Path(__file__).parent.parent
SEED = (FIXTURES / "ask39" / "seed_2024.html").read_bytes()
DEMO = ROOT / "demo" / "ask39-demo.warc.gz"
Q = "ask.39.net/question"


def crawl(tmp_path: Path, run_id: str, start: list[str], *args: str, env=None) -> Path:
    """`scrapy crawl ask39` in a subprocess (a fresh reactor); returns the run folder."""
    command = [sys.executable, "-m", "scrapy", "crawl", "ask39", "-a", f"run_id={run_id}"]
    command += ["-a", "start=" + ",".join(start), "-s", f"MEDCRAWL_OUTPUT_DIR={tmp_path}"]
    command += ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", *args]
    if env and env.get("http_proxy"):  # https too, through the local proxy (canonical URLs)
        handler = "tests.minisite.LocalSiteHandler"
        command += ["-s", f'DOWNLOAD_HANDLERS={{"http": "{handler}", "https": "{handler}"}}']
        command += ["-s", f"MINISITE_URL={env['http_proxy']}"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return tmp_path / "ask39" / run_id


def site_pages() -> dict[str, Page]:
    """Every fixture page at its own URL, plus the seed served the ways servers serve it."""
    pages = {}
    for name in fixture_names("ask39"):
        meta = load_expected("ask39", name)
        body = (FIXTURES / "ask39" / f"{name}.html").read_bytes()
        headers = dict(meta.get("headers", {}))
        content_type = headers.pop("Content-Type", "text/html")
        key = meta["url"].split("://", 1)[1]
        pages[key] = Page(body, content_type=content_type, headers=headers, encoding="gzip")
    pages |= {
        f"{Q}/91201364.html": Page(SEED, encoding="gzip"),
        f"{Q}/900001.html": Page(SEED, encoding="gzip", chunked=True),
        f"{Q}/900002.html": Page(SEED, encoding="zstd"),  # warcio can't decode; Scrapy does
        f"{Q}/900003.html": Page(SEED),
        f"{Q}/900004.html": Page(status=302, location=f"http://{Q}/900005.html"),
        f"{Q}/900005.html": Page(SEED, chunked=True),
    }
    return pages


def records(folder: Path) -> list:
    """(file name, type, URI, HTTP headers, raw payload) of every record, in order."""
    out = []
    for path in sorted(folder.iterdir()):
        with path.open("rb") as stream:
            for r in ArchiveIterator(stream):
                uri = r.rec_headers.get_header("WARC-Target-URI")
                out.append((path.name, r.rec_type, uri, r.http_headers, r.raw_stream.read()))
    return out


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_crawl_archived_to_warc_replays_to_the_same_items(tmp_path):
    pages = site_pages()
    start = [f"http://{key}" for key in pages] + [f"http://{Q}/404404.html"]
    warcs = tmp_path / "warc"
    with proxy_site(pages) as site:
        env = {**os.environ, "http_proxy": site.url, "no_proxy": "", "NO_PROXY": ""}
        original = crawl(tmp_path, "live", start, "-s", f"MEDCRAWL_WARC={warcs}", env=env)
        # The spider asks for canonical https URLs (redirect targets too); the handler fetches
        # them as plain http.
        fetched = {u.replace("http:", "https:", 1) for u in site.seen}

    # Standard records that warcio's own command lists: warcinfo, then response + request.
    (name,) = (p.name for p in warcs.iterdir())
    assert name == "medcrawl-ask39-live-00000.warc.gz"
    index = subprocess.run(
        [Path(sys.executable).parent / "warcio", "index", warcs / name],
        capture_output=True,
        text=True,
        check=True,
    )
    listed = [json.loads(line) for line in index.stdout.splitlines()]
    assert listed[0]["warc-type"] == "warcinfo"
    for kind in ("response", "request"):
        uris = {r["warc-target-uri"] for r in listed if r["warc-type"] == kind}
        assert uris == fetched, kind  # robots.txt, the 302, the 404: every exchange

    # Bodies as received: compressed bytes keep their Content-Encoding; no chunk framing.
    stored = {uri: (http, raw) for _, kind, uri, http, raw in records(warcs) if kind == "response"}
    http, raw = stored[f"https://{Q}/91201364.html"]
    assert http.get_header("Content-Encoding") == "gzip"
    assert gzip.decompress(raw) == SEED
    http, raw = stored[f"https://{Q}/900001.html"]
    assert http.get_header("Transfer-Encoding") is None
    assert gzip.decompress(raw) == SEED
    assert stored[f"https://{Q}/900002.html"][0].get_header("Content-Encoding") == "zstd"
    assert stored[f"https://{Q}/900004.html"][0].get_statuscode() == "302"
    assert stored[f"https://{Q}/900005.html"][1] == SEED

    replayed = crawl(tmp_path, "replay", start, "-a", f"replay={warcs}")
    questions = jsonl(original / "questions.jsonl")
    assert {q["id"] for q in questions} >= {
        "ask39:91201364",
        "ask39:900001",
        "ask39:900002",
        "ask39:900003",
        "ask39:900005",
    }
    assert_same_items(original, replayed)


def assert_same_items(original: Path, replayed: Path) -> None:
    """Every output file of the two runs holds the same records (rejects: but for `at`, when
    the reject was written). `crawled_at` comes from the archived Date header, so it is the
    same too."""
    for path in original.glob("*.jsonl"):
        before, after = jsonl(path), jsonl(replayed / path.name)
        if path.stem == "rejects":
            before = [{**r, "at": None} for r in before]
            after = [{**r, "at": None} for r in after]
        key = lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False)  # noqa: E731
        assert sorted(before, key=key) == sorted(after, key=key), path.name
    assert all(q["crawled_at"] for q in jsonl(original / "questions.jsonl"))


def demo_site() -> dict[str, Page]:
    """The demo archive's captures as a live server sends them: the capture's status,
    headers and Date, bodies gzipped when the client accepts it."""
    with DEMO.open("rb") as stream:
        urls = [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(stream)
            if r.rec_type == "response"
        ]
    index, pages = WarcIndex(DEMO), {}
    for url in urls:
        capture = index.get(url)
        headers = dict(capture.headers)
        pages[url.split("://", 1)[1]] = Page(
            capture.body,
            status=capture.status,
            content_type=headers.pop("Content-Type", "text/html"),
            location=headers.pop("Location", None),
            headers=headers,
            encoding="gzip",
        )
    index.close()
    return pages


def test_the_demo_site_crawled_live_and_archived_replays_to_the_same_items(tmp_path):
    """The README's demo site, served over HTTP from its captures: crawled from the category
    index with MEDCRAWL_WARC, the new archive lists in `warcio index` and replays to the
    same items."""
    warcs = tmp_path / "warc"
    start = ["https://ask.39.net/browse/jibing.html"]
    with proxy_site(demo_site()) as site:
        env = {**os.environ, "http_proxy": site.url, "no_proxy": "", "NO_PROXY": ""}
        original = crawl(tmp_path, "live", start, "-s", f"MEDCRAWL_WARC={warcs}", env=env)
    (archive,) = warcs.iterdir()
    index = subprocess.run(
        [Path(sys.executable).parent / "warcio", "index", archive],
        capture_output=True,
        text=True,
        check=True,
    )
    kinds = Counter(json.loads(line)["warc-type"] for line in index.stdout.splitlines())
    assert kinds["warcinfo"] == 1
    assert kinds["response"] == kinds["request"] == len(site.seen)
    assert len(jsonl(original / "questions.jsonl")) > 25  # index → lists → every question
    replayed = crawl(tmp_path, "replay", start, "-a", f"replay={warcs}")
    assert_same_items(original, replayed)


def exchange(n: int, flags: list[str] | None = None) -> tuple[Request, Response]:
    url = f"https://{Q}/{n}.html"
    request = Request(url, headers={"User-Agent": "test"})
    response = HtmlResponse(
        url, body=SEED, headers={"Content-Type": "text/html"}, request=request, flags=flags
    )
    return request, response


def test_files_rotate_by_size_each_with_warcinfo(tmp_path):
    files = WarcFiles(tmp_path, "medcrawl-ask39-r1", max_bytes=1, info={"software": "t"})
    for n in range(5):
        files.write(*exchange(n))
    files.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 5  # a file ends after the exchange that takes it past max_bytes
    assert names[0] == "medcrawl-ask39-r1-00000.warc.gz"
    assert names[-1] == "medcrawl-ask39-r1-00004.warc.gz"
    by_file: dict[str, list[str]] = {}
    for name, kind, *_ in records(tmp_path):
        by_file.setdefault(name, []).append(kind)
    assert set(map(tuple, by_file.values())) == {("warcinfo", "response", "request")}
    index = WarcIndex(tmp_path)
    assert len(index) == 5
    assert index.get(f"https://{Q}/3.html").body == SEED


def test_a_file_is_open_until_complete_and_serials_are_never_reused(tmp_path):
    first = WarcFiles(tmp_path, "run", max_bytes=10**9, info={})
    first.write(*exchange(1))
    assert [p.name for p in tmp_path.iterdir()] == ["run-00000.warc.gz.open"]
    second = WarcFiles(tmp_path, "run", max_bytes=10**9, info={})  # same run id, other process
    second.write(*exchange(2))
    first.close()
    second.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-00000.warc.gz", "run-00001.warc.gz"]


def archiver(tmp_path: Path, **settings) -> ArchiveMiddleware:
    crawler = get_crawler(settings_dict={"MEDCRAWL_WARC": str(tmp_path), **settings})
    middleware = ArchiveMiddleware.from_crawler(crawler)
    middleware.spider_opened(Spider("ask39"))
    return middleware


def test_replayed_responses_are_archived_only_when_asked(tmp_path):
    for replayed, folder in ((False, tmp_path / "no"), (True, tmp_path / "yes")):
        middleware = archiver(folder, MEDCRAWL_WARC_REPLAYED=replayed)
        for n, flags in enumerate((None, ["replay"], ["replay-miss"], ["cached"])):
            middleware.process_response(*exchange(n, flags))
        middleware.spider_closed(Spider("ask39"))
        uris = [uri for _, kind, uri, *_ in records(folder) if kind == "response"]
        expected = ["0", "1", "3"] if replayed else ["0", "3"]  # a miss was never served
        assert uris == [f"https://{Q}/{n}.html" for n in expected]
        assert middleware.stats.get_value("medcrawl/warc/records") == 2 * len(expected)
