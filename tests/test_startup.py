"""Start-up: importing the package and asking for help load none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("spacy", "torch", "sklearn", "sentence_transformers", "transformers", "onnxruntime", "faiss", "sqlalchemy")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_startup_import_and_help_load_no_heavy_library() -> None:
    for code in (
        "import manysides",
        "import manysides.cli",
        "from manysides.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
        "from manysides.cli import main\ntry:\n    main(['compare', '--help'])\nexcept SystemExit:\n    pass",
    ):
        loaded = _loaded_after(code)
        heavy = sorted(h for h in HEAVY if h in loaded)
        assert not heavy, f"{code!r} imported {heavy}"


def test_startup_public_api_is_one_home_without_name_clashes() -> None:
    import manysides
    import manysides.api
    import manysides.reuse

    assert manysides.compare is manysides.api.compare and callable(manysides.compare)
    assert manysides.reuse.__name__ == "manysides.reuse"  # the stage, no longer shadowed by the function
    assert set(manysides.api.__all__) == set(manysides.__all__) - {"__version__"}  # the two lists agree
    assert all(getattr(manysides, name) is getattr(manysides.api, name) for name in manysides.api.__all__)
