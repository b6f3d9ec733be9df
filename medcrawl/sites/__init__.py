"""The sites medcrawl crawls: one package each (`site`, `pages`, `spider`), found by walking
this package — Scrapy's `SPIDER_MODULES` walks it the same way — so adding a site registers
nothing anywhere else."""

from __future__ import annotations

from functools import cache

from scrapy.utils.misc import walk_modules_iter
from scrapy.utils.spider import iter_spider_classes

from medcrawl.sites.base import Site


@cache
def sites() -> dict[str, Site]:
    """Every site by its key, from the spiders of the site packages."""
    found: dict[str, Site] = {}
    for module in walk_modules_iter(__name__):
        for spider in iter_spider_classes(module):
            site = getattr(spider, "site", None)
            if isinstance(site, Site):
                found.setdefault(site.key, site)
    return found


def site(key: str) -> Site:
    """The site with this key; KeyError naming the known ones."""
    try:
        return sites()[key]
    except KeyError:
        raise KeyError(f"no site {key!r}; known: {', '.join(sorted(sites()))}") from None


def page_classes() -> dict[str, type]:
    """Each site's question page class by site key — the name its fixtures live under."""
    return {key: site.question_page for key, site in sites().items()}
