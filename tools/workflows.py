"""Writes `statemachines/*.asl.json` and `docs/workflows.md` (mermaid) from one description.

The state machines repeat patterns (a human wait, a deadline with reminder, grace and a brand
decision); writing them by hand would copy the same states a dozen times. `make workflows`
regenerates both files and a test fails when the checked-in files drift from this script.

    PYTHONPATH=layers/shared:. python -m tools.workflows
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from roster.models.collaborations import Task

ROOT = Path(__file__).resolve().parents[1]
FN = "${WorkflowFunctionArn}"
# `answer`: what the last wait got (its `id`); a task that finds the collaboration's last action is
# another knows Step Functions never got that one (its step timed out first) and takes it.
IDS = {"brand_id.$": "$.brand_id", "collaboration_id.$": "$.collaboration_id", "answer.$": "$.answer"}
LAMBDA_RETRY = [
    {
        "ErrorEquals": [
            "Lambda.ServiceException",
            "Lambda.TooManyRequestsException",
            "Lambda.SdkClientException",
        ],
        "IntervalSeconds": 2,
        "MaxAttempts": 4,
        "BackoffRate": 2,
    }
]
State = dict[str, Any]
# A step whose timeout ends it holds this long before deciding, longer than any request takes (the
# API and creator-page functions time out at 10 s): an action that arrived before the deadline has
# been written by then and is honoured (`late`).
HOLD_SECONDS = 10
HOLD = f"hold {HOLD_SECONDS} s: a request sent in time lands"

# What each action means, in words, for docs/workflows.md (a test keeps it equal to the API's actions).
ACTIONS = {
    "accept": "creator accepts the invitation",
    "decline": "creator declines",
    "counter": "either side counter-offers terms",
    "accept-terms": "either side accepts the other side's latest offer (never its own); the contract "
    "freezes exactly that offer",
    "sign": "creator signs the contract",
    "record-shipment": "brand records the shipment",
    "confirm-delivery": "creator or brand confirms delivery",
    "submit-content": "creator submits a content proposal",
    "approve-content": "brand approves the last proposal (once no rounds are left, also one it asked "
    "to change)",
    "request-changes": "brand requests changes (on the last round: the brand then decides)",
    "grant-round": "brand grants one more content round when none are left",
    "submit-post": "creator submits a post URL, one per deliverable (or monitoring finds it)",
    "rate": "brand rates the collaboration",
    "cancel": "brand cancels under the cancellation clause",
    "extend": "brand gives more time after a missed deadline",
}


def task(name: str, payload: dict[str, Any], next_state: str, *, result: str | None = None) -> State:
    """A Lambda task of the workflow function; its result (if kept) lands at `result`."""
    state: State = {
        "Type": "Task",
        "Comment": name,
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": FN, "Payload": {**payload, **IDS}},
        "ResultSelector": {"value.$": "$.Payload"},
        "ResultPath": result,
        "Retry": LAMBDA_RETRY,
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
        "Next": next_state,
    }
    return state


def wait(stage: str, actions: list[str], timeout_path: str, on_timeout: str, next_state: str) -> State:
    """A human step: the function stores the task token with what is awaited; an API call or a
    creator page resumes it with {"action": ...}. Every wait has a timeout and its own branch."""
    return {
        "Type": "Task",
        "Comment": "waits for: " + ", ".join(actions),
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": FN,
            "Payload": {
                "task": Task.WAIT,
                "stage": stage,
                "actions": actions,
                "token.$": "$$.Task.Token",
                "seconds.$": timeout_path,
                **IDS,
            },
        },
        "TimeoutSecondsPath": timeout_path,
        "ResultPath": "$.answer",
        "Catch": [
            {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": on_timeout},
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"},
        ],
        "Next": next_state,
    }


def late(name: str, route_to: str) -> dict[str, State]:
    """The timeout branch of a step whose timeout ends it: hold, then take the action the step got
    before its deadline (if any) to `route_to`, which routes `timeout` to the step's end."""
    state = task(
        "the answer the step took before its timeout, if any",
        {"task": Task.LATE},
        route_to,
        result="$.answer",
    )
    state["ResultSelector"] = {"action.$": "$.Payload.action", "id.$": "$.Payload.id"}
    return {
        f"{name}Hold": {"Type": "Wait", "Comment": HOLD, "Seconds": HOLD_SECONDS, "Next": f"{name}Late"},
        f"{name}Late": state,
    }


def route(routes: dict[str, str], default: str) -> State:
    return {
        "Type": "Choice",
        "Choices": [{"Variable": "$.answer.action", "StringEquals": a, "Next": n} for a, n in routes.items()],
        "Default": default,
    }


def chase(
    name: str,
    stage: str,
    routes: dict[str, str],
    timeout_path: str,
    *,
    alert: str,
    alert_task: Task,
    told: str,
    waiting: str = "Wait",
    alert_first: bool = False,
) -> dict[str, State]:
    """A step nothing ends but an action: `{name}{waiting}` waits for the actions of `routes`, each
    timeout alerts the brand (`{name}{alert}`: "alert the brand: <told>") and waits again, and
    `{name}Route` routes the action taken. With `alert_first` the step is entered at the alert
    (listed first)."""
    wait_state, alert_state, route_state = f"{name}{waiting}", f"{name}{alert}", f"{name}Route"
    waits_for = wait(stage, list(routes), timeout_path, alert_state, route_state)
    alerts = task(f"alert the brand: {told}", {"task": alert_task, "stage": stage}, wait_state)
    pair = {wait_state: waits_for, alert_state: alerts}
    if alert_first:
        pair = {alert_state: alerts, wait_state: waits_for}
    return {**pair, route_state: route(routes, wait_state)}


def deadline(name: str, stage: str, actions: list[str], then: str) -> dict[str, State]:
    """Due date with buffers: wait until the reminder, remind, wait through the grace period,
    alert the brand, then wait for the creator or a brand decision (cancel or extend), alerting
    again each decision period. Nothing ends without the brand deciding."""
    routes = {**dict.fromkeys(actions, then), "cancel": "Cancelled", "extend": f"{name}Extend"}
    return {
        f"{name}Wait": wait(
            stage, [*actions, "cancel"], "$.timers.value.remind", f"{name}Remind", f"{name}Route"
        ),
        f"{name}Remind": task("remind the creator", {"task": Task.REMIND, "stage": stage}, f"{name}Grace"),
        f"{name}Grace": wait(
            stage, [*actions, "cancel"], "$.timers.value.grace", f"{name}Missed", f"{name}Route"
        ),
        **chase(
            name,
            stage,
            routes,
            "$.settings.decision_seconds",
            alert="Missed",
            alert_task=Task.MISSED,
            told="deadline missed",
            waiting="Decide",
            alert_first=True,
        ),
        f"{name}Extend": task(
            "new due date",
            {"task": Task.EXTEND, "stage": stage, "extra.$": "$.answer.seconds"},
            f"{name}Wait",
            result="$.timers",
        ),
    }


def enter(stage: str, next_state: str, due: str | None = None) -> State:
    payload: dict[str, Any] = {"task": Task.ENTER, "stage": stage}
    if due:
        payload["due_seconds.$"] = due
    return task(f"enter {stage}", payload, next_state, result="$.timers" if due else None)


def finish(outcome: str) -> State:
    return task(f"close: {outcome}", {"task": Task.FINISH, "outcome": outcome}, "Done")


def collaboration() -> dict[str, Any]:
    s: dict[str, State] = {}
    s["Invite"] = enter("invite", "InviteWait")
    s["InviteWait"] = wait(
        "invite", ["accept", "decline", "cancel"], "$.settings.answer_seconds", "InviteHold", "InviteRoute"
    )
    s |= late("Invite", "InviteRoute")
    s["InviteRoute"] = route(
        {"accept": "Negotiate", "decline": "Declined", "cancel": "Cancelled", "timeout": "NoAnswer"},
        "InviteWait",
    )

    s["Negotiate"] = enter("negotiate", "NegotiateWait")
    s |= chase(
        "Negotiate",
        "negotiate",
        {"counter": "NegotiateWait", "accept-terms": "Contract", "cancel": "Cancelled"},
        "$.settings.negotiate_seconds",
        alert="Stalled",
        alert_task=Task.STALLED,
        told="negotiation stalled",
    )

    s["Contract"] = task(
        "freeze the terms into a contract",
        {"task": Task.CONTRACT, "due_seconds.$": "$.settings.sign_due_seconds"},
        "SignWait",
        result="$.timers",
    )
    s |= deadline("Sign", "contract", ["sign"], "Onboard")

    s["Onboard"] = task("issue link and promo code, email the brief", {"task": Task.ONBOARD}, "SeedingChoice")
    s["SeedingChoice"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.settings.seeding", "BooleanEquals": True, "Next": "Seeding"}],
        "Default": "Content",
    }
    s["Seeding"] = enter("seeding", "ShipmentWait")
    s |= chase(
        "Shipment",
        "seeding",
        {"record-shipment": "DeliveryWait", "cancel": "Cancelled"},
        "$.settings.shipment_seconds",
        alert="Late",
        alert_task=Task.STALLED,
        told="nothing shipped",
    )
    s |= chase(
        "Delivery",
        "seeding",
        {"confirm-delivery": "Content", "cancel": "Cancelled"},
        "$.settings.delivery_seconds",
        alert="Late",
        alert_task=Task.STALLED,
        told="delivery not confirmed",
    )

    s["Content"] = enter("content", "SubmitWait", due="$.settings.content_due_seconds")
    s |= deadline("Submit", "content", ["submit-content"], "ReviewWait")
    s |= chase(
        "Review",
        "content",
        {"approve-content": "Live", "request-changes": "Revise", "cancel": "Cancelled"},
        "$.settings.review_seconds",
        alert="Late",
        alert_task=Task.STALLED,
        told="content awaits review",
    )
    s["Revise"] = task(
        "another round, if the campaign allows it", {"task": Task.REVISE}, "ReviseChoice", result="$.revise"
    )
    s["ReviseChoice"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.revise.value.more", "BooleanEquals": True, "Next": "Content"}],
        "Default": "RoundsExhausted",
    }
    # Changes requested on the last round: the brand decides, alerted again each decision period.
    s |= chase(
        "Rounds",
        "content",
        {"approve-content": "Live", "grant-round": "Content", "cancel": "Cancelled"},
        "$.settings.decision_seconds",
        alert="Exhausted",
        alert_task=Task.EXHAUSTED,
        told="no revision rounds left",
        waiting="Decide",
        alert_first=True,
    )

    s["Live"] = enter("live", "PostWait", due="$.settings.post_due_seconds")
    s |= deadline("Post", "live", ["submit-post"], "CheckPost")
    # One post per deliverable: the live step waits again while one is due, until the same due date.
    s["CheckPost"] = task(
        "proof of post: disclosure check, the verified deliverable's fee booked",
        {"task": Task.CHECK_POST},
        "MorePosts",
        result="$.timers",
    )
    s["MorePosts"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.timers.value.more", "BooleanEquals": True, "Next": "PostWait"}],
        "Default": "Measure",
    }

    s["Measure"] = enter("measure", "PerformanceWindow")
    s["PerformanceWindow"] = {
        "Type": "Wait",
        "SecondsPath": "$.settings.performance_seconds",
        "Next": "MeasureCheck",
    }
    s["MeasureCheck"] = task(
        "compare results; alert and re-engage if far below", {"task": Task.MEASURE}, "Close"
    )

    s["Close"] = enter("close", "RateWait")
    s["RateWait"] = wait("close", ["rate"], "$.settings.rating_seconds", "RateHold", "Completed")
    # A rating is the record only: one that came in time is kept by the hold before completing.
    s["RateHold"] = {"Type": "Wait", "Comment": HOLD, "Seconds": HOLD_SECONDS, "Next": "Completed"}
    s["Completed"] = finish("completed")
    s["Declined"] = finish("declined")
    s["NoAnswer"] = finish("no_answer")
    s["Cancelled"] = finish("cancelled")
    s["Done"] = {"Type": "Succeed"}
    s["Failed"] = {
        "Type": "Fail",
        "Error": "CollaborationFailed",
        "Cause": "a workflow task failed; see the execution history",
    }
    return {
        "Comment": (
            "One creator in one campaign: invite → negotiate → contract → onboard → (seeding) → content"
            " → live → measure → close. Generated by tools/workflows.py."
        ),
        "StartAt": "Invite",
        "States": s,
    }


def campaign() -> dict[str, Any]:
    def ctask(name: str, payload: dict[str, Any], next_state: str, result: str | None = None) -> State:
        state = task(name, payload, next_state, result=result)
        state["Parameters"]["Payload"] = {
            **payload,
            "brand_id.$": "$.brand_id",
            "campaign_id.$": "$.campaign_id",
        }
        return state

    return {
        "Comment": (
            "One campaign: launch its collaborations → active (a report every period) until the end date"
            " → wrap-up → closed. Generated by tools/workflows.py."
        ),
        "StartAt": "Launch",
        "States": {
            "Launch": ctask(
                "start a collaboration execution per creator",
                {
                    "task": Task.LAUNCH,
                    "collaboration_ids.$": "$.collaboration_ids",
                    "machine.$": "$.collaboration_machine",
                },
                "Active",
            ),
            "Active": {"Type": "Wait", "SecondsPath": "$.settings.report_seconds", "Next": "Report"},
            "Report": ctask("periodic report", {"task": Task.REPORT}, "Ended", result="$.report"),
            "Ended": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.report.value.ended", "BooleanEquals": True, "Next": "WrapUp"}],
                "Default": "Active",
            },
            "WrapUp": ctask("final report, open items listed", {"task": Task.WRAP_UP}, "Closed"),
            "Closed": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "CampaignWorkflowFailed", "Cause": "a workflow task failed"},
        },
    }


MACHINES = {"collaboration": collaboration, "campaign": campaign}


def mermaid(definition: dict[str, Any]) -> str:
    lines = ["stateDiagram-v2", f"  [*] --> {definition['StartAt']}"]
    for name, state in definition["States"].items():
        label = state.get("Comment", "")
        if label:
            lines.append(f"  {name}: {name} - {label}")
        targets: list[tuple[str, str]] = []
        if "Next" in state:
            targets.append((state["Next"], ""))
        for choice in state.get("Choices", []):
            cond = choice.get("StringEquals", choice.get("BooleanEquals"))
            targets.append((choice["Next"], str(cond).lower() if isinstance(cond, bool) else str(cond)))
        if "Default" in state:
            targets.append((state["Default"], "otherwise"))
        for catch in state.get("Catch", []):
            if catch["Next"] != "Failed":
                targets.append((catch["Next"], "timeout"))
        if state["Type"] in ("Succeed", "Fail") or state.get("End"):
            targets.append(("[*]", ""))
        for target, label in targets:
            lines.append(f"  {name} --> {target}" + (f": {label}" if label else ""))
    return "\n".join(lines)


def waits(definition: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = []
    for name, state in definition["States"].items():
        if state.get("Resource", "").endswith(".waitForTaskToken"):
            payload = state["Parameters"]["Payload"]
            out.append((name, ", ".join(f"`{a}`" for a in payload["actions"]), state["TimeoutSecondsPath"]))
    return out


def docs() -> str:
    parts = [
        "# Workflows",
        "",
        "Generated by `make workflows` from `tools/workflows.py`, like the definitions in",
        "`statemachines/`; do not edit by hand. Timers come from the campaign's `workflow` settings",
        "(seconds), passed to each execution as `$.settings`.",
        "",
    ]
    for name, build in MACHINES.items():
        definition = build()
        parts += [
            f"## {name.capitalize()}",
            "",
            definition["Comment"],
            "",
            "```mermaid",
            mermaid(definition),
            "```",
            "",
        ]
        rows = waits(definition)
        if rows:
            parts += ["| waiting state | resumed by | timeout from |", "|---|---|---|"]
            parts += [f"| {n} | {a} | `{t}` |" for n, a, t in rows]
            parts += [""]
    parts += ["## Actions", "", "| action | meaning |", "|---|---|"]
    parts += [f"| `{a}` | {m} |" for a, m in ACTIONS.items()]
    return "\n".join(parts) + "\n"


def render() -> dict[Path, str]:
    out = {
        ROOT / "statemachines" / f"{name}.asl.json": json.dumps(build(), indent=2) + "\n"
        for name, build in MACHINES.items()
    }
    out[ROOT / "docs" / "workflows.md"] = docs()
    return out


def main() -> None:
    for path, text in render().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
