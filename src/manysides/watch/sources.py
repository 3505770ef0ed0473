"""Watched sources: the SOURCES.toml file ``manysides watch`` reads.

    interval = "5m"            # default for every source: 30s, 5m, 1h, or seconds

    [[source]]
    name = "wire-world"        # optional; the URL by default; the key of its state
    url = "https://wire.example/world/rss.xml"
    type = "feed"              # feed (RSS/Atom) | sitemap (news sitemaps too) | page; default: detected
    outlet = "Wire"            # the outlet its articles are credited to (else the outlet registry's guess)
    interval = "10m"
    include = ["/world/"]      # regular expressions over item URLs: keep those matching one
    exclude = ["/video/"]      # ... and drop those matching one

Errors name the file, the source and the fix.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import SettingsError

#: Shortest interval a source may ask for: politeness to the sites watched.
MIN_INTERVAL_S = 30.0
DEFAULT_INTERVAL_S = 300.0
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def seconds(value: float | int | str) -> float:
    """An interval: a number of seconds or a string like "90s", "5m", "1h", "1d"."""
    if isinstance(value, int | float):
        return float(value)
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
    if not found:
        raise ValueError(f"{value!r} is not an interval; write it like 30s, 5m, 1h or a number of seconds")
    return float(found.group(1)) * _UNITS[found.group(2) or "s"]


class Source(BaseModel):
    """One watched source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=8, max_length=2000)
    name: str = Field("", max_length=200)
    type: Literal["feed", "sitemap", "page", "auto"] = "auto"
    outlet: str | None = Field(None, max_length=200)
    interval: float = DEFAULT_INTERVAL_S
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @field_validator("interval", mode="before")
    @classmethod
    def _interval(cls, value: float | int | str) -> float:
        found = seconds(value)
        if found < MIN_INTERVAL_S:
            raise ValueError(f"polling more often than every {MIN_INTERVAL_S:g} s is impolite; give 30s or more")
        return found

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression ({exc})") from None
        return value

    @property
    def key(self) -> str:
        """The name its state is kept under."""
        return self.name or self.url

    def wants(self, url: str) -> bool:
        """Whether an item URL passes the include and exclude patterns."""
        if self.include and not any(re.search(p, url) for p in self.include):
            return False
        return not any(re.search(p, url) for p in self.exclude)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval: float | int | str = DEFAULT_INTERVAL_S
    source: list[dict[str, object]] = Field(default_factory=list)


def parse_sources(text: str, origin: str) -> list[Source]:
    """The sources of a SOURCES.toml text (``origin`` names it in errors)."""
    try:
        data = SourcesFile.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{origin}: not valid TOML ({exc})") from None
    except ValidationError as exc:
        raise SettingsError(f"{origin}: {_first(exc)}; see `manysides watch --help` for the format") from None
    out: list[Source] = []
    for n, item in enumerate(data.source, start=1):
        try:
            out.append(Source.model_validate({"interval": data.interval, **item}))
        except ValidationError as exc:
            where = item.get("name") or item.get("url") or f"source {n}"
            raise SettingsError(f"{origin}: [[source]] {where}: {_first(exc)}") from None
    keys = [s.key for s in out]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise SettingsError(f"{origin}: two sources are named {twice[0]!r}; give each a different name")
    if not out:
        raise SettingsError(f'{origin}: no [[source]]; add one with url = "https://..."')
    return out


def load_sources(path: str | Path) -> list[Source]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the sources file ({exc.strerror}); check the path") from None
    return parse_sources(text, str(path))


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ()))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
