"""Exact and near-duplicate texts in a corpus.

Exact: the same text once normalised (Unicode NFKC, lower case, no whitespace). Near: the
Jaccard similarity of the texts' character shingles (punctuation removed) reaches the
threshold, so two answers that differ by punctuation or by one sentence of several fall in one
group. MinHash signatures in an LSH index (datasketch) find the candidates quickly; the
decision is the exact Jaccard of the candidates' hashed shingle sets, not the MinHash estimate,
so it does not vary by chance. Each text is compared with the first text of every group so far
(its representative), which stays the first.
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


def shingle_hashes(normalised: str, size: int) -> list[int]:
    """CRC-32 of each overlapping `size`-character piece of a `normalise`d text without
    punctuation (pieces sliced from UTF-32 bytes, not encoded one by one)."""
    data = _NOT_WORD.sub("", normalised).encode("utf-32-le")
    width = 4 * size
    if len(data) <= width:
        return [zlib.crc32(data)] if data else []
    return [zlib.crc32(data[i : i + width]) for i in range(0, len(data) - width + 4, 4)]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of unique values."""
    shared = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - shared
    return shared / union if union else 1.0


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
        # One MinHash, cleared per text: LSH keeps only band hashes of what it is given.
        self._minhash = MinHash(num_perm=num_perm, hashfunc=int)  # fed CRC-32 values
        self._lsh = None
        if threshold:
            # Candidates from a lower similarity, so a pair at the threshold is not missed
            # by chance; each is then checked exactly.
            self._lsh = MinHashLSH(threshold=max(threshold - 0.15, 0.1), num_perm=num_perm)
        self._sets: list[np.ndarray] = []  # each representative's shingle hashes, sorted
        self._signatures = np.empty((1024, num_perm), dtype=self._minhash.hashvalues.dtype)
        self._row: dict[str, int] = {}  # representative → its row in both, in order seen
        self._keys: list[str] = []  # row → representative
        self.exact = self.near = 0

    def check(self, key: str, text: str) -> Match | None:
        """None when `text` is new (it becomes a group's first text), else the match."""
        normalised = normalise(text)
        digest = hashlib.blake2b(normalised.encode(), digest_size=16).digest()
        first = self._exact.get(digest)
        if first is not None:
            self.exact += 1
            return Match(first, "exact")
        self._exact[digest] = key
        if self._lsh is None:
            return None
        hashes = shingle_hashes(normalised, self.shingle)
        shingle_set = np.unique(np.array(hashes, dtype=np.uint32))
        minhash = self._minhash
        minhash.clear()
        minhash.update_batch(hashes)
        signature = minhash.hashvalues
        # rows in order seen, so a tie goes to the oldest group whatever the set order
        rows = sorted(self._row[c] for c in self._lsh.query(minhash))
        if rows:  # skip those the MinHash estimate puts far below (> 3 std. dev.)
            estimate = np.count_nonzero(self._signatures[rows] == signature, axis=1)
            close = estimate >= (self.threshold - 0.15) * signature.size
            rows = [row for row, keep in zip(rows, close, strict=True) if keep]
        best: tuple[float, int] | None = None
        for row in rows:
            similarity = jaccard(self._sets[row], shingle_set)
            if similarity >= self.threshold and (best is None or similarity > best[0]):
                best = (similarity, row)
        if best is not None:
            self.near += 1
            group = self._keys[best[1]]
            self._exact[digest] = group  # a later exact copy joins the same group
            return Match(group, "near")
        self._lsh.insert(key, minhash, check_duplication=False)
        row = len(self._keys)
        if row == len(self._signatures):
            self._signatures = np.concatenate([self._signatures, np.empty_like(self._signatures)])
        self._signatures[row] = signature
        self._sets.append(shingle_set)
        self._keys.append(key)
        self._row[key] = row
        return None
