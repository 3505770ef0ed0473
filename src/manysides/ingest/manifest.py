"""The manifest: what a user knows about each input file that the text may not say.

Format (TOML), one table per file, matched by file name or by path relative to the
manifest's folder::

    [[file]]
    path = "000_d11a53ac0214ade3.txt"   # required
    outlet = "Reuters"                  # optional: outlet that published it
    url = "https://..."                 # optional
    published = "2024-04-04"            # optional: ISO date
    title = "..."                       # optional
    language = "en"                     # optional
    note = "free text for humans"       # ignored by the analysis

A folder given to ``manysides compare`` that holds a ``manifest.toml`` uses it unless
``--no-manifest`` is given.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ManifestError

MANIFEST_NAME = "manifest.toml"
MANIFEST_FIELDS = ("outlet", "url", "published", "title", "language", "byline", "credits")


@dataclass(frozen=True)
class Manifest:
    root: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def lookup(self, source: str) -> dict[str, Any]:
        """The entry for an input path: by path relative to the manifest, else by file name."""
        path = Path(source.partition("#L")[0])
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = None
        if rel is not None and rel in self.entries:
            return self.entries[rel]
        return self.entries.get(path.name, {})


def load_manifest(path: str | Path) -> Manifest:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the manifest ({exc.strerror}); check the path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: the manifest is not valid TOML ({exc}); see `manysides compare --help`") from None
    files = data.get("file")
    if not isinstance(files, list):
        raise ManifestError(f"{path}: expected [[file]] tables, one per input file; found none")
    entries: dict[str, dict[str, Any]] = {}
    for n, item in enumerate(files, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise ManifestError(f'{path}: [[file]] number {n} has no path = "..."; add the file\'s name')
        entries[item["path"]] = {k: item[k] for k in MANIFEST_FIELDS if item.get(k) not in (None, "")}
    return Manifest(root=path.parent, entries=entries)
