"""manysides: how different outlets cover the same event, with evidence down to the sentence.

Example:
    >>> import manysides
    >>> report = manysides.compare(["examples/nato-2024-04-04"])  # doctest: +SKIP
    >>> report.stories[0].title  # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import ManysidesError
from .model import Article, Report, Reuse, ReusePair, Sentence, Skipped, Story
from .pipeline import compare

try:
    __version__ = version("manysides")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = [
    "Article",
    "ManysidesError",
    "Report",
    "Reuse",
    "ReusePair",
    "Sentence",
    "Skipped",
    "Story",
    "__version__",
    "compare",
]
