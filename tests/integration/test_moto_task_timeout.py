"""local/moto_patches.py: a task that times out while its Lambda is still running takes its
`States.Timeout` catch, as on AWS. Without the patch, moto's abandoned work could raise a junk
error (its ended frame evaluates to nothing) that moto reported instead: `States.Runtime`, taken
only by `States.ALL`, which failed the negotiation of tests/e2e/test_workflows.py's racing test."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.config import default_user_config
from moto.stepfunctions.parser.asl.eval.environment import Environment

from local import moto_patches
from local.lambdas import Registry

DEFINITION = {
    "StartAt": "Wait",
    "States": {
        "Wait": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:slow",
                "Payload": {"token.$": "$$.Task.Token"},
            },
            "TimeoutSeconds": 1,
            "Catch": [
                {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"},
                {"ErrorEquals": ["States.ALL"], "Next": "Broken"},
            ],
            "End": True,
        },
        "TimedOut": {"Type": "Succeed"},
        "Broken": {"Type": "Fail", "Error": "Broken"},
    },
}


@pytest.fixture
def sfn(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setitem(default_user_config, "stepfunctions", {"execute_state_machine": True})
    monkeypatch.setitem(default_user_config, "lambda", {"use_docker": False})
    with mock_aws():
        registry = Registry()
        registry.install()

        # The Lambda returns just after the state's timeout: its task's remaining steps then run
        # on the ended frame.
        def slow(event: Any, context: Any) -> dict[str, Any]:
            time.sleep(1.1)
            return {}

        registry.register("slow", slow)
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("app.py", "")
        boto3.client("lambda", region_name="us-east-1").create_function(
            FunctionName="slow",
            Runtime="python3.13",
            Role=role,
            Handler="app.h",
            Code={"ZipFile": buf.getvalue()},
        )
        client = boto3.client("stepfunctions", region_name="us-east-1")
        yield (
            client,
            client.create_state_machine(name="m", definition=json.dumps(DEFINITION), roleArn=role)[
                "stateMachineArn"
            ],
        )


def _outcome(client: Any, machine: str) -> str:
    arn = client.start_execution(stateMachineArn=machine)["executionArn"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = client.describe_execution(executionArn=arn)["status"]
        if status != "RUNNING":
            return str(status)
        time.sleep(0.05)
    raise AssertionError("the execution did not end")


def test_a_task_whose_lambda_outlives_its_timeout_takes_the_timeout_catch(
    sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced interleaving: the state, having timed out, is held for 0.4 s before it reads its
    work's outcome, so the abandoned work's error (at 1.1 s) lands first, as it did under load."""
    client, machine = sfn
    close = Environment.close_frame

    def slow_close(self: Environment, frame: Environment) -> None:
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.4)
        close(self, frame)

    monkeypatch.setattr(Environment, "close_frame", slow_close)
    moto_patches.install()
    assert _outcome(client, machine) == "SUCCEEDED"  # TimedOut, not Broken


def test_the_work_of_a_timed_out_callback_task_stops_before_it_reads_its_stack() -> None:
    """A callback task's work that finds its frame ended (its state timed out) stops at once: moto
    went on, popped the state's input as its timeout and waited on it ("'>' not supported between
    instances of 'dict' and 'int'")."""
    moto_patches.install()
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (  # noqa: E501
        StateTaskServiceCallback,
    )

    reached: list[bool] = []

    class Frame:
        def __init__(self, running: bool) -> None:
            self.running = running

        def is_running(self) -> bool:
            return self.running

    class Task:
        name = "NegotiateWait"

    guarded = moto_patches._stops_when_abandoned(lambda _task, env, *_: reached.append(env.running))
    with pytest.raises(moto_patches.AbandonedWork):
        guarded(Task(), Frame(running=False), None, {}, None)
    guarded(Task(), Frame(running=True), None, {}, None)

    assert reached == [True]  # only the running frame's work ran
    assert hasattr(StateTaskServiceCallback._eval_integration_pattern, "__wrapped__")  # installed
