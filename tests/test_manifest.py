"""RunManifest without a crawl: it writes once both the spider has closed and the feeds are
stored, in either order, and only into a medcrawl run folder."""

from __future__ import annotations

import json

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from medcrawl.manifest import RunManifest


def manifest_for(spider_attrs: dict) -> RunManifest:
    crawler = get_crawler(Spider, {"FEEDS": {"x.jsonl": {"format": "jsonlines"}}})
    crawler.spider = Spider("plain", **spider_attrs)
    return RunManifest.from_crawler(crawler)


@pytest.mark.parametrize("feeds_first", [True, False])
def test_written_after_close_and_feeds_in_either_order(tmp_path, feeds_first):
    (tmp_path / "questions.jsonl").write_text('{"id": "a"}\n{"id": "b"}\n', encoding="utf-8")
    extension = manifest_for({"run_dir": str(tmp_path), "run_id": "r1"})
    steps = [extension.feed_exporter_closed, lambda: extension.spider_closed(None, "finished")]
    for step in steps if feeds_first else steps[::-1]:
        assert not (tmp_path / "manifest.json").exists()
        step()
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["run_id"], manifest["finish_reason"]) == ("r1", "finished")
    assert manifest["arguments"] == {"run_id": "r1", "start_urls": []}  # no `arguments`: attributes
    assert manifest["files"]["questions.jsonl"]["records"] == 2


def test_a_spider_without_a_run_folder_gets_no_manifest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    extension = manifest_for({})
    extension.spider_closed(None, "finished")
    extension.feed_exporter_closed()
    assert list(tmp_path.iterdir()) == []
