"""Replay from WARC archives: `medcrawl.archive.warc` and `ReplayMiddleware`, without a crawl."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.warcwriter import WARCWriter

from medcrawl.archive.replay import ReplayMiddleware
from medcrawl.archive.warc import WarcIndex, url_key, warc_files, write_capture
from medcrawl.sites.spider import fetched_at

HTML = [("Content-Type", "text/html; charset=utf-8")]
MARCH = datetime(2024, 3, 1, 8, 30, tzinfo=timezone.utc)


def write_warc(path: Path, captures: list[dict], *, compress: bool = True) -> Path:
    """A WARC file holding `captures` (keyword arguments of `write_capture`)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)
        for capture in captures:
            write_capture(writer, **{"date": MARCH, "headers": HTML, **capture})
    return path


def middleware(path: Path) -> ReplayMiddleware:
    crawler = get_crawler(settings_dict={"MEDCRAWL_REPLAY": str(path)})
    return ReplayMiddleware.from_crawler(crawler)


def test_url_key_ignores_scheme_default_port_query_order_and_fragment():
    key = url_key("https://ask.39.net/news/1-1.html?b=2&a=1#top")
    assert key == "//ask.39.net/news/1-1.html?a=1&b=2"
    assert url_key("http://ask.39.net:80/news/1-1.html?a=1&b=2") == key
    assert url_key("<https://ask.39.net:443/news/1-1.html?a=1&b=2>") == key


def test_http_https_and_query_order_resolve_to_the_same_capture(tmp_path):
    url = "https://ask.39.net/search?q=头痛&page=2"
    path = write_warc(tmp_path / "a.warc.gz", [{"url": url, "body": "<p>头痛</p>".encode()}])
    replay = middleware(path)
    for asked in (url, "http://ask.39.net/search?page=2&q=头痛", f"{url}#answers"):
        request = Request(asked)
        response = replay.process_request(request)
        assert (response.status, response.text) == (200, "<p>头痛</p>"), asked
        assert response.url == request.url  # the request's URL, so routing and redirects hold
    assert replay.stats.get_value("medcrawl/replay/hit") == 3


def test_a_miss_is_a_404_and_never_the_network(tmp_path):
    path = write_warc(tmp_path / "a.warc.gz", [{"url": "https://ask.39.net/a.html", "body": b"a"}])
    replay = middleware(path)
    response = replay.process_request(Request("https://ask.39.net/question/404.html"))
    # A Response from process_request means no download handler runs for this request.
    assert response.status == 404
    assert "replay-miss" in response.flags
    assert replay.stats.get_value("medcrawl/replay/miss") == 1
    assert replay.stats.get_value("medcrawl/replay/hit") is None


def test_gzip_content_encoding_and_chunked_transfer_are_decoded(tmp_path):
    page = "<html><body><p>面部肌肉痉挛</p></body></html>".encode()
    packed = gzip.compress(page, mtime=0)
    chunked = (
        b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (page[:20], page[20:]))
        + b"0\r\n\r\n"
    )
    both = b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed)
    gzipped = [*HTML, ("Content-Encoding", "gzip")]
    stored = {
        "gz": (packed, [*gzipped, ("Content-Length", str(len(packed)))]),
        "chunked": (chunked, [*HTML, ("Transfer-Encoding", "chunked")]),
        "both": (both, [*gzipped, ("Transfer-Encoding", "chunked")]),
    }
    captures = [
        {"url": f"https://ask.39.net/{name}.html", "body": body, "headers": headers}
        for name, (body, headers) in stored.items()
    ]
    path = write_warc(tmp_path / "a.warc.gz", captures)
    replay = middleware(path)
    for name in stored:
        response = replay.process_request(Request(f"https://ask.39.net/{name}.html"))
        assert isinstance(response, HtmlResponse)
        assert response.body == page, name
        assert response.css("p::text").get() == "面部肌肉痉挛"
        # The stored framing is gone, so no later middleware decodes the body again.
        for header in (b"Content-Encoding", b"Transfer-Encoding", b"Content-Length"):
            assert header not in response.headers, (name, header)


def test_an_encoding_warcio_cannot_decode_is_left_for_scrapy(tmp_path):
    headers = [*HTML, ("Content-Encoding", "x-unknown")]
    path = write_warc(
        tmp_path / "a.warc", [{"url": "https://a.cn/", "body": b"??", "headers": headers}]
    )
    capture = WarcIndex(path).get("https://a.cn/")
    assert ("Content-Encoding", "x-unknown") in capture.headers
    assert capture.body == b"??"


def test_an_archived_redirect_is_replayed_as_a_redirect(tmp_path):
    question = "https://ask.39.net/question/77.html"
    verify = (
        "https://image.39.net/verify.html?referer=https%3A%2F%2Fask.39.net%2Fquestion%2F77.html"
    )
    path = write_warc(
        tmp_path / "a.warc.gz",
        [
            {
                "url": question,
                "body": b"",
                "status": "302 Found",
                "headers": [("Location", verify)],
            },
            {"url": verify, "body": "<title>安全验证</title>".encode()},
        ],
    )
    replay = middleware(path)
    request = Request(question)
    response = replay.process_request(request)
    assert response.status == 302
    assert response.headers[b"Location"].decode() == verify
    redirect = RedirectMiddleware.from_crawler(get_crawler())
    followed = redirect.process_response(request, response)
    assert isinstance(followed, Request)
    assert followed.url == verify
    assert replay.process_request(followed).text == "<title>安全验证</title>"


def test_a_folder_of_warcs_is_read_and_the_latest_capture_wins(tmp_path):
    url = "https://ask.39.net/question/1.html"
    folder = tmp_path / "crawls"
    (folder / "2024").mkdir(parents=True)
    older = datetime(2023, 1, 1, tzinfo=timezone.utc)
    # File order puts the old capture last; the WARC-Date decides.
    write_warc(folder / "2024" / "a.warc.gz", [{"url": url, "body": b"new"}])
    old = [{"url": url, "body": b"old", "date": older},
           {"url": "https://ask.39.net/only-old", "body": b"x", "date": older}]  # fmt: skip
    write_warc(folder / "z-old.warc", old, compress=False)
    (folder / "notes.txt").write_text("not a WARC")
    assert [p.name for p in warc_files(folder)] == ["a.warc.gz", "z-old.warc"]
    index = WarcIndex(folder)
    assert len(index) == 2
    assert index.get(url).body == b"new"
    assert index.get(url).date == MARCH
    assert index.get("https://ask.39.net/only-old").body == b"x"


def test_the_latest_capture_wins_within_one_file(tmp_path):
    url = "https://ask.39.net/question/1.html"
    older = datetime(2023, 1, 1, tzinfo=timezone.utc)
    path = write_warc(
        tmp_path / "a.warc.gz",
        [{"url": url, "body": b"new"}, {"url": url, "body": b"old", "date": older}],
    )
    assert WarcIndex(path).get(url).body == b"new"


@pytest.mark.parametrize("where", ["missing.warc.gz", "empty-folder"])
def test_a_path_without_warcs_is_a_clear_error(tmp_path, where):
    (tmp_path / "empty-folder").mkdir()
    with pytest.raises(FileNotFoundError, match=r"WARC|warc"):
        middleware(tmp_path / where)


def test_warc_date_becomes_the_date_header_so_relative_dates_count_from_capture(tmp_path):
    path = write_warc(
        tmp_path / "a.warc.gz", [{"url": "https://a.cn/", "body": "<p>3天前</p>".encode()}]
    )
    response = middleware(path).process_request(Request("https://a.cn/"))
    assert parsedate_to_datetime(response.headers[b"Date"].decode()) == MARCH
    assert fetched_at(response) == MARCH


def test_an_archived_date_header_is_kept(tmp_path):
    served = "Fri, 01 Mar 2024 08:29:58 GMT"
    headers = [*HTML, ("Date", served)]
    path = write_warc(
        tmp_path / "a.warc.gz", [{"url": "https://a.cn/", "body": b"x", "headers": headers}]
    )
    response = middleware(path).process_request(Request("https://a.cn/"))
    assert response.headers.getlist(b"Date") == [served.encode()]


def test_write_capture_is_deterministic(tmp_path):
    captures = [{"url": "https://ask.39.net/question/1.html", "body": "<p>一</p>".encode()}]
    first = write_warc(tmp_path / "1.warc.gz", captures).read_bytes()
    assert write_warc(tmp_path / "2.warc.gz", captures).read_bytes() == first


def three_pages(tmp_path: Path, compress: bool) -> tuple[Path, list[str]]:
    urls = [f"https://ask.39.net/question/{n}.html" for n in (1, 2, 3)]
    captures = [{"url": url, "body": f"<p>问题 {url}</p>".encode() * 200} for url in urls]
    name = "three.warc.gz" if compress else "three.warc"
    return write_warc(tmp_path / name, captures, compress=compress), urls


@pytest.mark.parametrize("compress", [True, False])
def test_an_archive_cut_mid_record_serves_only_whole_records(tmp_path, caplog, compress):
    """Its last page, cut, would parse as another page (`not_question`): it is not served, and
    one warning says what was lost."""
    path, urls = three_pages(tmp_path, compress)
    whole = path.read_bytes()
    index = WarcIndex(path)
    last = index._where[url_key(urls[2])][2]  # where the third response record starts
    index.close()
    path.write_bytes(whole[: last + (len(whole) - last) // 4])  # cut inside that record
    index = WarcIndex(path)
    assert len(index) == 2 and index.get(urls[2]) is None
    assert index.get(urls[1]).body == f"<p>问题 {urls[1]}</p>".encode() * 200
    assert index.lost == 1
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    # Cut in its body, warcio names the record; cut in its (gzipped) headers, it cannot.
    assert warning in (
        f"Replay: {path} is cut at record 5 (a response of {urls[2]}, byte {last}): 1 record "
        "lost, not replayed; the 4 before it are",
        f"Replay: {path} is cut after record 4 (byte {last}): 1 record lost, not replayed; "
        "the 4 before it are",
    )
    replay = ReplayMiddleware(get_crawler(settings_dict={"MEDCRAWL_REPLAY": str(path)}), str(path))
    assert replay.stats.get_value("medcrawl/replay/lost_records") == 1


def test_an_unreadable_stretch_ends_the_file_with_a_warning(tmp_path, caplog):
    path, urls = three_pages(tmp_path, compress=True)
    whole = path.read_bytes()
    index = WarcIndex(path)
    second = index._where[url_key(urls[1])][2]
    index.close()
    path.write_bytes(whole[:second] + bytes(range(256)) * 8 + whole[second:])
    index = WarcIndex(path)
    assert len(index) == 1 and index.lost == 1
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warning.startswith(f"Replay: {path} is unreadable after record 2 (")
    assert warning.endswith("the rest of the file is not replayed (at least 1 record lost)")
    assert "\\x" not in warning
