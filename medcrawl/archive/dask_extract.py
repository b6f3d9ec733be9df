"""`medcrawl extract … --dask ADDRESS`: the same extraction as Dask bags over the WARC paths.

The scan is a bag of the files, the extraction a bag of page chunks; the client merges the
chunks in archive order into one run folder, exactly as a local run writes it. Every worker
must read the WARC files at the paths the client gives (a shared file system) and have
medcrawl installed (`pip install 'medcrawl[dask]'`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from medcrawl.archive.reextract import Entry, Outcome, Page, extract_chunk, scan


def _scan(numbered: tuple[int, str]) -> list[Entry]:
    return scan(*numbered)


@contextmanager
def dask_maps(address: str) -> Iterator[tuple[Any, Any]]:
    """`(map_scan, map_chunks)` for `Extraction.run`, on the Dask scheduler at `address`."""
    import dask.bag as db
    from distributed import Client

    with Client(address) as client:

        def map_scan(files: list[tuple[int, str]]) -> list[list[Entry]]:
            bag = db.from_sequence(files, npartitions=max(1, len(files))).map(_scan)
            return client.compute(bag).result()

        def map_chunks(paths: list[str], work: list[list[Page]]) -> Iterable[list[Outcome]]:
            if not work:
                return
            bag = db.from_sequence(work, npartitions=len(work)).map(
                partial(extract_chunk, list(paths))
            )
            futures = client.compute(bag.to_delayed())
            for future in futures:  # in chunk order; each released once merged
                yield from future.result()
                future.release()

        yield map_scan, map_chunks
