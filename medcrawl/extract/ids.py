"""Stable ids for things that repeat across pages (doctors, drugs, diseases)."""

from __future__ import annotations

import hashlib
import re

_PROFILE_ID = re.compile(r"/([A-Za-z]?\d+)/?$")


def named_id(site: str, kind: str, name: str) -> str:
    """`<site>:drug:巴氯芬片` — the name is the natural key of a drug or disease entry."""
    return f"{site}:{kind}:{name}"


def doctor_id(site: str, profile_url: str | None, name: str, hospital: str | None) -> str:
    """The profile id when the page links a profile (`<site>:doctor:P4349188`), else a stable
    hash of name and hospital (`<site>:doctor:h3f2a…`), the same on every page and run."""
    m = _PROFILE_ID.search(profile_url or "")
    if m:
        return f"{site}:doctor:{m.group(1)}"
    digest = hashlib.sha1(f"{name}|{hospital or ''}".encode()).hexdigest()[:12]
    return f"{site}:doctor:h{digest}"
