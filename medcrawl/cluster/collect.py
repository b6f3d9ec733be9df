"""`medcrawl collect`: write the items the cluster's workers pushed to Redis into the crawl's
run folder, `<MEDCRAWL_OUTPUT_DIR>/<spider>/<run id>/<file>.jsonl`, each record once — and,
once the crawl is finished, complete it as a run folder like any other (`finalise`).

A batch of items moves, atomically, from `<spider>:items` to `<spider>:items:collecting`,
is written and fsynced, and only then deleted from Redis: a killed collector loses nothing
(the next one writes the batch again; records already in the folder are skipped), and a
Redis that lost its data while a batch was on its way cannot make the collector drop items
it never read. Redis outages are waited out with backoff.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings

from medcrawl.cluster import ClusterError, Keys
from medcrawl.cluster.finalise import finalise
from medcrawl.cluster.link import retrying
from medcrawl.cluster.state import CrawlRecord
from medcrawl.contract.feeds import PART_SUFFIX, part_path

logger = logging.getLogger(__name__)

#: Fields that differ between two fetches of the same page without saying anything new.
_VOLATILE = frozenset({"at"})

# KEYS: items, collecting. ARGV: batch size. The batch being collected: the one a collector
# left (killed before it was written), else the next one, moved out of the items list.
_NEXT_BATCH = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  local batch = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
  if #batch == 0 then return {} end
  redis.call('RPUSH', KEYS[2], unpack(batch))
  redis.call('LTRIM', KEYS[1], #batch, -1)
end
return redis.call('LRANGE', KEYS[2], 0, -1)
"""


def collecting_key(items_key: str) -> str:
    """Where a batch of items waits while it is being written."""
    return f"{items_key}:collecting"


def record_key(record: dict) -> str:
    """What makes two records the same: the id, or (rejects) everything but the time."""
    if record.get("id") is not None:
        return str(record["id"])
    return json.dumps({k: v for k, v in record.items() if k not in _VOLATILE}, sort_keys=True)


def _reopen(final: Path) -> set[str]:
    """Make `<file>.jsonl` a `.part` to append to again and return the keys of its records.
    A torn last line (a killed collector) is cut off: its record is still in Redis."""
    part = part_path(final)
    if final.exists():
        os.replace(final, part)
    data = part.read_bytes() if part.exists() else b""
    if not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        part.write_bytes(data)
    return {record_key(json.loads(line)) for line in data.decode("utf-8").splitlines()}


class Collector:
    """Moves items from a Redis list into a run folder's files, each record once (also
    across restarts: records the folder holds are skipped). Files are `<file>.jsonl.part`
    until `close()`, like a crawl's."""

    def __init__(self, server: Any, key: str, run_dir: Path, batch: int = 500) -> None:
        self.server = server
        self.key = key
        self.run_dir = run_dir
        self.batch = batch
        run_dir.mkdir(parents=True, exist_ok=True)
        finals = {p.name.removesuffix(PART_SUFFIX) for p in run_dir.glob("*.jsonl*")}
        self.seen = {(Path(name).stem, k) for name in finals for k in _reopen(run_dir / name)}
        self.written: Counter[str] = Counter()
        self.repeats: Counter[str] = Counter()  # records pushed more than once, not written
        self._next = server.register_script(_NEXT_BATCH)

    def drain(self) -> int:
        """Write every item waiting now; how many entries were handled."""
        handled = 0
        keys = [self.key, collecting_key(self.key)]
        while entries := retrying(lambda: self._next(keys=keys, args=[self.batch])):
            self._write(entries)
            retrying(lambda: self.server.delete(keys[1]))
            handled += len(entries)
        return handled

    def _write(self, entries: list[bytes]) -> None:
        lines: dict[str, list[str]] = defaultdict(list)
        for raw in entries:
            entry = json.loads(raw)
            marker = (entry["file"], record_key(entry["item"]))
            if marker in self.seen:
                self.repeats[entry["file"]] += 1
                continue
            self.seen.add(marker)
            lines[entry["file"]].append(json.dumps(entry["item"], ensure_ascii=False))
        for stem, rows in lines.items():
            with part_path(self.run_dir / f"{stem}.jsonl").open("a", encoding="utf-8") as out:
                out.write("\n".join(rows) + "\n")
                out.flush()
                os.fsync(out.fileno())
            self.written[stem] += len(rows)

    def close(self) -> None:
        """Give every file its final name."""
        for part in self.run_dir.glob(f"*.jsonl{PART_SUFFIX}"):
            os.replace(part, part.with_name(part.name.removesuffix(PART_SUFFIX)))


@dataclass
class Collected:
    """What `collect_crawl` did."""

    run_dir: Path
    written: Counter[str]
    manifest: dict | None = None  # written when the crawl was finished
    repeats: Counter[str] = field(default_factory=Counter)


def current_crawl(server: Any, keys: Keys, *, wait: bool, poll: float = 1.0) -> CrawlRecord:
    """The crawl in Redis; with `wait`, the first one seeded. ClusterError if there is none."""
    told = False
    while (crawl := retrying(lambda: CrawlRecord.read(server, keys))) is None:
        if not wait:
            raise ClusterError(f"no crawl in Redis ({keys.crawl}): push seeds with `medcrawl seed`")
        if not told:
            logger.info("Waiting for a crawl: push seeds with `medcrawl seed`")
            told = True
        time.sleep(poll)
    return crawl


def collect_crawl(
    server: Any,
    keys: Keys,
    run_dir: Path,
    crawl_id: str,
    *,
    settings: BaseSettings,
    spidercls: type[Spider],
    follow: bool = False,
    poll: float = 1.0,
) -> Collected:
    """Write crawl `crawl_id`'s items to `run_dir`; once the crawl is finished (without
    `follow`: if it is already), complete the folder — manifest, run checks — and return it
    in `Collected.manifest`. With `follow`, keep collecting until then."""
    collector = Collector(server, keys.items, run_dir)
    try:
        while True:
            crawl = retrying(lambda: CrawlRecord.read(server, keys))
            if crawl is not None and crawl.id != crawl_id:
                raise ClusterError(
                    f"crawl {crawl_id} was replaced by crawl {crawl.id} (`seed --reset`) before "
                    "it was collected"
                )
            collector.drain()  # after reading the record: a finished crawl pushes no more
            if (crawl is not None and crawl.finished) or not follow:
                break
            time.sleep(poll)
    finally:
        collector.close()
    result = Collected(run_dir, collector.written, repeats=collector.repeats)
    if crawl is not None and crawl.finished:
        result.manifest = finalise(
            server,
            keys,
            run_dir,
            crawl,
            settings=settings,
            spidercls=spidercls,
            repeats=collector.repeats,
        )
    return result
