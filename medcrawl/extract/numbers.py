"""Whole numbers read off a page or a URL, bounded.

A page can hold a 5,000-digit "number" in a count or an id; Python's `int()` refuses strings
over 4,300 digits (`ValueError: Exceeds the limit`), and no count or id of a site is anywhere
near that long. Read digits through here and they are either a plausible number or a clear
"not one".
"""

from __future__ import annotations

#: The most digits an id can have: a 64-bit integer's 19 less one, far beyond any site's ids.
MAX_ID_DIGITS = 18


def whole_number(value: str | int, max_digits: int = MAX_ID_DIGITS) -> int:
    """`"0123"` → 123, `123` → 123. ValueError, with a short message, for anything that is not
    a whole number of at most `max_digits` ASCII digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"not a whole number: {value!r}")
    digits = value.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > max_digits:
        shown = digits if len(digits) <= 24 else f"{digits[:20]}… ({len(digits)} characters)"
        raise ValueError(f"not a whole number of at most {max_digits} digits: {shown!r}")
    return int(digits)
