"""Publication dates: one policy for reading, comparing and ordering them.

Articles carry ``published`` as the ISO 8601 text their source gave ("2024-04-04",
"2024-04-04T23:00-05:00", "2024-04-05T01:00Z"). Comparing that text orders instants in
other time zones wrongly, so every comparison goes through ``instant``: a date-time with a
zone is that instant; without a zone it is taken as UTC; a date alone is its midnight UTC.
Unreadable or absent dates are unknown, and unknown sorts last (``date_key``).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

#: What ``date_key`` gives an unknown date: after every real one.
UNKNOWN = math.inf


@lru_cache(maxsize=65536)
def instant(published: str | None) -> float | None:
    """Seconds since 1970-01-01 UTC, or None when absent or unreadable."""
    if not published:
        return None
    try:
        when = dt.datetime.fromisoformat(published.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def date_key(published: str | None) -> float:
    """Sort key of a date: its instant; unknown dates last."""
    found = instant(published)
    return UNKNOWN if found is None else found


def day_number(published: str | None) -> float | None:
    """Days since 1970-01-01 UTC (None when absent or unreadable)."""
    found = instant(published)
    return None if found is None else found / 86400.0


def earliest(dates: list[str | None]) -> str | None:
    """The earliest known date as it was written (None when none is known)."""
    known = [d for d in dates if instant(d) is not None]
    return min(known, key=date_key) if known else None


def latest(dates: list[str | None]) -> str | None:
    """The latest known date as it was written (None when none is known)."""
    known = [d for d in dates if instant(d) is not None]
    return max(known, key=date_key) if known else None
