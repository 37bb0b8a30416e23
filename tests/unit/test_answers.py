"""The typed answers: their JSON keeps each case's shape, and the API's schema is the models themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cxmap.analytics.findings import Conformance
from cxmap.service.answers import AccountDetail, AccountRow, GateAnswer, answer_json
from cxmap.web.app import create_app
from cxmap.workspace import init_workspace

ROW: dict[str, Any] = {
    "account_id": "A1",
    "name": "Acme",
    "segment": None,
    "owner": "Ana",
    "experience": 3.0,
    "set_by": "C2",
    "contacts": 2,
    "scored_contacts": 2,
    "open_alerts": 1,
    "policy": "worst",
    "as_of": "2026-03-31T23:59:59.999999+02:00",
}
GATE: dict[str, Any] = {
    "customer_id": "C1",
    "account_id": "A1",
    "action": "review",
    "allowed": False,
    "reasons": ["C2 is at 3.0/10"],
    "experience": 9.0,
    "as_of": ROW["as_of"],
}
CONTACT: dict[str, Any] = {
    "customer_id": "C1",
    "account_id": "A1",
    "role": None,
    "experience": 9.0,
    "scored": 1,
    "last_scored_at": None,
}


def test_conformance_without_a_map_is_its_reason_alone() -> None:
    found = Conformance.model_validate({"available": False, "reason": "pass a map"})
    assert answer_json(found) == {"available": False, "reason": "pass a map"}


def test_conformance_keeps_a_null_share_that_was_set() -> None:
    found = Conformance.model_validate({"available": True, "customers": 0, "steps": [], "fully_conformant_share": None})
    assert answer_json(found) == {"available": True, "customers": 0, "steps": [], "fully_conformant_share": None}


def test_an_account_without_a_map_has_no_map_keys_and_a_contact_without_a_gate_no_gate() -> None:
    answer = AccountDetail.model_validate({**ROW, "contacts": [CONTACT], "alerts": [], "events": []})
    got = answer_json(answer)
    assert list(got) == [*ROW, "alerts", "events"]
    assert got["contacts"] == [CONTACT]


def test_an_account_with_a_map_keeps_the_order_the_json_always_had() -> None:
    progress = {
        "account_id": "A1",
        "customer_id": None,
        "last_step": "kickoff",
        "steps_done": ["kickoff"],
        "next": None,
        "next_step": None,
    }
    contact = {**CONTACT, "gate": GATE}
    answer = AccountDetail.model_validate(
        {**ROW, "contacts": [contact], "alerts": [], "map": "m", "milestones": [], "progress": progress, "events": []}
    )
    got = answer_json(answer)
    assert list(got) == [*ROW, "alerts", "map", "milestones", "progress", "events"]
    assert got["contacts"][0]["gate"] == GATE
    assert got["progress"] == progress


def test_a_key_the_service_adds_without_declaring_it_is_refused() -> None:
    with pytest.raises(ValidationError, match="new_key"):
        AccountRow.model_validate({**ROW, "new_key": 1})


def test_the_apis_schema_is_the_answer_models_themselves(tmp_path: Path) -> None:
    """No second description: the OpenAPI schema of each answer lists exactly the model's fields."""
    ws = init_workspace(tmp_path / "ws")
    schemas = create_app(ws.root).openapi()["components"]["schemas"]
    for model in (AccountRow, AccountDetail, GateAnswer):
        assert set(schemas[model.__name__]["properties"]) == set(model.model_fields)
    assert set(schemas["Conformance"]["properties"]) == set(Conformance.model_fields)
    account = create_app(ws.root).openapi()["paths"]["/api/accounts/{account_id}"]["get"]
    assert account["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AccountDetail"
    }
