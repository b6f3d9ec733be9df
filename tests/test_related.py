"""Related-question links the run has asked for already never become Requests."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from medcrawl.sites.ask39.spider import Ask39Spider

Q = "https://ask.39.net/question/{}.html".format


def test_related_links_asked_for_already_are_dropped_before_a_request():
    crawler = get_crawler(Ask39Spider)
    spider = Ask39Spider.from_crawler(crawler, run_id="t")
    first = [r.url for r in spider.follow_questions([Q(1), Q(2)])]
    assert first == [Q(1), Q(2)]
    related = [Q(2), "http://wapask.39.net/question/1.html?from=x", Q(3), Q(3)]
    assert [r.url for r in spider.follow_related_links(related)] == [Q(3)]
    assert crawler.stats.get_value("medcrawl/related/already_asked") == 3  # 2, 1 (twin), 3
