"""The report contract: the whole report round-trips through JSON into typed records, and a
record with unknown, missing or mistyped fields is refused with a message, never trimmed."""

from __future__ import annotations

import json

import pytest

from manysides.errors import RecordError
from manysides.model import Article, QuoteFind, Report, Story


def test_model_the_seed_report_round_trips_through_its_json(seed_report: Report) -> None:
    text = seed_report.to_json()
    back = Report.from_dict(json.loads(text))
    assert back == seed_report
    assert back.to_json() == text
    assert isinstance(back.articles[0].sentences[0].i, int) and isinstance(back.stories[0].article_ids, tuple)


def test_model_unknown_field_is_refused_with_its_name(seed_report: Report) -> None:
    data = json.loads(seed_report.to_json())
    data["articles"][0]["colour"] = "red"
    with pytest.raises(RecordError, match=r"Article: unknown field\(s\) colour"):
        Report.from_dict(data)


def test_model_missing_field_is_refused_with_its_name(seed_report: Report) -> None:
    data = json.loads(seed_report.to_json())
    del data["stories"][0]["article_ids"]
    with pytest.raises(RecordError, match=r"Story: missing field\(s\) article_ids"):
        Report.from_dict(data)


def test_model_wrong_shapes_are_refused() -> None:
    with pytest.raises(RecordError, match="expected a JSON object"):
        Story.from_dict(["not", "an", "object"])  # type: ignore[arg-type]
    with pytest.raises(RecordError, match=r"Story.article_ids: expected a list"):
        Story.from_dict({"id": "s", "title": None, "article_ids": "a1"})


def test_model_nested_tuples_come_back_as_tuples() -> None:
    found = QuoteFind(start=3, end=9, sentence=0, kind="direct", cue="said", speaker=(10, 14))
    assert QuoteFind.from_dict(json.loads(json.dumps(found.as_dict()))) == found
    article = Article.from_sentences("x", ["One sentence here.", "Another one."], byline=("A. Writer",))
    assert Article.from_dict(json.loads(json.dumps(article.as_dict()))) == article
