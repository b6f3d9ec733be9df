"""Seeds for a cluster crawl — list pages, question pages, question id ranges — pushed to
`<spider>:start_urls`, where the workers take them; the first push begins the crawl and names
it (`state`). `reset()` forgets a crawl, to begin the next."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from itertools import chain, islice
from typing import Any

from medcrawl.cluster import ClusterError, Keys, state
from medcrawl.cluster.collect import collecting_key

#: Seeds per Redis round trip.
CHUNK = 10_000


def id_range(text: str) -> range:
    """`"1000-2000"` → ids 1000…2000; `"7"` → just 7."""
    first, _, last = text.partition("-")
    if not first.isdigit() or not (last or first).isdigit() or int(last or first) < int(first):
        raise ValueError(f"--ids takes FIRST-LAST or one id, not {text!r}")
    return range(int(first), int(last or first) + 1)


def seed_urls(
    spider: Any, urls: Iterable[str], ids: Iterable[str], default_start: bool = False
) -> Iterator[str]:
    """Every seed as a URL in the spider's canonical form (`QASpider.seed_url`): `urls` (pages
    of the site or question ids), id ranges, the site's own start pages. Raises ValueError,
    before the first is made, when a URL is not a page of the spider's site or a range is
    bad."""
    given = [*urls, *(spider.site.default_start if default_start else ())]
    canonical = [spider.seed_url(url) for url in given]
    for url, value in zip(canonical, given, strict=True):
        if url is None:
            raise ValueError(f"not a page of {spider.name} or a question id: {value}")
    ranges = [id_range(text) for text in ids]
    return chain(canonical, (spider.seed_url(str(n)) for numbers in ranges for n in numbers))


def push(server: Any, keys: Keys, urls: Iterable[str], crawl_id: str | None = None) -> str:
    """Push seeds to crawl `crawl_id` (default: the crawl under way, else a new one named
    after the time); the crawl's id. The crawl cannot finish while they are pushed."""
    new_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    crawl = state.begin_seeding(server, keys, crawl_id, new_id)
    try:
        seeds = (json.dumps({"url": url}) for url in urls)
        while chunk := list(islice(seeds, CHUNK)):
            server.rpush(keys.start, *chunk)
    finally:
        state.end_seeding(server, keys, crawl)
    return crawl


def reset(server: Any, keys: Keys, *, force: bool = False) -> None:
    """Forget the crawl: its record, seeds, queue, seen set, ledgers, worker sessions and
    the items not collected yet. Refuses (ClusterError) while a worker runs or items wait to
    be collected, unless `force`."""
    if not force:
        alive = [w.name for w in state.workers(server, keys) if w.alive]
        if alive:
            raise ClusterError(
                f"workers are running ({', '.join(alive)}): stop them first, or --force"
            )
        waiting = server.llen(keys.items) + server.llen(collecting_key(keys.items))
        if waiting:
            raise ClusterError(
                f"{waiting} items wait in {keys.items}: `medcrawl collect` them first, or --force "
                "to drop them"
            )
    ledgers = [key for w in state.workers(server, keys) for key in keys.ledgers(w.name)]
    server.delete(
        keys.crawl,
        keys.start,
        keys.queue,
        keys.dupefilter,
        keys.items,
        collecting_key(keys.items),
        keys.workers,
        keys.sessions,
        *ledgers,
    )
