"""Linear time on hostile pages: each input scaled from n to 4n should cost about 4×.

    .venv/bin/python -m bench.hostile [--scale F] [--repeat N]

Each case grows one hostile part of the seed fixture page (tests/fixtures/ask39/seed_2024)
— a long numbered list, hundreds of short lists, a cause with thousands of `如X` and no
sentence end, answer blocks nested in answer blocks, inline tags nested thousands deep, a long
date cell, a huge page of answers — to size n and 4n, and times the whole extraction
(`bench.parse.medcrawl`: the response, its parse, `problem()`, every item) beside the
baseline, lxml parsing the same bytes as parsel does (`huge_tree`, so deep nests are built, up
to lxml's 2,048 levels), from the same run. Medians of `--repeat` rounds.

A linear path shows time(4n)/time(n) ≈ 4 (less while the page's fixed cost still weighs);
a quadratic one ≈ 16. The baseline's ratio says what the input itself costs to parse.
`--scale` multiplies every n (the smoke test runs a small one).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import lxml.etree
import lxml.html

from bench.parse import Page, fixture_pages, medcrawl

#: What the seed page's answer block looks like where the cases grow it.
ANSWER_OPEN = '<div class="sele_all marg_top">'
ANSWER_TEXT = '<p class="sele_txt">'
DATE_CELL = '<p class="doc_time">2024-02-24 20:54'


def lxml_huge_tree(page: Page) -> object:
    """The baseline: the bytes parsed to a tree, as parsel's parser builds it."""
    parser = lxml.html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return lxml.etree.fromstring(page.body, parser=parser)


@dataclass
class Case:
    name: str
    n: int  # the size at scale 1
    unit: str
    grow: Callable[[str, int], str]  # the seed page's HTML → the page with the part at size n


def numbered_list(html: str, n: int) -> str:
    items = "".join(
        f"{i}.原因{i}<br>原因{i}的说明，可用药物如布洛芬缓解。<br>" for i in range(1, n + 1)
    )
    return html.replace(ANSWER_TEXT, ANSWER_TEXT + items, 1)


def many_lists(html: str, n: int) -> str:
    lists = "原因如下：<br>1.甲：说明<br>2.乙：说明<br>建议多休息。<br>" * n
    return html.replace(ANSWER_TEXT, ANSWER_TEXT + lists, 1)


def drug_runs(html: str, n: int) -> str:
    run = "1.感染<br>需要使用药物" + "如阿莫西林胶囊" * n + "<br>2.其他<br>"
    return html.replace(ANSWER_TEXT, ANSWER_TEXT + run, 1)


def nested_blocks(html: str, n: int) -> str:
    block = (
        f'{ANSWER_OPEN}{ANSWER_TEXT}回答<br>1.原因<br>2.原因</p><p class="doc_time">2024-02-24</p>'
    )
    return html.replace(ANSWER_OPEN, block * n + "</div>" * n + ANSWER_OPEN, 1)


def nesting_depth(html: str, n: int) -> str:
    return html.replace(ANSWER_TEXT, ANSWER_TEXT + "<b>" * n + "深" + "</b>" * n, 1)


def long_date(html: str, n: int) -> str:
    return html.replace(DATE_CELL, DATE_CELL + "\u2003" * n + "x", 1)


def huge_page(html: str, n: int) -> str:
    start = html.index(ANSWER_OPEN)
    end = html.index('<div class="ask_doc_box">')
    return html[:start] + html[start:end] * n + html[end:]


CASES = [
    Case("numbered list", 2_000, "items", numbered_list),
    Case("many lists", 250, "lists", many_lists),
    Case("如X run", 4_000, "mentions", drug_runs),
    Case("nested blocks", 400, "blocks", nested_blocks),
    Case("nesting depth", 400, "tags", nesting_depth),  # 4n stays under lxml's 2,048 levels
    Case("long date cell", 20_000, "chars", long_date),
    Case("huge page", 100, "answers", huge_page),
]


def seed_page() -> Page:
    return next(p for p in fixture_pages() if p.name == "ask39/seed_2024")


def sized(seed: Page, case: Case, n: int) -> Page:
    html = case.grow(seed.body.decode("utf-8"), n)
    return Page(f"{case.name} n={n}", seed.url, html.encode("utf-8"), seed.headers, seed.page_class)


def median_seconds(fn: Callable[[Page], object], page: Page, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn(page)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(scale: float, repeat: int) -> list[tuple[str, int, float, float, float, float]]:
    """Per case: (name, n, medcrawl s at n, at 4n, lxml s at n, at 4n)."""
    seed = seed_page()
    medcrawl(seed)  # warm up: dateparser loads its data on first use
    rows = []
    for case in CASES:
        n = max(1, round(case.n * scale))
        small, large = sized(seed, case, n), sized(seed, case, 4 * n)
        ours = [median_seconds(medcrawl, page, repeat) for page in (small, large)]
        floor = [median_seconds(lxml_huge_tree, page, repeat) for page in (small, large)]
        rows.append((case.name, n, *ours, *floor))
    return rows


def report(rows: list[tuple[str, int, float, float, float, float]]) -> None:
    print(
        f"{'case':<16}{'n':>8}{'ms at n':>10}{'ms at 4n':>10}{'ratio':>8}"
        f"{'lxml n':>10}{'lxml 4n':>10}{'lxml ratio':>12}"
    )
    for name, n, ours_n, ours_4n, lxml_n, lxml_4n in rows:
        print(
            f"{name:<16}{n:>8}{ours_n * 1000:>10.2f}{ours_4n * 1000:>10.2f}"
            f"{ours_4n / ours_n:>8.2f}{lxml_n * 1000:>10.2f}{lxml_4n * 1000:>10.2f}"
            f"{lxml_4n / lxml_n:>12.2f}"
        )
    print("\nratio = time(4n) / time(n): ≈4 is linear, ≈16 quadratic (lxml: the input's own cost)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every case's n")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per case and size")
    args = parser.parse_args(argv)
    report(run(args.scale, args.repeat))


if __name__ == "__main__":
    main()
