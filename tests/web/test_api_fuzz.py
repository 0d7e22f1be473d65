"""Schemathesis fuzzes the REST API from its own OpenAPI schema: bad input is 4xx, never 500."""

from __future__ import annotations

import pytest
from hypothesis import settings

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis not installed")

from exosci.web import create_app  # noqa: E402

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
# The model-running routes are exercised by test_api.py; fuzzing them costs minutes.
fast = schema.exclude(path_regex="^/api/(simulate|evaluate)")


@fast.parametrize()
@settings(max_examples=15, deadline=None)
def test_api_never_answers_500(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
