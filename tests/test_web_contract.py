"""API contract: every operation of the OpenAPI document exercised by schemathesis (property
based: generated ids, pages, dates, bodies) against the app over a real collection. No answer
may be a server error or a status, content type or schema the document does not declare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from conftest import EXAMPLE
from manysides.pipeline import ingest_into
from manysides.settings import load_settings
from manysides.store import Collection
from manysides.web import create_app


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> object:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('contract')) / 'news.db'}"
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
    app = create_app(url, load_settings(env={}))
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


def test_web_contract_every_operation(api_schema: Any) -> None:
    """schemathesis' pytest plugin does not run under pytest 9 here ('_nodeid'), so each
    operation's strategy is driven by hypothesis directly, with the same checks."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {
        "GET /api/v1/stories",
        "GET /api/v1/stories/{story_id}",
        "GET /api/v1/stories/{story_id}/timeline",
        "GET /api/v1/articles/{article_id}",
        "POST /api/v1/articles",
        "GET /api/v1/people",
        "GET /api/v1/people/{name}",
        "GET /api/v1/outlets/{name}",
        "GET /api/v1/search",
    }
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case: schemathesis.Case) -> None:
            case.call_and_validate()

        exercise()
