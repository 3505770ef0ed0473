"""The bad-input suite (bench/bad_inputs.py) without the models: every kind, beside a good
file, gets a one-line reason or is read, within a bounded time, and the good file is read."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from bench.bad_inputs import GOOD, kinds

from manysides.clean import clean
from manysides.ingest import ingest
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.segment import segment
from manysides.settings import Settings

#: Built in memory for the bench's full run; the test suite's gzip bombs are smaller
#: (tests/test_ingest_hostile.py).
HEAVY = {"gzip bomb (1 GiB of text)"}
MODELS = Models(Settings())


CASES = [k for k in kinds() if k[0] not in HEAVY]


@pytest.fixture(scope="module", autouse=True)
def _loaded(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whatever the splitter loads on first use is loaded before any case's clock starts:
    the bound is on handling the input, not on start-up (the first case took 6 of its 10 s)."""
    good = tmp_path_factory.mktemp("warm") / "good.txt"
    good.write_text(GOOD)
    docs, _ = ingest([str(good)])
    segment([a for d in docs for a in clean(d, default_registry())], MODELS)


# Named by kind alone: an id holding a function's address differs between processes (pytest -n).
@pytest.mark.parametrize(("kind", "name", "make"), CASES, ids=[k[0] for k in CASES])
def test_bad_input_gets_a_reason_and_the_good_file_is_read(kind: str, name: str, make: object, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD)
    make(tmp_path)  # type: ignore[operator]
    started = time.monotonic()
    docs, skipped = ingest([str(tmp_path / "good.txt"), str(tmp_path / name)])
    articles = [a for d in docs for a in clean(d, default_registry())]
    segment(articles, MODELS)
    assert time.monotonic() - started < 10, f"{kind} took too long"
    assert any(Path(d.source).name == "good.txt" for d in docs)
    assert all(s.reason and "\n" not in s.reason and len(s.reason) < 300 for s in skipped)
