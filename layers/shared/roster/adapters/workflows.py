"""Step Functions: start executions, resume a waiting step with its task token, stop executions."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions.client import SFNClient


class StepGone(Exception):
    """The waiting step is no longer waiting (it timed out or the execution ended)."""


class Workflows:
    def __init__(self, client: SFNClient | None = None) -> None:
        self.client: SFNClient = client or boto3.client("stepfunctions")

    @staticmethod
    def execution_arn(machine_arn: str, name: str) -> str:
        head, machine = machine_arn.split(":stateMachine:", 1)
        return f"{head}:execution:{machine}:{name}"

    def start(self, machine_arn: str, name: str, payload: dict[str, Any]) -> str:
        """Starts (or finds, when already started under this name) an execution; returns its ARN."""
        try:
            return self.client.start_execution(
                stateMachineArn=machine_arn, name=name, input=json.dumps(payload)
            )["executionArn"]
        except self.client.exceptions.ExecutionAlreadyExists:
            return self.execution_arn(machine_arn, name)

    def resume(self, token: str, output: dict[str, Any]) -> None:
        try:
            self.client.send_task_success(taskToken=token, output=json.dumps(output))
        except (self.client.exceptions.TaskTimedOut, self.client.exceptions.InvalidToken) as exc:
            raise StepGone(str(exc)) from exc

    def stop(self, execution_arn: str, cause: str) -> None:
        with contextlib.suppress(self.client.exceptions.ExecutionDoesNotExist):
            self.client.stop_execution(executionArn=execution_arn, cause=cause)
