"""Things that must not drift: the OpenAPI document, the template, the state machines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

from local import template as tpl
from local.openapi import document
from roster.store import keys

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_document_is_current() -> None:
    checked_in = (ROOT / "docs" / "openapi.json").read_text()
    assert checked_in == document(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_openapi_lists_every_route() -> None:
    spec = json.loads(document())
    assert set(spec["paths"]) == {
        "/health",
        "/v1/campaigns",
        "/v1/campaigns/{campaign_id}",
        "/v1/creators",
        "/v1/creators/{creator_id}",
        "/v1/creators:import",
        "/v1/api-keys",
        "/v1/api-keys/{key_id}",
        "/v1/links",
        "/v1/links/{code}",
        "/v1/links/{code}/stats",
        "/v1/campaigns/{campaign_id}/stats",
        "/v1/integrations",
        "/v1/integrations/{provider}",
        "/v1/webhook-events",
        "/v1/webhook-events/{event_id}/replay",
        "/v1/promo-codes",
        "/v1/promo-codes/{code}",
        "/v1/orders",
        "/v1/payouts",
        "/v1/payouts/preview",
        "/v1/payouts/{payout_id}",
        "/v1/payouts/{payout_id}.csv",
        "/v1/campaigns/{campaign_id}/report",
        "/v1/creators/{creator_id}/report",
        "/v1/campaigns/{campaign_id}/posts",
        "/v1/campaigns/{campaign_id}/posts/{post_id}/recheck",
        "/v1/campaigns/{campaign_id}/monitor",
        "/v1/email-templates",
        "/v1/email-templates/{template_id}",
        "/v1/email-templates/{template_id}/preview",
        "/v1/email-templates/preview",
        "/v1/outreach/settings",
        "/v1/campaigns/{campaign_id}/outreach",
        "/v1/campaigns/{campaign_id}/outreach/messages",
        "/v1/campaigns/{campaign_id}/outreach/{creator_id}/stop",
        "/v1/campaigns/{campaign_id}/collaborations",
        "/v1/campaigns/{campaign_id}/workflow",
        "/v1/collaborations/{collaboration_id}",
        "/v1/creators/{creator_id}/collaborations",
        "/v1/collaborations/{collaboration_id}/actions/{action}",
        "/v1/collaborations/{collaboration_id}/posts/{post_id}/accept",
        "/v1/alerts",
        "/v1/alerts/{alert_id}/resolve",
        "/v1/me",
        "/v1/members",
        "/v1/members/{member_id}",
        "/v1/application-page",
        "/v1/applications",
        "/v1/applications/{application_id}/approve",
        "/v1/applications/{application_id}/decline",
        "/v1/creators/{creator_id}/quality",
        "/v1/creators/{creator_id}/enrichment",
        "/v1/creators/{creator_id}/screening",
        "/v1/discovery/settings",
        "/auth/sign-in",
        "/auth/new-password",
        "/auth/refresh",
        "/auth/forgot-password",
        "/auth/reset-password",
        "/auth/sign-out",
    }


def test_table_matches_the_store_keys() -> None:
    template = tpl.load()
    (table,) = tpl.resources(template, "AWS::DynamoDB::Table").values()
    props = table["Properties"]
    assert [k["AttributeName"] for k in props["KeySchema"]] == [keys.PK, keys.SK]
    indexes = {
        g["IndexName"]: [k["AttributeName"] for k in g["KeySchema"]] for g in props["GlobalSecondaryIndexes"]
    }
    assert indexes == {keys.GSI1: [keys.GSI1PK, keys.GSI1SK], keys.GSI2: [keys.GSI2PK, keys.GSI2SK]}
    assert props["TimeToLiveSpecification"] == {"AttributeName": keys.TTL_ATTRIBUTE, "Enabled": True}
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_every_function_has_its_handler_and_least_privilege() -> None:
    template = tpl.load()
    specs = tpl.functions(template, tpl.Names(), tpl.parameters(template))
    assert specs
    for spec in specs:
        assert (spec.code_dir / f"{spec.module}.py").is_file(), spec.logical_id
    text = (ROOT / "template.yaml").read_text()
    assert "FullAccess" not in text and '"*"' not in text
    glob = template["Globals"]["Function"]
    assert (glob["Runtime"], glob["Architectures"], glob["Tracing"]) == ("python3.13", ["arm64"], "Active")


STATE_MACHINES = sorted((ROOT / "statemachines").glob("*.asl.json"))
FIXTURES = ROOT / "tests" / "fixtures" / "statemachines"


def _parse_asl(path: Path) -> None:
    definition = tpl.substitute(path.read_text(), {})
    json.loads(definition)
    AmazonStateLanguageParser.parse(definition)


def test_state_machines_are_valid_asl() -> None:
    """Every statemachines/*.asl.json parses with the ASL parser Step Functions emulation uses."""
    assert (ROOT / "statemachines").is_dir()
    for path in STATE_MACHINES:
        _parse_asl(path)


def test_asl_check_accepts_valid_and_rejects_invalid() -> None:
    _parse_asl(FIXTURES / "echo.asl.json")
    with pytest.raises((ASLParserException, ValueError)):
        _parse_asl(FIXTURES / "invalid.asl.json")


def test_openapi_documents_auth_and_roster_errors_on_every_brand_route() -> None:
    spec = json.loads(document())
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert spec["security"] == [{"apiKey": []}]
    assert spec["paths"]["/health"]["get"]["security"] == [{}]
    for path, ops in spec["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"401", "422", "503"} <= codes, (method, path)
            assert codes & {"200", "201", "202"}, (method, path)
            for code, resp in op["responses"].items():
                if code.startswith(("4", "5")):
                    ref = resp["content"]["application/json"]["schema"]["$ref"]
                    # 401 is Roster's body or, without an Authorization header, API Gateway's.
                    body = "/UnauthorizedResponse" if code == "401" else "/ErrorResponse"
                    assert ref.endswith(body), (method, path, code)
    either = spec["components"]["schemas"]["UnauthorizedResponse"]["anyOf"]
    assert [s["$ref"].rsplit("/", 1)[1] for s in either] == ["ErrorResponse", "GatewayMessage"]
    assert "201" in spec["paths"]["/v1/campaigns"]["post"]["responses"]


def test_workflow_definitions_and_docs_are_generated_and_current() -> None:
    from tools import workflows

    for path, text in workflows.render().items():
        assert path.read_text() == text, f"{path.name} is stale: run `make workflows` and commit it"


def test_every_human_wait_has_a_timeout_and_a_catch_for_it() -> None:
    for path in STATE_MACHINES:
        states = json.loads(path.read_text())["States"]
        for name, state in states.items():
            if not state.get("Resource", "").endswith(".waitForTaskToken"):
                continue
            assert "TimeoutSeconds" in state or "TimeoutSecondsPath" in state, (path.name, name)
            catches = {e for c in state.get("Catch", []) for e in c["ErrorEquals"]}
            assert {"States.Timeout", "States.ALL"} <= catches, (path.name, name)
            timeout_target = next(c["Next"] for c in state["Catch"] if "States.Timeout" in c["ErrorEquals"])
            assert timeout_target in states, (path.name, name)
    assert len(STATE_MACHINES) == 2


def test_the_workflow_docs_describe_exactly_the_actions_the_api_takes() -> None:
    from roster.models.collaborations import BRAND_ACTIONS, CREATOR_ACTIONS
    from tools import workflows

    assert set(workflows.ACTIONS) == BRAND_ACTIONS | CREATOR_ACTIONS
    used = {
        a
        for d in (workflows.collaboration(),)
        for s in d["States"].values()
        for a in s.get("Parameters", {}).get("Payload", {}).get("actions", [])
    }
    assert used <= set(workflows.ACTIONS)
