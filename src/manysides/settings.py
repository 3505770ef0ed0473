"""Settings: one commented defaults file, with a stated precedence.

defaults (``data/defaults.toml``) < ``--config FILE`` or ``MANYSIDES_CONFIG`` <
environment ``MANYSIDES_<NAME>`` < explicit overrides (command-line flags, API arguments).
"""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import SettingsError

#: Where a collection lives unless ``--db`` or ``MANYSIDES_DB`` says otherwise.
DEFAULT_DB_URL = "sqlite:///manysides.db"


class Settings(BaseModel):
    """Validated settings (pydantic): unknown names, wrong types and out-of-range values are
    refused with a message that names the setting and the fix. Defaults in ``data/defaults.toml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = 1
    num_perm: int = Field(128, ge=16, le=1024)
    sentence_shingle: int = Field(3, ge=1, le=10)
    article_shingle: int = Field(5, ge=1, le=10)
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_backend: Literal["auto", "torch-bf16", "onnx", "onnx-int8", "torch"] = "auto"
    embedding_batch: int = Field(64, ge=1, le=4096)
    spacy_model: str = "en_core_web_sm"
    spacy_batch: int = Field(8, ge=1, le=4096)
    spacy_processes: int = Field(0, ge=0, le=64)
    digest_rewriter: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()

    def with_overrides(self, **overrides: Any) -> Settings:
        return _validated({**self.model_dump(), **overrides}, "arguments")


def _validated(values: dict[str, Any], origin: str) -> Settings:
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise SettingsError(_explain(exc, origin)) from None


def _explain(exc: ValidationError, origin: str) -> str:
    """The first problem in words: which setting, what it needs, what it got, where to look."""
    error = exc.errors()[0]
    name = ".".join(str(p) for p in error["loc"]) or "?"
    if error["type"] == "extra_forbidden":
        known = ", ".join(sorted(Settings.model_fields))
        return f"{origin}: unknown setting {name!r}; known settings: {known}"
    wanted = {"int_parsing": "an integer", "int_type": "an integer", "string_type": "text"}.get(error["type"])
    need = f"expects {wanted}" if wanted else error["msg"].lower()
    return f"{origin}: setting {name!r} {need}, got {error.get('input')!r}; see data/defaults.toml"


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
    for name in Settings.model_fields:
        key = f"MANYSIDES_{name.upper()}"
        if key in env:
            values[name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return _validated(values, str(config or "settings"))
