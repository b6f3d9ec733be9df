"""Spiders: one module per site, each only routing (where to start, which links to follow)."""

from __future__ import annotations

from scrapy.utils.misc import walk_modules_iter
from scrapy.utils.spider import iter_spider_classes


def page_classes() -> dict[str, type]:
    """Each site's question page class by spider name — the name its fixtures live under."""
    return {
        spider.name: spider.page_class
        for module in walk_modules_iter(__name__)
        for spider in iter_spider_classes(module)
        if getattr(spider, "page_class", None) is not None
    }
