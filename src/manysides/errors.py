"""Exceptions. Every message names the input, what was expected, what was found, and the fix.

    ManysidesError
    ├── InputError          one input cannot be analysed; the run goes on without it
    │   ├── UnreadableInput     missing file, permission, undecodable bytes
    │   ├── UnknownFormat       an extension or content no reader handles
    │   ├── EmptyInput          an empty file or a folder with no readable file
    │   └── BadRecord           a JSONL line that is not an article object
    ├── ManifestError       the manifest file is malformed
    ├── SettingsError       a settings file or value is malformed
    ├── RecordError         a report or record read back from JSON does not fit its type
    ├── ModelError          a model package is missing or broken
    └── NothingToAnalyse    every input was skipped

The CLI prints ``str(error)`` on one line; no traceback reaches a user for bad input.
"""

from __future__ import annotations


class ManysidesError(Exception):
    """Base class of every error manysides raises on purpose."""


class InputError(ManysidesError):
    """One input could not be analysed. ``source`` names it."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class UnreadableInput(InputError):
    pass


class UnknownFormat(InputError):
    pass


class EmptyInput(InputError):
    pass


class BadRecord(InputError):
    pass


class ManifestError(ManysidesError):
    pass


class SettingsError(ManysidesError):
    pass


class ModelError(ManysidesError):
    pass


class NothingToAnalyse(ManysidesError):
    pass


class RecordError(ManysidesError):
    """A record read from JSON has unknown, missing or mistyped fields."""
