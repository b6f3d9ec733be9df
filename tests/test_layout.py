"""The layout keeps its promises: site knowledge stays in its site's package, and dependencies
point one way (sites → extraction → nothing site-specific; crawl control never imports sites'
spiders or pages)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from medcrawl.sites import sites

PACKAGE = Path(__file__).resolve().parent.parent / "medcrawl"
SHARED = [
    path
    for path in PACKAGE.rglob("*")
    if path.suffix in (".py", ".json") and "sites" not in path.relative_to(PACKAGE).parts[:1]
] + sorted((PACKAGE / "sites").glob("*.py"))  # the interface, the registry, the shared spider

#: Words a site's pages use that are the contract's or the corpus's own vocabulary: the
#: encyclopedia's and drugs' field names (the schemas document each field by its label) and
#: the patient line the `sft` export writes.
CONTRACT_VOCABULARY = {"症状起因", "可能疾病", "常见检查", "就诊科室", "适用药品", "发病时间"}


def _package(key: str) -> Path:
    module = type(sites()[key]).__module__  # medcrawl.sites.<package>.site
    return PACKAGE / "sites" / module.split(".")[2]


def _page_words(key: str) -> set[str]:
    """The site's page labels: every run of 4+ Chinese characters in its string literals."""
    words: set[str] = set()
    for path in _package(key).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words |= set(re.findall(r"[\u4e00-\u9fff]{4,}", node.value))
    return words - CONTRACT_VOCABULARY


def _knowledge(key: str) -> list[str]:
    site = sites()[key]
    return [key, *site.domains, *sorted(_page_words(key))]


def _mentions(text: str, word: str) -> bool:
    """A Chinese label anywhere; a key or domain as a word of its own (`ask39`, `39.net`)."""
    if not word.isascii():
        return word in text
    return re.search(rf"(?<![\w.]){re.escape(word)}(?!\w)", text) is not None


@pytest.mark.parametrize("key", sorted(sites()))
def test_site_knowledge_stays_in_its_package(key):
    leaks = [
        f"{path.relative_to(PACKAGE.parent)}: {word}"
        for path in SHARED
        for word in _knowledge(key)
        if _mentions(path.read_text(encoding="utf-8"), word)
    ]
    assert leaks == []


def test_the_knowledge_the_check_looks_for_is_real():
    """The check above would see a leak: the ask39 labels are found, and the site's own
    package does hold them."""
    words = _knowledge("ask39")
    assert {"ask39", "39.net", "疾病百科", "推荐医生", "医生回答"} <= set(words)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize(
    "folder", ["extract", "contract", "crawl", "archive", "incremental", "cluster"]
)
def test_shared_code_never_imports_a_site_package(folder):
    """Shared code asks `Site` (medcrawl.sites.base) or the registry, never a site's modules
    or the spider base."""
    bad = {
        f"{path.name}: {module}"
        for path in (PACKAGE / folder).rglob("*.py")
        for module in _imports(path)
        if module.startswith("medcrawl.sites.") and module not in ("medcrawl.sites.base",)
    }
    assert bad == set()


def test_extraction_depends_on_nothing_site_specific():
    bad = {
        f"{path.name}: {module}"
        for path in (PACKAGE / "extract").rglob("*.py")
        for module in _imports(path)
        if module.startswith("medcrawl.")
        and not module.startswith(("medcrawl.extract", "medcrawl.contract"))
    }
    assert bad == set()
