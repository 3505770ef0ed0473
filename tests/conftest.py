"""Shared fixtures. The seed report is computed once per session (models load once)."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

import manysides
from manysides.model import Report
from manysides.nlp import Models
from manysides.settings import load_settings

# Models come from installed packages only; never ask a hub (manysides.nlp sets these
# too when it loads a model; here they also cover anything a test imports directly).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Under CI the property tests replay the same examples every run (a failure found
# locally is reproducible; CI never fails by chance); locally they explore new ones.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say the order the tests ran in when pytest-randomly shuffled it (``make test`` outside CI),
    at the end, where a failure's reader looks: that order can be run again."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.pluginmanager.has_plugin("randomly"):
        terminalreporter.write_line(
            f"tests ran in a random order, seed {seed}: run that order again with "
            f"`make test TEST_ORDER=--randomly-seed={seed}`"
        )


ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "nato-2024-04-04"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = {
    "reuters": "000_d11a53ac0214ade3.txt",
    "presstv": "001_c680fcd0d1af501d.txt",
    "rt": "002_c974ad76943d9b07.txt",
    "indaily": "003_9fbdd8bab5d11303.txt",
    "reuters_fr": "004_3c6e93e2b3a5dd35.txt",
}


def seed_text(name: str) -> str:
    return (EXAMPLE / SEEDS[name]).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def models() -> Models:
    return Models(load_settings(env={}))


@pytest.fixture(scope="session")
def seed_report(models: Models) -> Report:
    return manysides.compare([str(EXAMPLE)], models=models)


@pytest.fixture(scope="session")
def shuffled_seed_report(models: Models, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The same files copied in another order into another folder, given file by file."""
    folder = tmp_path_factory.mktemp("shuffled")
    names = sorted(SEEDS.values())
    random.Random(7).shuffle(names)
    for name in names:
        shutil.copy(EXAMPLE / name, folder / name)
    shutil.copy(EXAMPLE / "manifest.toml", folder / "manifest.toml")
    return manysides.compare([str(folder / n) for n in names], folder / "manifest.toml", models=models)


def by_source(report: Report, name: str, part: int | None = None) -> manysides.Article:
    """The seed's article; for a page split in pieces, the given part (default: the first)."""
    suffix = SEEDS[name] if part is None else f"{SEEDS[name]}#part{part}"
    matches = [
        a
        for a in report.articles
        if a.source.endswith(suffix) or (part is None and a.source.endswith(SEEDS[name] + "#part1"))
    ]
    assert len(matches) == 1, [a.source for a in report.articles]
    return matches[0]


def _postgres_bin() -> Path | None:
    for found in sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True):
        return found.parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL server on 127.0.0.1 (initdb + pg_ctl, as a non-root user).

    Skips with a reason where PostgreSQL is not installed; under CI (CI=true) that fails.
    """
    import socket
    import subprocess
    import tempfile

    bindir = _postgres_bin()
    if bindir is None:
        reason = "PostgreSQL (initdb, pg_ctl) is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run must install it under CI")
        pytest.skip(reason)
    # Not under pytest's temporary folder: the server's user must be able to reach it.
    home = Path(tempfile.mkdtemp(prefix="manysides-pg-"))
    data = home / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(home, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def pg(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=120)

    pg(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "manysides", "--no-sync")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(data / "log"), "start")
    try:
        yield f"postgresql+psycopg://manysides@127.0.0.1:{port}/postgres"
    finally:
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)
