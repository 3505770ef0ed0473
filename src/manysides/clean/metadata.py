"""Article metadata read from the text itself: dates, datelines, bylines, credits, outlet hints.

Anything the text does not state stays None: a guessed date or outlet is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
#: Month names in the other languages manysides reads (CLDR's wide forms; Russian and
#: Ukrainian in the genitive, as dates write them): fr, es, it, nl, de, pt, ru, uk.
FOREIGN_MONTHS = (
    "janvier enero gennaio januari januar jänner janeiro января січня",
    "février fevrier febrero febbraio februari februar fevereiro февраля лютого",
    "mars marzo maart märz maerz março марта березня",
    "avril abril aprile апреля квітня",
    "mai mayo maggio mei maio мая травня",
    "juin junio giugno juni junho июня червня",
    "juillet julio luglio juli julho июля липня",
    "août aout agosto augustus августа серпня",
    "septembre septiembre setiembre settembre setembro сентября вересня",
    "octobre octubre ottobre oktober outubro октября жовтня",
    "novembre noviembre novembro ноября листопада",
    "décembre decembre diciembre dicembre dezember dezembro декабря грудня",
)
for _number, _words in enumerate(FOREIGN_MONTHS, start=1):
    MONTHS.update(dict.fromkeys(_words.split(), _number))
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_DMY = re.compile(
    r"\b(?P<day>\d{1,2})(?:er|\.|º)?\s+(?:de\s+)?" + _MONTH + r",?\s+(?:de\s+|del\s+)?(?P<year>(19|20)\d{2})\b",
    re.IGNORECASE,
)
DATE_MDY = re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(st|nd|rd|th)?,?\s+(?P<year>(19|20)\d{2})\b", re.IGNORECASE)
#: "01-Mar-08" (day, English month abbreviation, two-digit year of this century).
DATE_SHORT = re.compile(r"\b(?P<day>\d{2})-(?P<month>[A-Za-z]{3})-(?P<year>\d{2})\b")
DATE_ISO = re.compile(r"\b(?P<year>(19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b")
DATE_ONLY_LINE = re.compile(
    r"^((published|updated|posted|last updated|date)\s*(on|:)?\s*)?[\w ,.:-]{0,12}?"
    r"(\d{1,2}(?:er|\.|º)?\s+(?:de\s+)?[^\W\d_]+\.?,?\s+(?:de\s+|del\s+)?\d{4}|[a-z]+\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{2}-[a-z]{3}-\d{2})"
    r"([ ,]*(updated|modified)?\s*(\d{1,2}\s+[a-z]+\.?,?\s+\d{4}|[a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2}))?"
    r"([ ,]*(at\s*)?\d{1,2}[:.]\d{2}\s*(am|pm)?\s*[A-Z]{0,4})?$",
    re.IGNORECASE,
)
# "MOSCOW, April 4 (Reuters) -", "BRUSSELS (Reuters) –", "MAZATLAN, Mexico, April 8 (AP) -",
# and in other languages "MAZATLAN, Mexique, 8 avril (AFP) -".
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'-]{1,40}?)(?:,\s*(?P<region>[A-Z][^\W\d_]+(?:[ -][A-Z][^\W\d_]+){0,3}))?"
    r"(?:,\s*(?:(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})|(?P<day2>\d{1,2})(?:er|\.)?\s+(?P<month2>[^\W\d_]{3,10})))?"
    r"\s*\((?P<agency>[A-Za-z][\w ]{1,30}?)\)\s*[-–—]\s*"
)
BYLINE = re.compile(
    r"^by\s+(?P<names>[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}((,|\s+and|\s*&)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})*)$",
    re.IGNORECASE,
)
REPORTING = re.compile(r"^\((?:additional\s+)?reporting\s+(?:by\s+)?(?P<names>[^;)]+)", re.IGNORECASE)
COPYRIGHT_HOLDER = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:(?:19|20)\d{2}\s*)?(?P<holder>[A-Z][\w&.' -]{1,40}?)(?:[.,]|\s+all rights|$)",
    re.IGNORECASE,
)
COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?P<year>(?:19|20)\d{2})", re.IGNORECASE)
SELF_REFERENCE = re.compile(r"^(?P<name>[A-Z][\w ]{1,30}?)[’']s website\b")
TITLE_SUFFIX = re.compile(r"\s+(?P<sep>[|–-])\s+(?P<outlet>[^|–-]{2,40})$")
CREDIT_LINE = re.compile(r"^[–—-]\s*(?P<agency>[A-Z][\w&. ]{1,30})$")


RELATIVE = re.compile(
    r"\b(?P<n>\d{1,3}|an?|one)\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)\s+ago\b|\b(?P<yesterday>yesterday)\b",
    re.IGNORECASE,
)
UNIT_DAYS = {"m": 0.0, "h": 1 / 24, "d": 1.0, "w": 7.0}


def relative_date(line: str, reference: str | None) -> str | None:
    """ "From 2h ago", "3 days ago", "yesterday" against a reference ISO date (the page's)."""
    m = RELATIVE.search(line)
    if not m or not reference:
        return None
    try:
        ref = date.fromisoformat(reference[:10])
    except ValueError:
        return None
    if m.group("yesterday"):
        return (ref - timedelta(days=1)).isoformat()
    n = 1 if m.group("n").lower() in ("a", "an", "one") else int(m.group("n"))
    days = n * UNIT_DAYS[m.group("unit")[0].lower()]
    return (ref - timedelta(days=int(days))).isoformat()


def parse_date(text: str) -> str | None:
    """The first full date in ``text`` as an ISO string, or None."""
    found: list[tuple[int, str]] = []
    for pattern in (DATE_DMY, DATE_MDY, DATE_ISO, DATE_SHORT):
        m = pattern.search(text)
        if m:
            year = m.group("year")
            iso = _iso(f"20{year}" if len(year) == 2 else year, m.group("month"), m.group("day"))
            if iso:
                found.append((m.start(), iso))
    return min(found)[1] if found else None


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        month_no = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
        return date(int(year), month_no, int(day)).isoformat()
    except (KeyError, ValueError):
        return None


def is_date_line(line: str) -> bool:
    return bool(DATE_ONLY_LINE.match(line.strip())) and parse_date(line) is not None


def dateline(line: str, year: int | None) -> tuple[str | None, str | None, str | None]:
    """(place, ISO date or None, agency) from a wire dateline at the start of ``line``."""
    m = DATELINE.match(line)
    if not m:
        return None, None, None
    iso = None
    month, day = m.group("month") or m.group("month2"), m.group("day") or m.group("day2")
    if month and year:
        iso = _iso(str(year), month, day)
    return m.group("place").strip().title(), iso, m.group("agency").strip()


def byline(line: str) -> tuple[str, ...]:
    m = BYLINE.match(line.strip())
    return _names(m.group("names")) if m else ()


def reporting_names(line: str) -> tuple[str, ...]:
    m = REPORTING.match(line.strip())
    if not m:
        return ()
    return _names(re.split(r",\s*with\b", m.group("names"))[0])


def _names(text: str) -> tuple[str, ...]:
    parts = re.split(r",|\band\b|&", text)
    return tuple(p.strip() for p in parts if p.strip())


def copyright_holder(line: str) -> str | None:
    m = COPYRIGHT_HOLDER.search(line)
    if not m:
        return None
    holder = m.group("holder").strip(" .")
    return holder if holder.lower() not in {"all rights reserved", "all"} else None


def copyright_year(text: str) -> int | None:
    m = COPYRIGHT_YEAR.search(text)
    return int(m.group("year")) if m else None


def self_reference(line: str) -> str | None:
    m = SELF_REFERENCE.match(line)
    return m.group("name").strip() if m else None


def credit_agency(line: str) -> str | None:
    m = CREDIT_LINE.match(line.strip())
    return m.group("agency").strip() if m else None


def split_title_suffix(title: str, is_outlet: Callable[[str], bool] = lambda _: False) -> tuple[str, str | None]:
    """ "Kremlin says ... | Reuters" -> ("Kremlin says ...", "Reuters").

    A pipe always separates a site name. A dash does only when ``is_outlet`` knows the
    name: "Russia and NATO already in 'direct confrontation' – Kremlin" names a speaker.
    """
    m = TITLE_SUFFIX.search(title)
    if not m or (m.group("sep") != "|" and not is_outlet(m.group("outlet").strip())):
        return title, None
    return title[: m.start()].strip(), m.group("outlet").strip()
