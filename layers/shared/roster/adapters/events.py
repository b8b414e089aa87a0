"""Domain events to EventBridge (default bus): other parts, like outreach, react to them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_events.client import EventBridgeClient

SOURCE = "roster"


class EventPublisher:
    def __init__(self, client: EventBridgeClient | None = None, bus: str = "default") -> None:
        self.client: EventBridgeClient = client or boto3.client("events")
        self.bus = bus

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        resp = self.client.put_events(
            Entries=[
                {
                    "Source": SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail),
                    "EventBusName": self.bus,
                }
            ]
        )
        if resp.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused {detail_type}: {resp['Entries']}")
