"""One policy for dates: instants across time zones, unknown dates last."""

from __future__ import annotations

from manysides.dates import date_key, day_number, earliest, instant, latest
from manysides.model import Article
from manysides.reuse.direction import orient


def test_dates_compare_instants_not_text() -> None:
    west, east = "2024-04-04T23:00-05:00", "2024-04-05T01:00Z"
    assert west < east  # as text the western one sorts first, although it is the later instant
    assert instant(west) is not None and instant(east) is not None
    assert instant(east) < instant(west)  # 01:00 UTC comes before 04:00 UTC
    assert earliest([west, None, east]) == east and latest([west, "garbage", east]) == west
    assert sorted([None, west, east], key=date_key) == [east, west, None]


def test_dates_naive_and_date_only_read_as_utc_and_garbage_as_unknown() -> None:
    assert instant("2024-04-04") == instant("2024-04-04T00:00:00Z") == instant("2024-04-04T00:00")
    assert instant("yesterday") is None and instant("") is None and instant(None) is None
    assert day_number("1970-01-02") == 1.0


def test_dates_direction_follows_the_instant_across_zones() -> None:
    text = ["Russia and NATO are now in direct confrontation, the Kremlin said on Thursday."] * 3
    late = Article.from_sentences("late", text, published="2024-04-04T23:00-05:00", outlet="West")
    early = Article.from_sentences("early", text, published="2024-04-05T01:00Z", outlet="East")
    src, dst, evidence = orient(late, early, [], [])
    assert (src.id, dst.id) == ("early", "late") and "before" in evidence[0]
