"""docs/architecture.md stays true: every package and file it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "src" / "manysides"


def test_architecture_doc_names_only_packages_that_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    packages = set(re.findall(r"`([a-z_]+)/`", text))
    assert {"ingest", "clean", "features", "reuse", "store", "render"} <= packages
    missing = sorted(p for p in packages if not (PACKAGE / p / "__init__.py").is_file())
    assert not missing, f"docs/architecture.md names packages that do not exist: {missing}"


def test_architecture_doc_names_only_files_that_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    modules = set(re.findall(r"`([a-z_]+\.py)`", text))
    found = {p.name for p in PACKAGE.rglob("*.py")} | {p.name for p in (ROOT / "tests").glob("*.py")}
    assert not sorted(modules - found), f"docs/architecture.md names missing files: {sorted(modules - found)}"
    for path in re.findall(r"`((?:src|tests|eval|schema)/[\w./-]+)`", text):
        assert (ROOT / path).exists(), f"docs/architecture.md names {path}, which does not exist"


def test_architecture_doc_lists_every_stage_package() -> None:
    text = DOC.read_text(encoding="utf-8")
    stages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    unlisted = sorted(s for s in stages if f"`{s}/`" not in text)
    assert not unlisted, f"stage packages missing from docs/architecture.md: {unlisted}"
