"""Renderers against golden files (set MANYSIDES_UPDATE_GOLDEN=1 to rewrite them after a deliberate change)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from manysides.model import Report
from manysides.render import RENDERERS, render_html, render_terminal
from small_report import small_report

GOLDEN = Path(__file__).parent / "golden"
EVIL = ' <script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a></style>'


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("MANYSIDES_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_render_terminal_golden() -> None:
    check_golden("small_terminal.txt", render_terminal(small_report(), elapsed=1.23))


def test_render_html_golden() -> None:
    check_golden("small_report.html", render_html(small_report()))


def test_render_terminal_fits_in_40_lines_of_100_columns() -> None:
    text = render_terminal(small_report())
    lines = text.splitlines()
    assert len(lines) <= 40 and max(len(line) for line in lines) <= 100
    assert "InDaily" in text and "← Reuters: 2 of 3 sentences, verbatim" in text


def test_render_html_escapes_article_text_and_sets_a_strict_csp() -> None:
    html = render_html(small_report(EVIL))
    for raw in ("<script>alert", "<img src=x", 'href="javascript:', "</style>alert", "alert(1)</script>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # as text in the page
    assert "\\u003cscript\\u003ealert(1)" in html  # as data for the side-by-side script
    assert html.count("</style>") == 1  # only the page's own stylesheet closes
    assert html.count("<script>") == 1 and html.count("</script>") == 2  # the page's script and its data block
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "default-src 'none'" in csp.group(1) and re.search(r"script-src 'sha256-[^']+'", csp.group(1))
    assert "'unsafe-inline'" not in csp.group(1)


def test_render_html_stylesheet_and_script_hashes_match_the_csp() -> None:
    import base64
    import hashlib

    html = render_html(small_report())
    for pattern in (r"<style>(.*?)</style>", r"<script>(.*?)</script>"):
        block = re.search(pattern, html, re.S)
        assert block
        digest = base64.b64encode(hashlib.sha256(block.group(1).encode()).digest()).decode()
        assert f"'sha256-{digest}'" in html


@pytest.mark.parametrize("name", ["json", "html", "terminal"])
def test_render_builtins_use_the_public_registry(name: str) -> None:
    assert name in RENDERERS
    assert "InDaily" in RENDERERS[name](small_report())


@pytest.mark.parametrize("name", ["html", "markdown", "terminal"])
def test_render_the_users_outlet_registry_reaches_every_renderer(name: str, tmp_path: Path) -> None:
    from manysides.outlets import load_registry

    mine = tmp_path / "outlets.toml"
    mine.write_text('[[outlet]]\nname = "InDaily"\ndomains = ["indaily.com.au"]\ncountry = "AU"\nkind = "city paper"\n')
    assert "city paper" not in RENDERERS[name](small_report())
    assert "city paper" in RENDERERS[name](small_report(), registry=load_registry(mine))


def test_render_the_cli_writes_through_a_registered_renderer(tmp_path: Path) -> None:
    from manysides import cli

    seen: list[str] = []

    def shout(report: Report, *, registry: object = None) -> str:
        seen.append("called")
        return "CUSTOM\n"

    args = type("Args", (), {"json": str(tmp_path / "r.json"), "html": None, "md": None})()
    original = RENDERERS["json"]
    RENDERERS["json"] = shout
    try:
        cli._write_outputs(small_report(), args)  # type: ignore[arg-type]
    finally:
        RENDERERS["json"] = original
    assert seen == ["called"] and (tmp_path / "r.json").read_text() == "CUSTOM\n"
