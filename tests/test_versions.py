"""Versions of an article: the same URL ingested again with other text is kept as a new
version of the same article (not a new article), the story reads the latest, search finds
the new words and not the old, and the timeline says what changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from manysides.cli import main
from manysides.reuse.versions import version_diff
from manysides.settings import load_settings
from manysides.store import Collection
from manysides.web import create_app

URL = "https://wire.example/2024/04/04/quake"
FIRST = (
    "TOKYO, April 4 (Wire) - A strong earthquake struck western Japan on Thursday, killing 12 people, "
    "officials said.\n\nThe quake of magnitude 6.1 hit at 9:14 local time near Osaka, the agency said. "
    "Trains were halted across the region and schools were closed for the day.\n\n"
    "Rescue teams searched collapsed houses through the afternoon."
)
SECOND = (
    "TOKYO, April 4 (Wire) - A strong earthquake struck western Japan on Thursday, killing 15 people, "
    "officials said.\n\nThe quake of magnitude 6.1 hit at 9:14 local time near Osaka, the agency said. "
    "Trains were halted across the region and schools were closed for the day.\n\n"
    "Rescue teams searched collapsed houses through the afternoon.\n\n"
    "This article has been corrected to update the death toll, which officials revised."
)
REPRINT = FIRST.replace("(Wire)", "(Wire via Daily)").replace("Rescue teams", "Rescuers")


def _jsonl(path: Path, *records: dict[str, str]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def test_version_diff_finds_changed_figures_and_the_correction_notice() -> None:
    diff = version_diff(["12 people died.", "It rained.", "NATO met."], ["15 people died.", "NATO met."])
    assert diff.removed == ("12 people died.", "It rained.") and diff.added == ("15 people died.",)
    assert [(f.old, f.new) for f in diff.figures] == [("12", "15")] and diff.correction is None
    same = version_diff(["A.", "B."], ["A.", "B.", "An earlier version of this story misspelt a name."])
    assert same.figures == () and same.correction and same.removed == ()


@pytest.mark.slow
def test_a_url_ingested_again_with_new_text_is_a_new_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    base = {"url": URL, "outlet": "Wire", "title": "Quake kills 12 in Japan", "published": "2024-04-04T09:30:00Z"}
    reprint = {"url": "https://daily.example/quake", "outlet": "Daily", "title": "Quake", "text": REPRINT}
    assert main(["ingest", _jsonl(tmp_path / "a.jsonl", {**base, "text": FIRST}, reprint), "--db", url, "-q"]) == 0
    with Collection(url) as c:
        before = c.count()
        (story,) = c.stories()
        article_id = c.by_urls([URL])[URL][0]
    again = {**base, "title": "Quake kills 15 in Japan", "text": SECOND}
    assert main(["ingest", _jsonl(tmp_path / "b.jsonl", again), "--db", url, "-q"]) == 0
    assert main(["ingest", _jsonl(tmp_path / "c.jsonl", again), "--db", url, "-q"]) == 0  # the same text again
    with Collection(url) as c:
        assert c.count() == before  # a version, not a new article
        versions = c.versions(article_id)
        assert [v["number"] for v in versions] == [1, 2] and "15 people" in versions[1]["text"]
        found, _ = c.article(article_id)  # type: ignore[misc]
        assert "killing 15 people" in found.text
        assert [h.article_id for h in c.search("revised toll")] == [article_id]
        assert article_id not in {h.article_id for h in c.search("12")}  # the old text is out of the index
        assert {h.article_id for h in c.search("12")}  # (the reprint still says 12)
        after = c.summary(story.id)
        assert after is not None and after.version != story.version  # the story's analysis is redone
        updated = [e for e in c.timeline(story.id) if e.kind == "updated"]
    assert len(updated) == 1 and updated[0].changes is not None
    changes = updated[0].changes
    assert [(f["old"], f["new"]) for f in changes["figures"]] == [("12", "15")]
    assert "corrected" in changes["correction"] and changes["number"] == 2
    web = TestClient(create_app(url, load_settings(env={})))
    page = web.get(f"/stories/{story.id}/timeline")
    assert page.status_code == 200 and "correction" in page.text and "<del>" in page.text
    report = web.get(f"/api/v1/stories/{story.id}").json()
    assert any("killing 15 people" in a["text"] for a in report["articles"])
    assert [v["number"] for v in web.get(f"/api/v1/articles/{article_id}").json()["versions"]] == [1, 2]
