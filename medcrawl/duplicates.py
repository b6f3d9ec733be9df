"""Exact and near-duplicate texts in a corpus.

Exact: the same text once normalised (Unicode NFKC, lower case, no whitespace). Near: MinHash
over character shingles of the text without punctuation (datasketch), candidates from LSH,
kept when the estimated Jaccard similarity reaches the threshold — so two answers that differ
by punctuation or by one sentence of several fall in one group. Each text is compared with the
first text of every group so far (its representative); the first one seen stays the
representative.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")  # punctuation, symbols and spaces; CJK, letters, digits stay


def normalise(text: str) -> str:
    """The form exact duplicates share: NFKC (full-width → ASCII), lower case, no spaces."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def shingles(text: str, size: int) -> list[bytes]:
    """Overlapping `size`-character pieces of `text` without punctuation (UTF-32 bytes, so
    a piece is a slice, not an encode)."""
    dense = _NOT_WORD.sub("", normalise(text))
    data = dense.encode("utf-32-le")
    width = 4 * size
    if len(data) <= width:
        return [data] if data else []
    return [data[i : i + width] for i in range(0, len(data) - width + 4, 4)]


@dataclass
class Match:
    """A text found to repeat one seen before: the key of that group's first text."""

    group: str
    kind: str  # "exact" or "near"


class Duplicates:
    """Feed texts in order with `check(key, text)`; it says which earlier text (if any) each
    one repeats.

    threshold: the Jaccard similarity of shingle sets from which two texts count as near
    duplicates (0 turns near-duplicate detection off); shingle: characters per shingle.
    """

    def __init__(self, threshold: float = 0.6, shingle: int = 4, num_perm: int = 128) -> None:
        self.threshold = threshold
        self.shingle = shingle
        self._exact: dict[bytes, str] = {}
        self._template = MinHash(num_perm=num_perm, hashfunc=zlib.crc32)
        self._lsh = None
        if threshold:
            # LSH finds candidates from a lower similarity, so a pair near the threshold is
            # not missed by chance; each candidate is then checked against the threshold.
            lsh_threshold = max(threshold - 0.1, 0.1)
            self._lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
        self._signatures: dict[str, np.ndarray] = {}
        self.exact = self.near = 0

    def check(self, key: str, text: str) -> Match | None:
        """None when `text` is new (it becomes a group's first text), else the match."""
        digest = hashlib.blake2b(normalise(text).encode(), digest_size=16).digest()
        first = self._exact.get(digest)
        if first is not None:
            self.exact += 1
            return Match(first, "exact")
        self._exact[digest] = key
        if self._lsh is None:
            return None
        minhash = self._template.copy()
        minhash.update_batch(shingles(text, self.shingle))
        signature = minhash.hashvalues
        best: tuple[float, str] | None = None
        for candidate in self._lsh.query(minhash):
            similarity = float(np.mean(self._signatures[candidate] == signature))
            if similarity >= self.threshold and (best is None or similarity > best[0]):
                best = (similarity, candidate)
        if best is not None:
            self.near += 1
            self._exact[digest] = best[1]  # a later exact copy joins the same group
            return Match(best[1], "near")
        self._lsh.insert(key, minhash, check_duplication=False)
        self._signatures[key] = signature
        return None
