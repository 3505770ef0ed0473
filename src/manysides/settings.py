"""Settings: one commented defaults file, with a stated precedence.

defaults (``data/defaults.toml``) < ``--config FILE`` or ``MANYSIDES_CONFIG`` <
environment ``MANYSIDES_<NAME>`` (``MANYSIDES_<SECTION>__<NAME>`` inside a section) <
explicit overrides (command-line flags, API arguments).

Top-level settings say how to run (seeds, models, batches); the sections hold every
threshold of the analysis, one section per stage (``[align]``, ``[reuse]``, ``[facts]``,
``[entities]``, ``[quotes]``, ``[framing]``, ``[digest]``, ``[clustering]``). Each value's
calibration note (the data, the date, the figure it was set on) stands beside it in
``data/defaults.toml``; ``tests/test_settings_precedence.py`` checks that file against the
defaults here. Change a threshold only with the ``make eval`` floors in view.
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


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AlignSettings(_Section):
    """Stage 7, sentence alignment (``reuse/align.py``)."""

    verbatim: float = Field(0.97, ge=0.0, le=1.0)
    near_verbatim: float = Field(0.90, ge=0.0, le=1.0)
    lsh_threshold: float = Field(0.3, gt=0.0, le=1.0)
    neighbours: int = Field(24, ge=1, le=1000)
    semantic_floor: float = Field(0.5, ge=-1.0, le=1.0)
    exact_neighbours: int = Field(4096, ge=0)
    min_words: int = Field(5, ge=1, le=100)
    quote_share: float = Field(0.5, ge=0.0, le=1.0)
    quote_words: int = Field(5, ge=1, le=100)
    same_quote: float = Field(0.95, ge=0.0, le=1.0)
    quote_rendering: float = Field(0.75, ge=0.0, le=1.0)
    same_content: float = Field(0.8, ge=-1.0, le=1.0)
    verbatim_quote: float = Field(0.95, ge=0.0, le=1.0)
    margin_neighbours: int = Field(4, ge=1, le=100)
    translation_margin: float = Field(1.05, ge=0.0, le=10.0)
    claim_cosine: float = Field(0.6, ge=0.0, le=1.01)
    claim_anchors: float = Field(0.3, ge=0.0, le=1.0)
    action_cosine: float = Field(0.3, ge=0.0, le=1.01)
    action_words: int = Field(2, ge=1, le=100)


class ReuseSettings(_Section):
    """Stage 7, who took what from whom (``reuse/__init__.py``)."""

    min_pairs: int = Field(2, ge=1, le=100)
    rewrite_pairs: int = Field(4, ge=1, le=100)
    rewrite_share: float = Field(0.4, ge=0.0, le=1.0)
    in_order: float = Field(0.75, ge=0.0, le=1.0)
    credit_margin: float = Field(0.05, ge=0.0, le=1.0)
    translation_share: float = Field(0.5, ge=0.0, le=1.0)
    translation_cosine: float = Field(0.7, ge=-1.0, le=1.0)


class FactsSettings(_Section):
    """Stage 8, the fact matrix (``facts/``)."""

    omission_share: float = Field(0.5, ge=0.0, le=1.0)
    omission_min_outlets: int = Field(2, ge=1, le=1000)


class EntitiesSettings(_Section):
    """Stage 9, names linked across articles (``entities/``)."""

    surname_similarity: float = Field(0.85, ge=0.0, le=1.0)
    first_name_similarity: float = Field(0.65, ge=0.0, le=1.0)


class QuotesSettings(_Section):
    """Stage 10, quote groups and verdicts (``quotes/``)."""

    same_utterance: float = Field(0.72, ge=0.0, le=1.0)
    misattributed: float = Field(0.95, ge=0.0, le=1.0)
    misattributed_words: int = Field(6, ge=1, le=100)
    translated: float = Field(0.7, ge=-1.0, le=1.0)
    translated_speaker: float = Field(0.5, ge=-1.0, le=1.0)
    translated_faithful: float = Field(0.7, ge=-1.0, le=1.0)
    translated_length: float = Field(0.6, ge=0.0, le=1.0)


class FramingSettings(_Section):
    """Stage 11, word choice (``framing/``)."""

    spelling_similarity: float = Field(0.8, ge=0.0, le=1.0)
    spelling_variant: float = Field(0.6, ge=0.0, le=1.0)


class DigestSettings(_Section):
    """Stage 12, the checked digest (``digest/``)."""

    min_sentences: int = Field(5, ge=1, le=100)
    max_sentences: int = Field(12, ge=1, le=100)
    support_min: float = Field(0.5, ge=0.0, le=1.0)
    quote_anchor_cosine: float = Field(0.6, ge=-1.0, le=1.0)
    language: str = Field("en", min_length=2, max_length=8)
    across_languages: float = Field(0.7, ge=-1.0, le=1.0)


class ClusteringSettings(_Section):
    """Stage 6, story clustering: overrides of the fitted model's cut (``data/stories.toml``);
    unset (the default) keeps the fitted values."""

    threshold: float | None = Field(None, ge=0.0, le=1.0)
    dense_threshold: float | None = Field(None, ge=0.0, le=1.0)
    window_days: float | None = Field(None, gt=0.0)
    min_link: float | None = Field(None, ge=0.0, le=1.0)
    recluster_max: int | None = Field(None, ge=1)


class LimitsSettings(_Section):
    """What one input may cost: enforced where it is read (``ingest/``, ``clean/``)."""

    input_bytes: int = Field(64 * 2**20, ge=1024)
    article_chars: int = Field(300_000, ge=1000, le=900_000)
    page_bytes: int = Field(10 * 2**20, ge=1024)
    fetch_timeout: float = Field(15.0, gt=0.0, le=600.0)
    fetch_deadline: float = Field(60.0, gt=0.0, le=3600.0)
    robots_bytes: int = Field(500 * 1024, ge=500 * 1024)


class WatchSettings(_Section):
    """Watched sources (``watch/``): politeness and parallelism of the poller."""

    host_delay: float = Field(1.0, ge=0.0, le=3600.0)
    threads: int = Field(8, ge=1, le=256)
    fetch_per_poll: int = Field(200, ge=1, le=100_000)


SECTIONS = (
    "align",
    "reuse",
    "facts",
    "entities",
    "quotes",
    "framing",
    "digest",
    "clustering",
    "limits",
    "watch",
)


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
    workers: int = Field(0, ge=0, le=64)
    digest_rewriter: str = ""
    align: AlignSettings = AlignSettings()
    reuse: ReuseSettings = ReuseSettings()
    facts: FactsSettings = FactsSettings()
    entities: EntitiesSettings = EntitiesSettings()
    quotes: QuotesSettings = QuotesSettings()
    framing: FramingSettings = FramingSettings()
    digest: DigestSettings = DigestSettings()
    clustering: ClusteringSettings = ClusteringSettings()
    limits: LimitsSettings = LimitsSettings()
    watch: WatchSettings = WatchSettings()

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
        loc = error["loc"]
        section = Settings.model_fields.get(str(loc[0])) if len(loc) > 1 else None
        fields = (
            section.annotation.model_fields if section is not None and section.annotation else Settings.model_fields
        )
        known = ", ".join(sorted(fields))
        return f"{origin}: unknown setting {name!r}; known settings: {known}"
    wanted = {"int_parsing": "an integer", "int_type": "an integer", "string_type": "text"}.get(error["type"])
    need = f"expects {wanted}" if wanted else error["msg"].lower()
    return f"{origin}: setting {name!r} {need}, got {error.get('input')!r}; see data/defaults.toml"


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``; a section given in part keeps the rest of its defaults."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
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
        values = _merged(values, _read_toml(Path(config)))
    for name in Settings.model_fields:
        if name in SECTIONS:
            prefix = f"MANYSIDES_{name.upper()}__"
            found = {k[len(prefix) :].lower(): v for k, v in env.items() if k.startswith(prefix)}
            if found:
                values[name] = {**values.get(name, {}), **found}
            continue
        key = f"MANYSIDES_{name.upper()}"
        if key in env:
            values[name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return _validated(values, str(config or "settings"))
