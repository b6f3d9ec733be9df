"""Giving back the pages of a worker that will not come back.

A worker's ledgers hold what it took and had not finished; the crawl cannot finish while they
do. A worker started again under its name takes them back itself; for one gone for good
(a machine retired, a name changed), `requeue()` moves its requests back to the queue and its
seeds back to the seed list, in one atomic step, and drops it from the registry.
"""

from __future__ import annotations

from typing import Any

from medcrawl.cluster import ClusterError, Keys, state

# KEYS: queue, ledger, seeds, seed ledger, workers. ARGV: worker. [requests, seeds] moved.
_REQUEUE = """
local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do redis.call('ZADD', KEYS[1], entries[i + 1], entries[i]) end
redis.call('DEL', KEYS[2])
local seeds = 0
while redis.call('LMOVE', KEYS[4], KEYS[3], 'RIGHT', 'LEFT') do seeds = seeds + 1 end
redis.call('SREM', KEYS[5], ARGV[1])
return {#entries / 2, seeds}
"""


def requeue(server: Any, keys: Keys, worker: str, *, force: bool = False) -> tuple[int, int]:
    """Give worker `worker`'s in-flight requests and seeds back; (requests, seeds) moved.
    Refuses (ClusterError) a worker that is unknown, or running (unless `force`: its pages
    would then be fetched twice, and written once)."""
    known = {w.name: w for w in state.workers(server, keys)}
    if worker not in known:
        names = ", ".join(known) or "none"
        raise ClusterError(f"no worker {worker!r} in the cluster (workers: {names})")
    if known[worker].alive and not force:
        raise ClusterError(
            f"worker {worker} is running (its heartbeat is fresh): stop it first, or --force"
        )
    requests, seeds = keys.ledgers(worker)
    moved = server.register_script(_REQUEUE)(
        keys=[keys.queue, requests, keys.start, seeds, keys.workers], args=[worker]
    )
    return int(moved[0]), int(moved[1])
