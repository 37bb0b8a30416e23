"""One question, one headline: the outcome set in the map's `measure:` is the one the CLI, the API and the
web pages all use, to the last digit, and the JSON says which definition that was."""

from __future__ import annotations

import json
from typing import Any

import httpx
from markupsafe import escape

from cxmap.analytics.findings import Findings
from cxmap.render.summary import headline
from tests.conftest import run_cxmap
from tests.web.conftest import Server

MAP_ID = "b2b-onboarding"  # measure: {outcome: renewal, outcome_negative: churn-notice}


def cli_findings(server: Server, *args: str) -> dict[str, Any]:
    done = run_cxmap("analyze", str(server.workspace), "--map", MAP_ID, "--json", *args)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def api_findings(server: Server, query: str = "") -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {server.token_viewer}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as api:
        response = api.get(f"/api/findings?map={MAP_ID}{query}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def leverages(found: dict[str, Any]) -> list[tuple[str, float | None, str]]:
    return [(s["touchpoint"], s["leverage"], s["evidence"]) for s in found["hot_spot_candidates"]]


def test_the_cli_and_the_api_answer_the_configured_question_alike(server: Server) -> None:
    cli, api = cli_findings(server), api_findings(server)
    definition = {"outcome": "renewal", "outcome_negative": "churn-notice", "source": "map"}
    assert cli["outcome_definition"] == api["outcome_definition"] == definition
    assert leverages(cli) == leverages(api)  # floats compared exactly: the same answer to the last digit
    assert cli["hot_spots"] == api["hot_spots"]
    assert len(cli["hot_spot_candidates"]) > 5


def test_naming_the_configured_outcome_keeps_its_opposite(server: Server) -> None:
    named = cli_findings(server, "--outcome", "Renewal")
    assert (named["outcome"], named["outcome_negative"]) == ("renewal", "churn-notice")
    assert leverages(named) == leverages(cli_findings(server))


def test_another_question_says_so_and_answers_differently(server: Server) -> None:
    everyone = cli_findings(server, "--outcome", "renewal", "--outcome-negative", "")
    assert everyone["outcome_definition"] == {"outcome": "renewal", "outcome_negative": None, "source": "request"}
    api = api_findings(server, "&outcome=renewal&outcome_negative=")
    assert leverages(api) == leverages(everyone)
    assert leverages(everyone) != leverages(cli_findings(server))


def test_the_findings_and_map_pages_lead_with_the_same_headline(server: Server) -> None:
    found = Findings.model_validate(cli_findings(server))
    sentence = str(escape(headline(found)))
    vera = server.client("vera")
    for path in ("/findings", f"/findings?map={MAP_ID}", f"/maps/{MAP_ID}"):
        page = vera.get(path).text
        assert sentence in page, path
        assert "renewal against churn-notice, as the map&#39;s measure sets it" in page, path
    vera.close()
