"""Schemathesis fuzzes the REST API from its own OpenAPI schema, all phases, every check.

Examples, coverage (boundary and invalid values of every field) and fuzzing run against the app;
``call_and_validate`` applies every check: no 5xx, responses and status codes as documented,
schema-violating requests rejected and schema-valid requests accepted (issue 13).

Where a valid-looking request can still be refused for a reason the schema cannot express --
a name that is not in the knowledge graph, bytes that are not an NTA export or a release table,
a dose above the ceiling of its unit -- 422 is allowed for that operation, as Schemathesis
documents for rules a schema cannot state (ST202). ``/api/evaluate*`` run the whole evaluation
(seconds per valid case); they take the same ``TherapySpec`` body as ``/api/simulate``, which is
fuzzed here with 10 virtual subjects, and are exercised by tests/web/test_api.py. ``POST
/api/runs`` queues a background job per valid case (a worker process each); its body is the same
spec and it is driven by the web tests; every other run route (status, result, files, cancel)
is fuzzed, unknown ids included (documented 404). ``POST /api/design/search`` queues a background
run the same way (its constraints body and 422s are driven by tests/web/test_design_search_api.py).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis not installed")

from schemathesis.config import SchemathesisConfig  # noqa: E402

from exosci.web import create_app  # noqa: E402

CONFIG = SchemathesisConfig.from_str(
    """
[[operations]]
include-path-regex = "^/api/(kb/show|kb/profile|kb/statements|kb/citations|explain|cargo/enrich|qc/nta|qc/check|release/fit|simulate|spec/|designs)"
checks.positive_data_acceptance.expected-statuses = ["2xx", "422"]

[[operations]]
include-path-regex = "^/api/simulate"
parameters = { "samples" = 10 }
"""
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(), config=CONFIG)
routes = schema.exclude(path_regex="^/api/evaluate").exclude(
    method="POST", path_regex="^/api/(runs|design/search)$"
)


@routes.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(timeout=300)  # the first simulation compiles the engine
