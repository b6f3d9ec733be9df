"""The `Site` interface: everything medcrawl knows about one Q&A site that is not page markup.

Components never ask a spider for site knowledge attribute by attribute: they ask its `Site`
(`site_of(spider)`), and the site's package holds the rest — its page classes (selectors only,
in `<package>.pages`) and its spider (routing only, in `<package>.spider`).
"""

from __future__ import annotations

from functools import cached_property
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from scrapy import Spider

    from medcrawl.sites.page import QuestionPage

#: Run-check thresholds (`MEDCRAWL_COVERAGE_THRESHOLDS`) a site gets unless it says otherwise:
#: the fields every Q&A page shows. A layout change that empties one shows here first.
DEFAULT_COVERAGE_THRESHOLDS: dict[str, float] = {
    "questions.category_path": 0.9,
    "answers.text": 0.98,
    "answers.doctor_id": 0.9,
    "answers.answered_at": 0.9,
    "doctors.title_rank": 0.9,
}


class Site:
    """One Q&A site. Subclasses set the class attributes and the URL methods; one instance,
    `SITE`, lives in the site package's `site` module.

    - `key`: the spider name, the id prefix (`<key>:<native id>`) and the output folder.
    - `domains`: the site's domains (the spider's `allowed_domains`).
    - `default_start`: where a whole-site crawl starts.
    - `settings`: Scrapy settings the site's spiders run with, at Scrapy's "spider" priority
      (as `custom_settings`): its politeness and its run-check thresholds. `-s` still wins.
    """

    key: ClassVar[str]
    domains: ClassVar[tuple[str, ...]]
    default_start: ClassVar[tuple[str, ...]] = ()
    #: Politeness this site asks for beyond the project's defaults (`DOWNLOAD_DELAY` …).
    politeness: ClassVar[dict[str, Any]] = {}
    coverage_thresholds: ClassVar[dict[str, float]] = DEFAULT_COVERAGE_THRESHOLDS

    @property
    def settings(self) -> dict[str, Any]:
        return {**self.politeness, "MEDCRAWL_COVERAGE_THRESHOLDS": dict(self.coverage_thresholds)}

    @cached_property
    def question_page(self) -> type[QuestionPage]:
        """The site's question page class: the one `QuestionPage` subclass of its package's
        `pages` module (imported on first use: the pages import this module)."""
        from medcrawl.sites.page import QuestionPage

        pages = import_module(f"{type(self).__module__.rsplit('.', 1)[0]}.pages")
        found = [
            cls
            for cls in vars(pages).values()
            if isinstance(cls, type)
            and issubclass(cls, QuestionPage)
            and cls.__module__ == pages.__name__
        ]
        if len(found) != 1:
            raise TypeError(f"{pages.__name__} must define one QuestionPage subclass: {found}")
        return found[0]

    # --- URLs -------------------------------------------------------------------------------

    def question_native_id(self, url: str) -> str | None:
        """The site's own id of the question a URL shows, or None for any other URL."""
        raise NotImplementedError

    def question_url(self, native_id: str) -> str:
        """The canonical URL of a question given by its id on the site; ValueError when the
        value is not one."""
        raise ValueError(f"{self.key} takes no question ids")

    def category_url(self, category: str) -> str:
        """The first list page of a category (`-a categories=`); ValueError when the value is
        not a category of the site."""
        raise ValueError(f"{self.key} takes no categories")

    def canonical_url(self, url: str) -> str:
        """The one form of a page's URL, so Scrapy's dupefilter sees each page once."""
        return url.split("#", 1)[0]

    def is_question_url(self, url: str) -> bool:
        return self.question_native_id(url) is not None

    def is_challenge_url(self, url: str) -> bool:
        """Whether a URL is the site's bot check (a redirect there is a challenge)."""
        return False

    def item_id(self, native_id: str) -> str:
        """`<key>:<native id>`: a question's id in the output."""
        return f"{self.key}:{native_id}"

    # --- reading the output -------------------------------------------------------------------

    def department(self, category_path: list[str] | None) -> str | None:
        """A question's department from its breadcrumb: the deepest crumb that names one, i.e.
        ends in 科 (`[内科, 神经内科, 面部肌肉萎缩]` → `神经内科`); the top crumb when none
        does. Chinese sites name departments this way; a site that does not overrides it."""
        path = category_path or []
        named = [part for part in path if part.endswith("科")]
        return named[-1] if named else (path[0] if path else None)


def site_of(spider: Spider | None) -> Site | None:
    """The `Site` a running spider crawls, or None for a spider of no site (Scrapy's own)."""
    site = getattr(spider, "site", None)
    return site if isinstance(site, Site) else None
