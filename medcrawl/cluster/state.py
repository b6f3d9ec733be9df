"""Where a cluster crawl stands: its record in Redis (`<spider>:crawl`), and when it is done.

A crawl begins when `medcrawl seed` first pushes seeds, which names it (`--crawl-id`, default
a UTC timestamp): seeds, workers and the collector share that id, and the collector names the
run folder after it. The crawl is **finished** when no seed waits, nothing is queued and no
worker holds a request or seed in flight — checked and recorded in one atomic step
(`FINISH`), by whichever worker finds nothing to do. Workers then stop (`finished`) and
`medcrawl collect --follow` completes the run folder and exits.

While `medcrawl seed` pushes, the crawl is `seeding` and cannot finish: a crawl whose first
seeds were used up before the last were pushed is not over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from medcrawl.cluster import ClusterError, Keys

# KEYS: crawl, seeds, queue, workers. The crawl's [id, status], after marking it finished if
# it is running and nothing is left: no seed, nothing queued, every worker's ledgers empty.
FINISH = """
local crawl = redis.call('HMGET', KEYS[1], 'id', 'status')
if not crawl[1] then return false end
if crawl[2] ~= 'running' then return crawl end
if redis.call('LLEN', KEYS[2]) > 0 or redis.call('ZCARD', KEYS[3]) > 0 then return crawl end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local ledgers = {KEYS[3] .. ':inflight:' .. worker, KEYS[2] .. ':inflight:' .. worker}
  if redis.call('EXISTS', unpack(ledgers)) > 0 then return crawl end
end
redis.call('HSET', KEYS[1], 'status', 'finished', 'finished_at', redis.call('TIME')[1])
return {crawl[1], 'finished'}
"""

# KEYS: crawl. ARGV: the id asked for ('' for any), the id of a new crawl. Marks the crawl
# `seeding` (creating it if there is none) and returns [id, status]: status `finished` or
# `other` (another id asked for) when it cannot take seeds.
BEGIN_SEEDING = """
local crawl = redis.call('HMGET', KEYS[1], 'id', 'status')
if crawl[1] then
  if crawl[2] == 'finished' then return {crawl[1], 'finished'} end
  if ARGV[1] ~= '' and ARGV[1] ~= crawl[1] then return {crawl[1], 'other'} end
else
  crawl[1] = ARGV[1] ~= '' and ARGV[1] or ARGV[2]
  redis.call('HSET', KEYS[1], 'id', crawl[1], 'started_at', redis.call('TIME')[1])
end
redis.call('HSET', KEYS[1], 'status', 'seeding')
return {crawl[1], 'seeding'}
"""

# KEYS: crawl. ARGV: id. The crawl, if it is still this one, may finish now.
END_SEEDING = """
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'status', 'running')
end
"""


def _text(value: bytes | str | None) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _time(value: bytes | str | None) -> datetime | None:
    text = _text(value)
    return datetime.fromtimestamp(float(text), timezone.utc) if text else None


@dataclass(frozen=True)
class CrawlRecord:
    """A crawl as Redis records it."""

    id: str
    status: str  # seeding, running, finished
    started_at: datetime | None = None
    finished_at: datetime | None = None
    collected_at: datetime | None = None
    run_dir: str | None = None

    @classmethod
    def read(cls, server: Any, keys: Keys) -> CrawlRecord | None:
        data = {_text(k): v for k, v in server.hgetall(keys.crawl).items()}
        if not data.get("id"):
            return None
        return cls(
            id=_text(data["id"]) or "",
            status=_text(data.get("status")) or "seeding",
            started_at=_time(data.get("started_at")),
            finished_at=_time(data.get("finished_at")),
            collected_at=_time(data.get("collected_at")),
            run_dir=_text(data.get("run_dir")),
        )

    @property
    def finished(self) -> bool:
        return self.status == "finished"


def finish_if_done(server: Any, keys: Keys) -> tuple[str, str] | None:
    """The crawl's (id, status), after marking it finished if nothing is left; None when
    there is no crawl."""
    found = server.register_script(FINISH)(keys=[keys.crawl, keys.start, keys.queue, keys.workers])
    return (_text(found[0]) or "", _text(found[1]) or "") if found else None


def begin_seeding(server: Any, keys: Keys, crawl_id: str | None, new_id: str) -> str:
    """Mark the crawl as taking seeds — `crawl_id`, else the one running, else a new one named
    `new_id` — and return its id. Refuses (ClusterError) a crawl that is finished or another
    than `crawl_id`."""
    found, status = (
        _text(v) or ""
        for v in server.register_script(BEGIN_SEEDING)(
            keys=[keys.crawl], args=[crawl_id or "", new_id]
        )
    )
    if status == "finished":
        raise ClusterError(
            f"crawl {found} is finished; `--reset` starts a new crawl (after `medcrawl collect`)"
        )
    if status == "other":
        raise ClusterError(f"crawl {found} is under way, not {crawl_id}; wait for it or --reset")
    return found


def end_seeding(server: Any, keys: Keys, crawl_id: str) -> None:
    """The seeds are pushed: the crawl may finish once they are done."""
    server.register_script(END_SEEDING)(keys=[keys.crawl], args=[crawl_id])


def mark_collected(server: Any, keys: Keys, crawl_id: str, run_dir: str) -> None:
    """Record that the crawl's run folder is complete (and where)."""
    now = server.time()[0]
    if _text(server.hget(keys.crawl, "id")) == crawl_id:
        server.hset(keys.crawl, mapping={"collected_at": now, "run_dir": run_dir})


@dataclass
class WorkerState:
    """One worker as Redis knows it."""

    name: str
    alive: bool  # its heartbeat has not expired
    requests: int  # in its ledger
    seeds: int  # in its seed ledger


@dataclass
class Progress:
    """What is left of a crawl."""

    crawl: CrawlRecord | None
    seeds: int
    queued: int
    items: int
    workers: list[WorkerState] = field(default_factory=list)

    @property
    def in_flight(self) -> int:
        return sum(w.requests + w.seeds for w in self.workers)

    def line(self) -> str:
        crawl = f"crawl {self.crawl.id} {self.crawl.status}" if self.crawl else "no crawl"
        alive = sum(w.alive for w in self.workers)
        return (
            f"{crawl}: {self.seeds} seeds waiting, {self.queued} requests queued, "
            f"{self.in_flight} in flight, {self.items} items to collect; "
            f"{alive} of {len(self.workers)} workers alive"
        )


def workers(server: Any, keys: Keys) -> list[WorkerState]:
    """Every registered worker, and any other that has a ledger (its name from the key)."""
    names = {_text(w) or "" for w in server.smembers(keys.workers)}
    for pattern in (f"{keys.queue}:inflight:*", f"{keys.start}:inflight:*"):
        names |= {(_text(k) or "").rsplit(":inflight:", 1)[1] for k in server.scan_iter(pattern)}
    found = []
    for name in sorted(names):
        requests, seeds = keys.ledgers(name)
        found.append(
            WorkerState(
                name=name,
                alive=bool(server.exists(keys.alive(name))),
                requests=server.zcard(requests),
                seeds=server.llen(seeds),
            )
        )
    return found


def progress(server: Any, keys: Keys) -> Progress:
    return Progress(
        crawl=CrawlRecord.read(server, keys),
        seeds=server.llen(keys.start),
        queued=server.zcard(keys.queue),
        items=server.llen(keys.items),
        workers=workers(server, keys),
    )
