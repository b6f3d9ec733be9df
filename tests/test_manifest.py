"""RunManifest without a crawl: it writes once both the spider has closed and the feeds are
stored, in either order, and only into a medcrawl run folder."""

from __future__ import annotations

import json

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from medcrawl.contract.manifest import RunManifest


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


def test_settings_given_on_the_command_line_are_recorded_typed():
    """`-s` values are strings; the manifest keeps them as the type of their default, so
    `medcrawl report` can read thresholds given on the command line."""
    from scrapy.settings import Settings

    from medcrawl import settings as project
    from medcrawl.contract.manifest import recorded_settings

    settings = Settings({k: getattr(project, k) for k in dir(project) if k.isupper()})
    given = {
        "MEDCRAWL_COVERAGE_THRESHOLDS": '{"answers.text": 0.5}',
        "MEDCRAWL_MIN_ITEMS": "3",
        "DOWNLOAD_DELAY": "0.5",
        "ROBOTSTXT_OBEY": "False",
        "MEDCRAWL_REPLAY": "demo/x.warc.gz",
    }
    settings.setdict(given, priority="cmdline")
    recorded = recorded_settings(settings)
    assert recorded["MEDCRAWL_COVERAGE_THRESHOLDS"] == {"answers.text": 0.5}
    assert recorded["MEDCRAWL_MIN_ITEMS"] == 3
    assert recorded["DOWNLOAD_DELAY"] == 0.5
    assert recorded["ROBOTSTXT_OBEY"] is False
    assert recorded["MEDCRAWL_REPLAY"] == "demo/x.warc.gz"
