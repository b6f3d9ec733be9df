"""`medcrawl collect`: write the items the cluster's workers pushed to Redis into one run
folder, `<MEDCRAWL_OUTPUT_DIR>/<spider>/<run id>/<file>.jsonl`, each record once."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from medcrawl.cluster import Keys, add_redis_arguments, connect
from medcrawl.contract.feeds import PART_SUFFIX, part_path

#: Fields that differ between two fetches of the same page without saying anything new.
_VOLATILE = frozenset({"at"})


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "collect",
        help="write the cluster's items from Redis to a run folder",
        description=__doc__,
    )
    parser.add_argument(
        "--run-id",
        default=datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        help="run folder name (default: a UTC timestamp); collecting into it again appends",
    )
    parser.add_argument("--output-dir", help="root of run folders (default: MEDCRAWL_OUTPUT_DIR)")
    parser.add_argument(
        "--follow", action="store_true", help="keep collecting as items arrive, until stopped"
    )
    add_redis_arguments(parser)
    parser.set_defaults(func=run)


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


def collect(
    server: Any, key: str, run_dir: Path, *, follow: bool = False, batch: int = 500
) -> Counter[str]:
    """Move the items of Redis list `key` into `run_dir/<file>.jsonl`, each record once
    (also across restarts: records already in the files are skipped). Returns how many
    records each file got. Without `follow` it stops when the list is empty; with it, at
    Ctrl-C.

    Files are `<file>.jsonl.part` while written and renamed when collecting stops, like a
    crawl's. A batch leaves Redis only after it is on disk (fsync): a killed collector loses
    nothing, and the next one into the same folder goes on from its `.part` files. Run one
    collector per list."""
    run_dir.mkdir(parents=True, exist_ok=True)
    finals = {p.name.removesuffix(PART_SUFFIX) for p in run_dir.glob("*.jsonl*")}
    seen = {(Path(name).stem, k) for name in finals for k in _reopen(run_dir / name)}
    written: Counter[str] = Counter()
    try:
        while True:
            entries = server.lrange(key, 0, batch - 1)
            if not entries:
                if not follow:
                    return written
                time.sleep(1)
                continue
            lines: dict[str, list[str]] = defaultdict(list)
            for raw in entries:
                entry = json.loads(raw)
                marker = (entry["file"], record_key(entry["item"]))
                if marker not in seen:
                    seen.add(marker)
                    lines[entry["file"]].append(json.dumps(entry["item"], ensure_ascii=False))
            for stem, rows in lines.items():
                with part_path(run_dir / f"{stem}.jsonl").open("a", encoding="utf-8") as out:
                    out.write("\n".join(rows) + "\n")
                    out.flush()
                    os.fsync(out.fileno())
                written[stem] += len(rows)
            server.ltrim(key, len(entries), -1)
    finally:
        for part in run_dir.glob(f"*.jsonl{PART_SUFFIX}"):
            os.replace(part, part.with_name(part.name.removesuffix(PART_SUFFIX)))


def run(args: argparse.Namespace) -> int:
    settings, server = connect(args)
    root = Path(args.output_dir or settings.get("MEDCRAWL_OUTPUT_DIR"))
    run_dir = root / args.spider / args.run_id
    try:
        written = collect(server, Keys.of(settings, args.spider).items, run_dir, follow=args.follow)
    except KeyboardInterrupt:
        return 130
    counts = ", ".join(f"{n} {stem}" for stem, n in sorted(written.items())) or "nothing new"
    print(f"{run_dir}: {counts}")
    return 0
