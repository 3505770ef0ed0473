"""The HTML report in a real browser: Debian's Chromium driven by Playwright.

Skips with a reason where Chromium or Playwright is missing; under CI (CI=true) that is a
failure, since .ci/run installs both. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from manysides.model import Report
from manysides.render import render_html
from manysides.render.align import aligned_rows
from small_report import small_report

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SECTIONS = [
    "At a glance",
    "Digest",
    "Who copied whom",
    "Fact matrix",
    "Quotes",
    "Word choice",
    "Side by side",
    "The articles",
]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run must install it under CI")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, html: str, tmp_path: Path, width: int = 1280, height: int = 900) -> Any:
    path = tmp_path / f"report-{width}.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(path.as_uri())
    page.errors = errors
    return page


def test_browser_demo_report_has_every_section_in_order(browser: Any, seed_report: Report, tmp_path: Path) -> None:
    page = _open(browser, render_html(seed_report), tmp_path)
    first = page.locator("main section").first
    assert first.locator("h3").all_inner_texts() == SECTIONS
    assert first.locator(".count").inner_text() == "4 articles from 4 outlets, 2 independent origins"
    svg = first.locator("figure.graph svg")
    assert svg.get_attribute("role") == "img"
    assert "InDaily took text from Reuters" in svg.locator("desc").text_content()
    assert first.locator(".absent").count() == 0  # every section has content for this story
    # The digest: numbered sentences, each with its citations and support.
    items = first.locator("ol.digest li")
    assert 5 <= items.count() <= 12
    assert "direct confrontation" in items.first.inner_text() and "support" in items.first.inner_text()
    # Word choice: Kyiv against Kiev, with whose voice.
    kyiv = first.locator("table.framing tr", has_text="capital of Ukraine")
    assert "Kyiv" in kyiv.inner_text() and "Kiev" in kyiv.inner_text() and "own" in kyiv.inner_text()
    # Quotes: the Peskov line as rendered by each outlet, with its verdict.
    group = first.locator("details.quote-group", has_text="relations have now slipped")
    verdicts = set(group.locator("td.k .kind").all_inner_texts())
    assert verdicts == {"reference", "exact", "trimmed", "reworded", "paraphrased"}
    assert group.locator("del").count() >= 1  # Press TV's trim is shown as struck words
    # The fact matrix: a row per shared fact, a column per outlet, statuses readable as words.
    row = first.locator("table.facts tbody tr", has_text="The West rejects that version")
    # Reuters, InDaily, RT, Press TV.
    assert row.locator("td .sr").all_inner_texts() == ["stated", "stated", "absent", "absent"]
    assert page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-desktop.png"), full_page=True)


def test_browser_phone_width_has_no_sideways_scroll(browser: Any, seed_report: Report, tmp_path: Path) -> None:
    page = _open(browser, render_html(seed_report), tmp_path, width=390, height=844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "report-phone.png"), full_page=False)


def test_browser_toggles_open_with_click_and_keyboard(browser: Any, seed_report: Report, tmp_path: Path) -> None:
    page = _open(browser, render_html(seed_report), tmp_path)
    details = page.locator("section details").first
    assert details.get_attribute("open") is None
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    article = page.locator("article.article > details").first
    article.locator("> summary").focus()
    page.keyboard.press("Enter")
    assert article.get_attribute("open") is not None
    removed = article.locator("details.removed")
    removed.locator("> summary").focus()
    page.keyboard.press("Space")
    assert removed.get_attribute("open") is not None
    assert removed.locator("li").count() > 5


def test_browser_printing_opens_every_toggle(browser: Any, seed_report: Report, tmp_path: Path) -> None:
    page = _open(browser, render_html(seed_report), tmp_path)
    assert page.locator("details:not([open])").count() > 5
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details:not([open])").count() == 0


def test_browser_side_by_side_follows_the_chosen_articles(browser: Any, seed_report: Report, tmp_path: Path) -> None:
    page = _open(browser, render_html(seed_report), tmp_path)
    box = page.locator(".sbs").first
    assert box.locator("form").is_visible()
    story = seed_report.stories[0]
    members = {a.id: a for a in seed_report.articles if a.id in story.article_ids}
    left_id = box.locator("select.left").input_value()
    static_rows = box.locator("tbody tr").count()
    assert static_rows == len(
        aligned_rows(seed_report, members[left_id], members[box.locator("select.right").input_value()])
    )
    for right_id in story.article_ids:
        if right_id == left_id:
            continue
        box.locator("select.right").select_option(right_id)
        expected = aligned_rows(seed_report, members[left_id], members[right_id])
        assert box.locator("tbody tr").count() == len(expected)
        assert box.locator("tbody mark").count() == 2 * sum(1 for r in expected if r.kind)
        assert box.locator("th.rh").inner_text().startswith(members[right_id].outlet or "")
    assert page.errors == []


def test_browser_article_text_never_executes(browser: Any, tmp_path: Path) -> None:
    evil = (
        ' <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
        '<a href="javascript:window.__pwned = 3">x</a></style><svg onload="window.__pwned = 4">'
    )
    page = _open(browser, render_html(small_report(evil)), tmp_path)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for summary in page.locator("summary").all():
        summary.click()
    page.locator("select.right").select_option("a1")
    page.locator("select.left").select_option("a2")
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    assert page.locator("img").count() == 0 and page.locator("a[href^='javascript']").count() == 0
    assert "<script>window.__pwned = 1</script>" in page.locator("main").inner_text()


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_report_colours_pass_wcag_aa_contrast() -> None:
    css = (Path(__file__).parents[1] / "src/manysides/render/templates/report.css").read_text()
    var = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("fg", "bg"),
        ("muted", "bg"),
        ("accent", "bg"),
        ("fg", "verbatim"),
        ("fg", "near"),
        ("fg", "node"),
        ("muted", "node"),
    ]
    for fg, bg in pairs:
        assert contrast(var[fg], var[bg]) >= 4.5, (fg, bg)
    assert contrast(var["muted"], "#f1f1f1") >= 4.5  # table headers' background
    assert contrast("#767676", "#ffffff") >= 4.5 > contrast("#777777", "#ffffff")  # the check itself can fail
