"""manysides: how different outlets cover the same event, with evidence down to the sentence.

The public API lives in ``manysides.api`` and is re-exported here on first use, so that
``import manysides`` (and ``manysides --help``) does not load spaCy, ONNX Runtime or torch.

Example:
    >>> import manysides
    >>> report = manysides.compare(["examples/nato-2024-04-04"])  # doctest: +SKIP
    >>> report.stories[0].title  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("manysides")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from .api import *  # noqa: F403

#: The names of ``manysides.api.__all__``, repeated here so that they can be offered without
#: importing it (tests/test_startup.py checks the two lists agree).
_API = (
    "Article",
    "Collection",
    "Fact",
    "ManysidesError",
    "Models",
    "NothingToAnalyse",
    "Quote",
    "QuoteGroup",
    "Registry",
    "Report",
    "Reuse",
    "ReusePair",
    "Sentence",
    "Settings",
    "Skipped",
    "Story",
    "analyse_articles",
    "compare",
    "ingest_into",
    "load_registry",
    "load_settings",
    "show",
)
__all__ = [*_API, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'manysides' has no attribute {name!r}")
