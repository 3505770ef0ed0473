from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE
from manysides import __version__
from manysides.cli import main
from manysides.render.json import validate_report


def test_cli_version_and_module_entry_point() -> None:
    out = subprocess.run([sys.executable, "-m", "manysides", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"manysides {__version__}"


def test_cli_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--help"])
    assert exc.value.code == 0
    assert "examples:" in capsys.readouterr().out


def test_cli_nothing_to_analyse_exits_1_with_one_line_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.txt").write_text("")
    code = main(["compare", str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "nothing could be analysed" in err and "empty.txt: the file is empty" in err and "no such file" in err


def test_cli_bad_manifest_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.toml").write_text("[[file]\n")
    code = main(["compare", str(EXAMPLE), "--manifest", str(tmp_path / "m.toml")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "not valid TOML" in err


@pytest.mark.slow
def test_cli_compare_writes_json_html_and_reports_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], models: object
) -> None:
    (tmp_path / "bad.jsonl").write_text(
        '{"id": "ok", "text": "NATO marked its anniversary on Thursday in Brussels."}\n[1]\n'
    )
    html = tmp_path / "out" / "r.html"
    code = main(["compare", str(EXAMPLE), str(tmp_path / "bad.jsonl"), "--json", "-", "--html", str(html)])
    captured = capsys.readouterr()
    assert code == 0
    report = json.loads(captured.out)
    validate_report(report)
    assert len(report["articles"]) == 9  # the Reuters page holds three pieces, Press TV's two
    assert [s["source"].rsplit("/", 1)[-1] for s in report["skipped"]] == ["bad.jsonl#L2"]
    assert "skipped" in captured.err and "bad.jsonl#L2" in captured.err
    assert "manysides · 6 inputs → 9 articles" in captured.err  # the summary moves to stderr with --json -
    assert html.read_text().startswith("<!doctype html>")


@pytest.mark.slow
def test_cli_quiet_prints_nothing_but_data(tmp_path: Path, capsys: pytest.CaptureFixture[str], models: object) -> None:
    code = main(["compare", str(EXAMPLE), "--quiet", "--json", str(tmp_path / "r.json")])
    captured = capsys.readouterr()
    assert code == 0 and captured.out == "" and captured.err == ""
    assert json.loads((tmp_path / "r.json").read_text())["schema"] == "manysides/report/1"


@pytest.mark.slow
def test_cli_markdown_and_a_terminal_summary_within_40_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], models: object
) -> None:
    code = main(["compare", str(EXAMPLE), "--md", str(tmp_path / "r.md")])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert len(lines) <= 40 and max(len(line) for line in lines) <= 100
    assert "4 articles from 4 outlets, 2 independent origins" in out
    assert "Russia warns France against sending troops to Ukraine\n1 article from 1 outlet" in out
    md = (tmp_path / "r.md").read_text()
    assert md.startswith("# manysides report")
    assert "| InDaily | newspaper, AU | Russia in ‘direct confrontation’ with NATO | 2024-04-05 |" in md
    assert "**InDaily ← Reuters** (36%, mostly verbatim; published 2024-04-04, before 2024-04-05;" in md
    assert "Common source, own words (not copying):" in md
    assert "| Fact | Reuters | InDaily | RT | Press TV |" in md
    assert "| The West rejects that version" in md
