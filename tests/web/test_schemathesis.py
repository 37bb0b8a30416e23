"""Property-based API tests: requests generated from the served OpenAPI schema never get a 5xx.

Reads run against the shared live server with a viewer token; `POST /api/events` runs against a second
server on a throwaway copy of the workspace with an admin token. Bounded: at most 30 examples an operation
(8 for the slow analysis), so the whole file runs in well under a minute.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.web.conftest import Server
from tests.web.throwaway import served_copy

SLOW = {"/api/findings": 8}  # examples for operations slower than the rest (each one analyses the data)
EXAMPLES = 30


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def fuzz(url: str, token: str, method: str) -> list[str]:
    """Every operation with `method` in the served schema, its generated requests sent; the operations run."""
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json", headers=bearer(token)).include(method=method)
    ran = []
    for found in schema.get_all_operations():
        operation = found.ok()
        examples = SLOW.get(operation.path, EXAMPLES)

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=url, headers=bearer(token), checks=[not_a_server_error])

        check()
        ran.append(f"{operation.method.upper()} {operation.path}")
    return ran


def test_reads_never_fail_on_the_server(server: Server) -> None:
    ran = fuzz(server.url, server.token_viewer, "GET")
    assert len(ran) == 12
    assert "GET /api/gate/{customer_id}" in ran


def test_loading_events_never_fails_on_the_server(server: Server, tmp_path: Path) -> None:
    with served_copy(server.workspace, tmp_path) as (url, _):
        assert fuzz(url, server.token_admin, "POST") == ["POST /api/events"]
