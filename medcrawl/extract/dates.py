"""Dates as published on Chinese Q&A sites → ISO 8601 in the site's time zone.

The common fixed forms take a regex fast path (about 100× cheaper than dateparser); the odd
ones (`3天前`, `昨天 10:20`, `刚刚`) go to dateparser relative to the crawl time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

import dateparser

#: The sites' time: China Standard Time, a fixed UTC+08:00. Not zoneinfo's Asia/Shanghai, which
#: gives dates before 1901 the local mean time (+08:05:43), an offset RFC 3339 cannot write.
SITE_TZ = timezone(timedelta(hours=8))
#: A published date is short (`2024年02月24日 20:54:05`, `昨天 10:20`); a longer cell is cut
#: to this before it is read: the regexes and dateparser then cost the same on any page.
MAX_DATE_CHARS = 64

# 2024-02-24 20:54(:05) · 2024/2/24 · 2024.02.24 · 2024年2月24日 20:54 (spaces allowed anywhere)
_FULL = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?$"
)
# 02-24 20:54 · 2月24日 (no year: the latest such date not after the crawl)
_NO_YEAR = re.compile(
    r"^(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})\s*[:：]\s*(\d{1,2}))?$"
)
_SETTINGS_BASE = {"RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DATES_FROM": "past"}


def parse_date(raw: str | None, now: datetime, tz: tzinfo = SITE_TZ) -> str | None:
    """ISO 8601 for a published date, or None when `raw` is not a date.

    A date with a time gives `2024-02-24T20:54:00+08:00`; a date alone gives `2024-02-24`
    (no invented midnight). `now` is the crawl time, the base for relative forms.
    """
    if not raw or not (text := raw.strip()[:MAX_DATE_CHARS].rstrip()):
        return None
    if m := _FULL.match(text):
        y, mo, d, hh, mm, ss = m.groups()
        return _iso(int(y), int(mo), int(d), hh, mm, ss, tz)
    if m := _NO_YEAR.match(text):
        mo, d, hh, mm = (int(g) if g else None for g in m.groups())
        today = now.astimezone(tz).date()
        for year in range(today.year, today.year - 8, -1):  # `2月29日` waits for a leap year
            day = _safe_date(year, mo, d)
            if day is not None and day <= today:
                return _iso(year, mo, d, hh, mm, None, tz)
        return None
    return _parse_relative(text, now, tz)


def _safe_date(y: int, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _iso(y: int, mo: int, d: int, hh, mm, ss, tz: tzinfo) -> str | None:
    day = _safe_date(y, mo, d)
    if day is None:
        return None
    if hh is None:
        return day.isoformat()
    try:
        moment = datetime(y, mo, d, int(hh), int(mm), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None
    return moment.isoformat()


# The relative forms the sites print, done here as dateparser does them (tests/test_dates.py
# checks the two agree): dateparser costs 1–3 ms a call, a third of a small page's parse.
_AGO = re.compile(r"^(\d{1,3})\s*(秒|分钟|小时|天)前$")
_AGO_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_DAY_WORD = re.compile(r"^(今天|昨天|前天)(?:\s*([01]?\d|2[0-3])\s*[:：]\s*([0-5]\d))?$")
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2}


def _relative_fast(text: str, local_now: datetime) -> datetime | None:
    """`3天前`, `2小时前`, `刚刚`, `昨天 16:05`, `今天` against the site-local crawl time;
    None for any other form."""
    if text == "刚刚":
        return local_now
    if m := _AGO.match(text):
        return local_now - timedelta(**{_AGO_UNITS[m.group(2)]: int(m.group(1))})
    if m := _DAY_WORD.match(text):
        day = local_now - timedelta(days=_DAYS_BACK[m.group(1)])
        if m.group(2) is None:
            return day
        return day.replace(hour=int(m.group(2)), minute=int(m.group(3)), second=0, microsecond=0)
    return None


def _parse_relative(text: str, now: datetime, tz: tzinfo) -> str | None:
    local_now = now.astimezone(tz)
    fast = _relative_fast(text, local_now.replace(tzinfo=None))
    parsed = fast.replace(tzinfo=tz) if fast is not None else by_dateparser(text, local_now, tz)
    if parsed is None or parsed > local_now + timedelta(minutes=1):
        return None
    return parsed.astimezone(tz).replace(microsecond=0).isoformat()


def by_dateparser(text: str, local_now: datetime, tz: tzinfo) -> datetime | None:
    """dateparser's reading of `text` relative to `local_now` (site-local), aware."""
    settings = {
        **_SETTINGS_BASE,
        "TIMEZONE": str(tz),
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
    }
    try:
        return dateparser.parse(text, languages=["zh"], settings=settings)
    except (ValueError, OverflowError):  # a page's text is no date, however dateparser fails
        return None


# A list item's date as list pages show it: `2024-02-24`, `2024/2/24 10:20`, `02-24`, `3天前`.
_LIST_DATE = re.compile(
    r"^(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
    r"|^\d+\s*(?:分钟|小时|天)前$|^(?:今天|昨天|刚刚)"
)


def list_date(texts: list[str], now: datetime) -> date | None:
    """The date a list page shows beside a question: the first of `texts` (the item's cleaned
    text pieces, link texts left out) that is a whole date, or None."""
    for text in texts:
        if text and len(text) <= MAX_DATE_CHARS and _LIST_DATE.match(text):
            iso = parse_date(text, now)
            if iso:
                return date.fromisoformat(iso[:10])
    return None
