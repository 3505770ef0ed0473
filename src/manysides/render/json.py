"""The JSON report: the product's public interface (``data/report.schema.json``)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from ..model import Report
from ..outlets import Registry


def render_json(report: Report, *, registry: Registry | None = None) -> str:
    return report.to_json()


@lru_cache(maxsize=1)
def report_schema() -> dict[str, Any]:
    text = (resources.files("manysides") / "data" / "report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_report(data: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``data`` breaks the report contract."""
    import jsonschema

    jsonschema.validate(data, report_schema(), cls=jsonschema.Draft202012Validator)
