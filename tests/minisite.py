"""A small, misbehaving ask.39.net on 127.0.0.1, for crawl tests and the crawl benchmark.

The crawl keeps asking for the real site's URLs (`https://ask.39.net/question/1.html`), so
routing, canonical URLs and ids are unchanged: `LocalSiteHandler`, a download handler set
by `crawl_settings()`, sends every request as plain HTTP through the server as a proxy, and
gives the response back under the URL that was asked for. Nothing leaves the machine.

API (also for other tests)::

    with MiniSite(pages) as site:            # or site = MiniSite(pages).start(); site.stop()
        site.url                             # http://127.0.0.1:PORT
        site.pages["ask.39.net/question/5.html"] = Page(...)   # host + path [+ "?" + query]
        site.faults["ask.39.net/question/5.html"] = ["500"]    # one fault per hit, then the page
        result = run_crawl(site, tmp_path, "-a", "question=5")
        site.count("ask.39.net/question/5.html")               # hits, from site.hits

Faults: `"500"` `"503"` `"404"` (that status), `"429:N"` (429 with `Retry-After: N`),
`"hang"` (no answer for `site.hang_seconds`, then close), `"reset"` (connection reset before
a reply), `"truncate"` (half the body under the full Content-Length), `"challenge"` (302 to
the bot check at image.39.net/verify.html), `"empty"` (200 with no body), `"redirect:URL"` (302 to
URL).

Pages (keys without a query also answer requests with one): `question_page()`, `list_page()`,
`index_page()` and friends build ask39 markup from the fixture pages; `demo_site()` is a small
site with categories, paging, related links and the bot-check page.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.statscollectors import MemoryStatsCollector
from warcio.warcwriter import WARCWriter

from medcrawl.archive.warc import write_capture
from medcrawl.crawl.encoding import rebuilt

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "ask39"
HOST = "ask.39.net"

# --- pages ----------------------------------------------------------------------------------


@dataclass
class Page:
    """One answer of the site."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def fixture_html(name: str = "seed_2024") -> str:
    return (FIXTURES / f"{name}.html").read_text(encoding="utf-8")


_RELATED_BOX = re.compile(r'<div class="relevant_ask">.*?</ul>\s*</div>', re.S)


def question_page(
    related: Iterable[int | str] = (), fixture: str = "seed_2024", html: str | None = None
) -> bytes:
    """A question page (a fixture page) whose related box links the given question ids, in
    the forms links take on the site (relative, protocol-relative, the wapask twin …)."""
    html = html if html is not None else fixture_html(fixture)
    links = "".join(
        f'<li><a href="{href}" title="相关问题">相关问题</a><span>2个回答</span></li>'
        for href in related_hrefs(related)
    )
    box = f'<div class="relevant_ask"><h3>其他人还在看</h3><ul>{links}</ul></div>'
    if _RELATED_BOX.search(html):
        html = _RELATED_BOX.sub(lambda _: box, html, count=1)
    else:
        html = html.replace("</body>", f"{box}</body>", 1)
    return html.encode("utf-8")


def related_hrefs(ids: Iterable[int | str]) -> list[str]:
    """Links to question ids, cycling through the URL forms one page may use."""
    forms = (
        "/question/{}.html",
        "http://ask.39.net/question/{}.html?from=related",
        "//wapask.39.net/question/{}.html",
        "https://ask.39.net/question/{}.html#answers",
    )
    return [forms[i % len(forms)].format(q) for i, q in enumerate(ids)]


def list_page(
    class_id: int,
    page: int,
    last: int,
    items: Iterable[tuple[int | str, date | None]],
    next_link: bool = True,
) -> bytes:
    """A category list page as ask.39.net lays it out: `ul.list_ask li` with the title link in
    `p.p1` and the date in the item's text; the pager `span.pages` with `a.next` (unless
    `next_link` is False) and, in `span.pgleft`, numbered links up to 尾页 (the last page)."""
    rows = []
    for qid, posted in items:
        when = f'<span class="time">{posted.isoformat()}</span>' if posted else ""
        rows.append(
            f'<li><span><p class="p1"><a href="/question/{qid}.html" title="问题{qid}">问题{qid}'
            f'</a></p><p class="p2">病情描述……</p></span><p class="p3"><span>1个回答</span>{when}'
            "</p></li>"
        )
    pager = [f'<a href="/news/{class_id}-1.html" target="_self">首页</a>']
    pager += [f'<a href="/news/{class_id}-{n}.html" target="_self">{n}</a>' for n in (page, last)]
    pager.append(f'<a href="/news/{class_id}-{last}.html" target="_self">尾页</a>')
    nxt = (
        f'<a class="next" href="/news/{class_id}-{page + 1}.html">下一页</a>'
        if next_link and page < last
        else ""
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>分类{class_id}_39问医生</title>'
        f'</head><body><div class="wrap_area clearfix"><ul class="list_ask list_ask2">'
        f'{"".join(rows)}</ul><span class="pages"><span class="pgleft">{"".join(pager)}</span>'
        f"{nxt}</span></div></body></html>"
    ).encode()


def index_page(class_ids: Iterable[int]) -> bytes:
    """The category index (`browse/jibing.html`): `li.sublink` links to each first list page."""
    links = "".join(
        f'<li class="sublink"><a href="/news/{c}-1.html">分类{c}</a></li>' for c in class_ids
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>疾病分类_39问医生</title></head>'
        f"<body><ul>{links}</ul></body></html>"
    ).encode()


def message_page(text: str) -> bytes:
    """A page with only a message: a removed question, a soft 404, a challenge page."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{text}</title></head>'
        f'<body><div class="tips"><p>{text}</p></div></body></html>'
    ).encode()


def gbk_page(html_bytes: bytes) -> Page:
    """The same page re-encoded as GBK, with no charset anywhere (header or markup)."""
    html = re.sub(r"<meta[^>]*charset[^>]*>", "", html_bytes.decode("utf-8"), flags=re.I)
    return Page(html.encode("gbk", errors="xmlcharrefreplace"), content_type="text/html")


ROBOTS = "User-agent: *\nDisallow: /question/4040.html\n"
#: The bot check a question may redirect to, and what a challenge page says.
VERIFY_KEY = "image.39.net/verify.html"
CHALLENGE = message_page("安全验证 - 请拖动滑块完成验证")


def demo_site(
    categories: dict[int, int] | None = None,
    per_page: int = 4,
    first_id: int = 1000,
    newest: date = date(2024, 3, 1),
) -> tuple[dict[str, Page], dict[int, list[int]]]:
    """Pages of a small site: the index, each category's paged list (`categories` maps class id
    → number of pages; dates run back one day per item from `newest`), each listed question.
    Category 237 (when present) pages by its last-page link only (no `下一页`). Returns the
    pages and the question ids of each category in list order."""
    categories = categories or {3166: 3, 237: 2}
    pages: dict[str, Page] = {
        f"{HOST}/browse/jibing.html": Page(index_page(categories)),
        f"{HOST}/robots.txt": Page(ROBOTS.encode(), content_type="text/plain"),
        VERIFY_KEY: Page(CHALLENGE),
    }
    by_category: dict[int, list[int]] = {}
    next_id = first_id
    for class_id, last in categories.items():
        ids = list(range(next_id, next_id + last * per_page))
        next_id += len(ids) + 100
        by_category[class_id] = ids
        for page in range(1, last + 1):
            chunk = ids[(page - 1) * per_page : page * per_page]
            items = [(q, newest - timedelta(days=ids.index(q))) for q in chunk]
            body = list_page(class_id, page, last, items, next_link=class_id != 237)
            pages[f"{HOST}/news/{class_id}-{page}.html"] = Page(body)
        for n, qid in enumerate(ids):
            # Each page links the next question of its category (also listed: a duplicate).
            pages[f"{HOST}/question/{qid}.html"] = Page(question_page([ids[(n + 1) % len(ids)]]))
    return pages, by_category


def write_archive(pages: dict[str, Page], path: Path) -> Path:
    """The pages as one gzipped WARC file, for a crawl with `-a replay=PATH` (HTTPS URLs, the
    capture date 2024-03-02)."""
    when = datetime(2024, 3, 2, tzinfo=timezone.utc)
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for key, page in pages.items():
            headers = [("Content-Type", page.content_type), *page.headers.items()]
            status = f"{page.status} {HTTPStatus(page.status).phrase}"
            write_capture(
                writer, f"https://{key}", page.body, date=when, status=status, headers=headers
            )
    return path


# --- the server ------------------------------------------------------------------------------


@dataclass
class Hit:
    """One request the site received."""

    key: str
    fault: str | None
    at: float


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host = parts.netloc or self.headers.get("Host", "")
        key = host + parts.path + (f"?{parts.query}" if parts.query else "")
        site = self.server.site
        fault = site.take_fault(key)
        site.record(Hit(key, fault, time.monotonic()))
        if fault is None:
            page = (
                site.pages.get(key)
                or site.pages.get(key.split("?", 1)[0])
                or Page(message_page("404 Not Found"), status=404)
            )
            self.reply(page)
        else:
            self.misbehave(fault, key, site)

    def reply(self, page: Page, body: bytes | None = None) -> None:
        body = page.body if body is None else body
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(body)

    def misbehave(self, fault: str, key: str, site: MiniSite) -> None:
        status, _, arg = fault.partition(":")
        if status.isdigit():
            headers = {"Retry-After": arg} if arg else {}
            self.reply(Page(message_page(f"error {status}"), status=int(status), headers=headers))
        elif fault == "hang":
            time.sleep(site.hang_seconds)
            self.close_connection = True
        elif fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif fault == "truncate":
            page = site.pages[key]
            self.reply(page, body=page.body[: len(page.body) // 2])
            self.close_connection = True
        elif fault == "challenge":
            target = f"https://image.39.net/verify.html?referer={quote('https://' + key, safe='')}"
            self.reply(Page(b"", status=302, headers={"Location": target}))
        elif fault == "empty":
            self.reply(Page(b""))
        elif status == "redirect":
            self.reply(Page(b"", status=302, headers={"Location": arg}))
        else:
            raise ValueError(f"unknown fault {fault!r}")

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: MiniSite) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site

    def handle_error(self, request: Any, client_address: Any) -> None:  # resets, hangs: quiet
        pass


class MiniSite:
    """The server: `pages` and `faults` keyed `host/path[?query]`, every request in `hits`."""

    def __init__(self, pages: dict[str, Page] | None = None, hang_seconds: float = 3.0) -> None:
        self.pages: dict[str, Page] = dict(pages or {})
        self.faults: dict[str, list[str]] = {}
        self.hits: list[Hit] = []
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> MiniSite:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MiniSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def take_fault(self, key: str) -> str | None:
        with self._lock:
            queue = self.faults.get(key)
            return queue.pop(0) if queue else None

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def count(self, key: str) -> int:
        """How many times `key` (host/path[?query]) was requested."""
        return sum(1 for hit in self.hits if hit.key == key)

    def times(self, key: str) -> list[float]:
        """When `key` was requested (monotonic seconds)."""
        return [hit.at for hit in self.hits if hit.key == key]


# --- crawling it -----------------------------------------------------------------------------


class LocalSiteHandler(HTTP11DownloadHandler):
    """Download handler: every http(s) request goes as plain HTTP through the proxy at the
    `MINISITE_URL` setting; the response keeps the URL that was asked for."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.proxy = crawler.settings.get("MINISITE_URL")
        if not self.proxy:
            raise ValueError("LocalSiteHandler needs the MINISITE_URL setting")

    async def download_request(self, request: Request) -> Response:
        plain = "http" + request.url[request.url.index(":") :]
        local = request.replace(url=plain, meta={**request.meta, "proxy": self.proxy})
        response = await super().download_request(local)
        return rebuilt(response, url=request.url)  # no charset guess: that is the crawl's job


class JsonStatsCollector(MemoryStatsCollector):
    """Stats collector that also writes the final stats to `MINISITE_STATS_FILE` (JSON)."""

    def _persist_stats(self, stats: dict[str, Any]) -> None:
        super()._persist_stats(stats)
        path = self._crawler.settings.get("MINISITE_STATS_FILE")
        if path:
            Path(path).write_text(json.dumps(stats, default=str, indent=1), encoding="utf-8")


#: Politeness off and short waits, for tests only (the defaults are for the live site).
FAST_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_TIMEOUT": 1,
    "MEDCRAWL_RETRY_BACKOFF": 0,
    "LOGSTATS_INTERVAL": 1,
}


def crawl_settings(site: MiniSite, stats_file: Path | None = None) -> dict[str, Any]:
    """Settings that send a crawl to `site` (and write its stats to `stats_file`)."""
    handler = f"{__name__}.LocalSiteHandler"
    settings: dict[str, Any] = {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "MINISITE_URL": site.url,
    }
    if stats_file is not None:
        settings |= {
            "STATS_CLASS": f"{__name__}.JsonStatsCollector",
            "MINISITE_STATS_FILE": str(stats_file),
        }
    return settings


@dataclass
class CrawlResult:
    """What a crawl left: its exit status, log, stats and run folder."""

    returncode: int
    log: str
    stats: dict[str, Any]
    run_dir: Path

    def items(self, stem: str) -> list[dict]:
        """The records of `<stem>.jsonl` (none when the file is absent)."""
        path = self.run_dir / f"{stem}.jsonl"
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def question_ids(self) -> set[str]:
        return {q["id"].rsplit(":", 1)[1] for q in self.items("questions")}

    def rejects(self) -> set[tuple[str, str]]:
        """(url, reason) of every reject."""
        return {(r["url"], r["reason"]) for r in self.items("rejects")}


def run_crawl(
    site: MiniSite,
    out_dir: Path,
    *arguments: str,
    settings: dict[str, Any] | None = None,
    run_id: str = "test",
    spider: str = "ask39",
    timeout: float = 120,
) -> CrawlResult:
    """`scrapy crawl <spider> <arguments>` in a subprocess (a fresh reactor) against `site`,
    with FAST_SETTINGS, then `settings`; output under `out_dir`."""
    stats_file = out_dir / f"{run_id}.stats.json"
    merged = {
        **FAST_SETTINGS,
        "MEDCRAWL_OUTPUT_DIR": str(out_dir),
        **crawl_settings(site, stats_file),
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"run_id={run_id}"]
    command += list(arguments)
    for name, value in merged.items():
        text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        command += ["-s", f"{name}={text}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    return CrawlResult(done.returncode, done.stderr, stats, out_dir / spider / run_id)
