"""The relative-date fast path (`3天前`, `昨天 16:05` …) reads every form as dateparser does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from medcrawl.extract.dates import SITE_TZ, _relative_fast, by_dateparser, parse_date

NOW = datetime(2024, 3, 20, 2, 0, 30, tzinfo=timezone.utc)


def fast_and_slow(text: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    local_now = now.astimezone(SITE_TZ)
    fast = _relative_fast(text, local_now.replace(tzinfo=None))
    slow = by_dateparser(text, local_now, SITE_TZ)
    return (None if fast is None else fast.replace(tzinfo=SITE_TZ)), slow


moments = st.datetimes(
    min_value=datetime(1995, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.just(timezone.utc),
)
relative_texts = st.one_of(
    st.builds(
        lambda n, unit, space: f"{n}{space}{unit}前",
        st.integers(0, 999),
        st.sampled_from(["秒", "分钟", "小时", "天"]),
        st.sampled_from(["", " "]),
    ),
    st.builds(
        lambda word, hh, mm, sep: f"{word}{sep}{hh}:{mm:02d}",
        st.sampled_from(["今天", "昨天", "前天"]),
        st.integers(0, 23),
        st.integers(0, 59),
        st.sampled_from(["", " "]),
    ),
    st.sampled_from(["刚刚", "今天", "昨天", "前天"]),
)


@settings(deadline=None, max_examples=300, derandomize=True)
@given(text=relative_texts, now=moments)
def test_fast_path_reads_as_dateparser(text, now):
    fast, slow = fast_and_slow(text, now)
    assert fast is not None
    assert fast.replace(microsecond=0) == slow.replace(microsecond=0)


def test_other_forms_go_to_dateparser():
    for text in ("1周前", "2个月前", "半小时前", "大前天", "今天 25:00"):
        assert _relative_fast(text, NOW.replace(tzinfo=None)) is None
    assert parse_date("1周前", NOW) == "2024-03-13T10:00:30+08:00"


def test_fast_path_values():
    assert parse_date("3天前", NOW) == "2024-03-17T10:00:30+08:00"
    assert parse_date("昨天 16:05", NOW) == "2024-03-19T16:05:00+08:00"
    assert parse_date("刚刚", NOW) == "2024-03-20T10:00:30+08:00"
    assert parse_date("今天 23:00", NOW) is None  # later than the crawl: not a date
    assert parse_date("30秒前", NOW + timedelta(microseconds=5)) == "2024-03-20T10:00:00+08:00"
