"""The API handler loads a route group on the first request one of its paths could match
(`roster.api.app.LazyApi`): it must pick the route the full resolver picks, whatever the container
loaded before, and the cold import must load no group at all."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Route

from local.lambdas import FakeLambdaContext
from roster.api.app import DEFERRED, GROUPS, ROUTE_GROUPS, LazyApi, build_app, handle, handler_api
from tests.conftest import http_event

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Values for a path's <name> parts: plain, with the characters Powertools allows in one (":", ".",
# "~", "@"), and ones that look like a sibling route's literal part.
VALUES = ("c1", "x:import", "p1.csv", "a~b@c", "preview", "messages", "me")


def _routes(app: APIGatewayHttpResolver) -> list[Route]:
    """In the order the resolver tries them (Powertools' `_resolve`: static routes, then dynamic)."""
    return [*app._static_routes, *app._dynamic_routes]


def _picked(app: APIGatewayHttpResolver, method: str, path: str) -> tuple[str, str] | None:
    """(rule, handler) of the route the resolver would call for the request, or None (its 404)."""
    for route in _routes(app):
        if route.method == method and route.rule.match(path):
            return route.path, route.func.__qualname__
    return None


def _sample_paths() -> list[str]:
    """Every route's path with each value in all of its <name> parts, and paths no route has."""
    paths = {"/health", "/v1/nowhere", "/v1/campaigns/c1/nothing", "/v1/", "/auth/nothing", "/v1/campaignsx"}
    for _, rules in ROUTE_GROUPS:
        for rule in rules:
            for value in VALUES:
                path = re.sub(r"<\w+>", value, rule)
                paths |= {path, path + "/", path + "/extra"}
    return sorted(paths)


def _event(method: str, path: str, principal: dict[str, str] | None = None) -> dict[str, Any]:
    return http_event(method, path, principal=principal)


@pytest.fixture(scope="module")
def full() -> APIGatewayHttpResolver:
    return build_app()


@pytest.mark.parametrize("name", GROUPS)
def test_each_groups_paths_are_its_routers(name: str) -> None:
    declared = dict(ROUTE_GROUPS)[name]
    actual = {route.path for route in _routes(build_app([name]))} - {"/health"}
    assert sorted(declared) == sorted(actual)


def test_the_groups_together_are_the_full_resolver_in_its_order(full: APIGatewayHttpResolver) -> None:
    lazy = LazyApi()
    for path in _sample_paths():
        lazy.resolver_for(_event("GET", path))
    everything = lazy.resolver_for(_event("GET", "/health"))
    assert lazy.loaded == set(GROUPS)
    as_listed = [(r.method, r.path) for r in _routes(everything)]
    assert as_listed == [(r.method, r.path) for r in _routes(full)]


def test_a_fresh_container_picks_the_full_resolvers_route(full: APIGatewayHttpResolver) -> None:
    paths = _sample_paths()
    assert len(paths) > 300
    for path in paths:
        for method in METHODS:
            lazy = LazyApi()
            picked = _picked(lazy.resolver_for(_event(method, path)), method, path)
            assert picked == _picked(full, method, path), (method, path)


@pytest.mark.parametrize("order", ["sorted", "reversed", "interleaved"])
def test_a_warm_container_picks_the_same_route_whatever_came_before(
    full: APIGatewayHttpResolver, order: str
) -> None:
    paths = _sample_paths()
    if order == "reversed":
        paths.reverse()
    elif order == "interleaved":
        paths = paths[1::2] + paths[::2]
    lazy = LazyApi()
    for path in paths:
        for method in METHODS:
            picked = _picked(lazy.resolver_for(_event(method, path)), method, path)
            assert picked == _picked(full, method, path), (order, method, path)


def test_a_request_loads_only_the_groups_its_path_could_match() -> None:
    lazy = LazyApi()
    lazy.resolver_for(_event("GET", "/v1/campaigns/c1"))
    assert lazy.loaded == {"campaigns"}
    lazy.resolver_for(_event("GET", "/v1/campaigns/c1/posts"))
    assert lazy.loaded == {"campaigns", "posts"}
    lazy.resolver_for(_event("GET", "/health"))
    lazy.resolver_for(_event("GET", "/v1/nowhere"))
    assert lazy.loaded == {"campaigns", "posts"}
    lazy.resolver_for(_event("GET", "/v1/creators/c1/collaborations"))
    assert lazy.loaded == {"campaigns", "posts", "collaborations"}


def test_a_stage_prefix_is_matched_as_the_resolver_matches_it() -> None:
    event = _event("GET", "/prod/v1/members")
    event["requestContext"]["stage"] = "prod"
    lazy = LazyApi()
    lazy.resolver_for(event)
    assert lazy.loaded == {"members"}


def test_refused_requests_load_no_group(monkeypatch: pytest.MonkeyPatch) -> None:
    lazy = LazyApi()
    resp = handle(lazy, _event("GET", "/v1/campaigns/c1"), cast(Any, FakeLambdaContext()))
    assert resp["statusCode"] == 401 and json.loads(resp["body"])["error"]["code"] == "unauthorized"
    monkeypatch.setenv("MAX_JSON_BODY_BYTES", "100")
    from roster.deps import reset

    reset()
    big = http_event(
        "POST", "/v1/campaigns", body={"name": "x" * 200}, principal={"brand_id": "b1", "key_id": "k1"}
    )
    assert handle(lazy, big, cast(Any, FakeLambdaContext()))["statusCode"] == 413
    assert lazy.loaded == frozenset()


def test_through_the_gate_the_lazy_api_answers_as_the_full_one(full: APIGatewayHttpResolver) -> None:
    """No AWS here (sockets are blocked): requests the resolver answers before any store call."""
    principal = {"brand_id": "b1", "key_id": "k1"}
    cases = [
        ("GET", "/health"),
        ("GET", "/v1/nowhere"),
        ("DELETE", "/v1/campaigns"),  # no such method on the path: the resolver's 404
        ("GET", "/v1/campaigns?limit=0"),  # 422 from validation
        ("POST", "/v1/campaigns"),  # body missing: 422
    ]
    for method, target in cases:
        path, _, query = target.partition("?")
        answers = []
        for api in (full, LazyApi()):
            event = _event(method, path, principal)
            if query:
                key, _, value = query.partition("=")
                event["rawQueryString"], event["queryStringParameters"] = query, {key: value}
            resp = handle(api, event, cast(Any, FakeLambdaContext()))
            answers.append((resp["statusCode"], json.loads(resp["body"])))
        assert answers[0] == answers[1], (method, target)
        assert answers[0][0] in {200, 404, 422}


def _modules_after_import(init: str | None) -> set[str]:
    """sys.modules of a fresh interpreter after importing the API handler module, as Lambda's init."""
    code = (
        "import importlib.util as u, sys, json; s = u.spec_from_file_location('a', 'functions/api/app.py');"
        " m = u.module_from_spec(s); s.loader.exec_module(m); print(json.dumps(sorted(sys.modules)))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    env.pop("LAMBDA_TASK_ROOT", None)
    env.pop("AWS_LAMBDA_INITIALIZATION_TYPE", None)
    if init:
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = init
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout))


ROUTE_MODULES = {f"roster.api.routes.{name}" for name in GROUPS}


def test_an_on_demand_init_loads_no_route_group_and_nothing_deferred() -> None:
    loaded = _modules_after_import("on-demand")
    heavy = {
        "jinja2",
        "feedparser",
        "ua_parser",
        "aws_xray_sdk",
        "aws_lambda_powertools.event_handler.openapi.models",
    }
    rooms = (
        "roster.api.routes.",
        "roster.workflows",
        "roster.outreach",
        "roster.monitoring",
        "roster.program",
    )
    assert not loaded & (heavy | set(DEFERRED)), sorted(loaded & (heavy | set(DEFERRED)))
    assert not [n for n in loaded if n.startswith(rooms)], sorted(loaded)


def test_a_snapstart_init_loads_every_group_and_everything_deferred() -> None:
    loaded = _modules_after_import("snap-start")
    assert ROUTE_MODULES | set(DEFERRED) <= loaded, sorted(ROUTE_MODULES | set(DEFERRED) - loaded)


def test_deferred_names_every_module_the_routes_import_where_they_use_it() -> None:
    lazy = set()
    for path in sorted((ROOT / "layers" / "shared" / "roster" / "api" / "routes").glob("*.py")):
        functions = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)]
        for node in (inner for fn in functions for inner in ast.walk(fn)):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:  # `from roster.program import campaigns` names a module
                    name = f"{node.module}.{alias.name}"
                    is_module = (
                        ROOT.joinpath("layers", "shared", *name.split(".")).with_suffix(".py").exists()
                    )
                    lazy.add(name if is_module else node.module)
    # The stores are deferred by the registry itself (each on first use), not by the routes.
    assert lazy == {m for m in DEFERRED if m.startswith("roster.") and not m.startswith("roster.store.")}


@pytest.mark.parametrize(
    ("init", "loaded"),
    [
        ("on-demand", set()),
        (None, set()),  # outside Lambda: the local stack, tests
        ("snap-start", set(GROUPS)),  # the snapshot is taken after init: it holds every group
        ("provisioned-concurrency", set(GROUPS)),
    ],
)
def test_every_group_loads_at_init_only_where_no_caller_waits_on_init(
    init: str | None, loaded: set[str], full: APIGatewayHttpResolver
) -> None:
    api = handler_api({} if init is None else {"AWS_LAMBDA_INITIALIZATION_TYPE": init})
    assert api.loaded == loaded
    if loaded:  # and nothing more loads on a request
        everything = api.resolver_for(_event("GET", "/v1/campaigns/c1"))
        assert [(r.method, r.path) for r in _routes(everything)] == [
            (r.method, r.path) for r in _routes(full)
        ]
