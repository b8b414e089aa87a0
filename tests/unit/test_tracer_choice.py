"""`roster.observability.tracer`: Powertools' Tracer exactly where Powertools would trace (on Lambda),
a pass-through elsewhere, so the X-Ray SDK is not imported where it would do nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aws_lambda_powertools import Tracer

from roster.observability import Untraced, tracing_enabled

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "AWS_CHALICE_CLI_MODE")


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"LAMBDA_TASK_ROOT": "/var/task"},
        {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"},
        {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "1"},
        {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "false"},
        {"LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"},
        {"POWERTOOLS_TRACE_DISABLED": "false"},
    ],
    ids=repr,
)
def test_tracing_is_on_exactly_where_powertools_would_trace(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert tracing_enabled() is (not Tracer._is_tracer_disabled())


def test_untraced_decorators_pass_the_handler_through() -> None:
    def handler(event: object, context: object) -> str:
        return "answer"

    untraced = Untraced()
    assert untraced.capture_lambda_handler(handler) is handler
    assert untraced.capture_lambda_handler(capture_response=False)(handler) is handler
    assert untraced.capture_method(handler) is handler


@pytest.mark.parametrize(("lambda_env", "sdk"), [(False, False), (True, True)])
def test_the_xray_sdk_is_imported_only_where_it_traces(lambda_env: bool, sdk: bool) -> None:
    code = (
        "import sys\nfrom roster import observability as o\n"
        "print(type(o.tracer).__name__, 'aws_xray_sdk' in sys.modules)"
    )
    env = {"PYTHONPATH": f"{ROOT / 'layers' / 'shared'}", "PATH": "/usr/bin:/bin"}
    if lambda_env:
        env["LAMBDA_TASK_ROOT"] = "/var/task"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == (["Tracer", "True"] if sdk else ["Untraced", "False"])
