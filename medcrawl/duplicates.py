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
        self._sets: dict[str, np.ndarray] = {}  # a representative's shingle hashes, sorted
        self._signatures: dict[str, np.ndarray] = {}  # and its MinHash signature
        self._order: dict[str, int] = {}
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
        signature = minhash.hashvalues.copy()
        # earliest first, so a tie goes to the oldest group whatever the set order
        candidates = sorted(self._lsh.query(minhash), key=self._order.__getitem__)
        if candidates:  # skip those the MinHash estimate puts far below (> 3 std. dev.)
            held = np.stack([self._signatures[c] for c in candidates])
            estimate = np.count_nonzero(held == signature, axis=1) / signature.size
            near = estimate >= self.threshold - 0.15
            candidates = [c for c, keep in zip(candidates, near, strict=True) if keep]
        best: tuple[float, str] | None = None
        for candidate in candidates:
            similarity = jaccard(self._sets[candidate], shingle_set)
            if similarity >= self.threshold and (best is None or similarity > best[0]):
                best = (similarity, candidate)
        if best is not None:
            self.near += 1
            self._exact[digest] = best[1]  # a later exact copy joins the same group
            return Match(best[1], "near")
        self._lsh.insert(key, minhash, check_duplication=False)
        self._sets[key] = shingle_set
        self._signatures[key] = signature
        self._order[key] = len(self._order)
        return None
