"""The outlet registry: names, domains, aliases and labels (country, kind, owner).

The shipped file is ``data/outlets.toml``; users add their own with ``load_registry``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from .errors import SettingsError


@dataclass(frozen=True)
class Outlet:
    name: str
    domains: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    country: str | None = None
    kind: str | None = None
    owner: str | None = None
    source: str | None = None

    def label(self) -> str:
        """ "wire agency, GB": the labels a report shows beside the name."""
        return ", ".join(x for x in (self.kind, self.country) if x)


@dataclass(frozen=True)
class Registry:
    outlets: tuple[Outlet, ...]

    def by_name(self, name: str | None) -> Outlet | None:
        if not name:
            return None
        key = _norm(name)
        for outlet in self.outlets:
            if key == _norm(outlet.name) or key in {_norm(a) for a in outlet.aliases}:
                return outlet
        return None

    def by_url(self, url: str | None) -> Outlet | None:
        if not url:
            return None
        host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
        for outlet in self.outlets:
            if any(host == d or host.endswith("." + d) for d in outlet.domains):
                return outlet
        return None

    def canonical(self, name: str | None) -> str | None:
        """The registry's spelling of an outlet name, or the name as given."""
        outlet = self.by_name(name)
        return outlet.name if outlet else name

    def extended(self, other: Registry) -> Registry:
        """``other``'s entries win over ours for the same name."""
        names = {_norm(o.name) for o in other.outlets}
        return Registry(other.outlets + tuple(o for o in self.outlets if _norm(o.name) not in names))


def _norm(name: str) -> str:
    return " ".join(name.lower().replace(".", "").split())


def parse_registry(text: str, origin: str) -> Registry:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{origin}: outlet registry is not valid TOML ({exc}); see data/outlets.toml") from None
    outlets = []
    for item in data.get("outlet", []):
        if not isinstance(item, dict) or "name" not in item:
            raise SettingsError(f'{origin}: every [[outlet]] needs name = "..."; see data/outlets.toml')
        outlets.append(
            Outlet(
                name=item["name"],
                domains=tuple(item.get("domains", ())),
                aliases=tuple(item.get("aliases", ())),
                country=item.get("country"),
                kind=item.get("kind"),
                owner=item.get("owner"),
                source=item.get("source"),
            )
        )
    return Registry(tuple(outlets))


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    text = (resources.files("manysides") / "data" / "outlets.toml").read_text(encoding="utf-8")
    return parse_registry(text, "data/outlets.toml")


def load_registry(path: str | Path | None = None) -> Registry:
    """The shipped registry, extended by the user's file when one is given."""
    base = default_registry()
    if path is None:
        return base
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read outlet registry ({exc.strerror}); check the path") from None
    return base.extended(parse_registry(text, str(path)))
