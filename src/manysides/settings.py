"""Settings: one commented defaults file, with a stated precedence.

defaults (``data/defaults.toml``) < ``--config FILE`` or ``MANYSIDES_CONFIG`` <
environment ``MANYSIDES_<NAME>`` < explicit overrides (command-line flags, API arguments).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import SettingsError

#: Where a collection lives unless ``--db`` or ``MANYSIDES_DB`` says otherwise.
DEFAULT_DB_URL = "sqlite:///manysides.db"


@dataclass(frozen=True)
class Settings:
    seed: int = 1
    num_perm: int = 128
    sentence_shingle: int = 3
    article_shingle: int = 5
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_backend: str = "auto"
    embedding_batch: int = 64
    spacy_model: str = "en_core_web_sm"
    spacy_batch: int = 8
    spacy_processes: int = 0
    digest_rewriter: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **_coerce(overrides, "arguments"))


def _coerce(values: dict[str, Any], origin: str) -> dict[str, Any]:
    types = {f.name: f.type for f in fields(Settings)}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in types:
            known = ", ".join(sorted(types))
            raise SettingsError(f"{origin}: unknown setting {key!r}; known settings: {known}")
        try:
            out[key] = int(value) if types[key] == "int" else str(value)
        except (TypeError, ValueError):
            raise SettingsError(f"{origin}: setting {key!r} expects an integer, got {value!r}") from None
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read settings file ({exc.strerror}); check the path") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc}); see data/defaults.toml for the format") from None


def load_settings(config: str | Path | None = None, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from every layer, lowest precedence first."""
    env = dict(os.environ) if env is None else env
    defaults = resources.files("manysides") / "data" / "defaults.toml"
    values: dict[str, Any] = tomllib.loads(defaults.read_text(encoding="utf-8"))
    config = config or env.get("MANYSIDES_CONFIG")
    if config:
        values.update(_read_toml(Path(config)))
    for f in fields(Settings):
        key = f"MANYSIDES_{f.name.upper()}"
        if key in env:
            values[f.name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**_coerce(values, str(config or "settings")))
