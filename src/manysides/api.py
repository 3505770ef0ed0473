"""The public Python API: everything a script or notebook needs, in one place.

``import manysides`` re-exports these names lazily (the analysis stack loads on first use,
so importing the package is cheap). Anything not listed here is internal and may change.

Example:
    >>> import manysides
    >>> report = manysides.compare(["examples/nato-2024-04-04"])  # doctest: +SKIP
    >>> with manysides.Collection("sqlite:///news.db") as collection:  # doctest: +SKIP
    ...     manysides.ingest_into(collection, ["feed.jsonl"])
    ...     report = manysides.show(collection, collection.stories()[0].id)
"""

from __future__ import annotations

from .errors import ManysidesError, NothingToAnalyse
from .model import Article, Fact, Quote, QuoteGroup, Report, Reuse, ReusePair, Sentence, Skipped, Story
from .nlp import Models
from .outlets import Registry, load_registry
from .pipeline import analyse_articles, compare, ingest_into, show
from .settings import Settings, load_settings
from .store import Collection

__all__ = [
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
]
