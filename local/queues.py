"""SQS event sources for the local stack: polls moto's queue and calls the consumer handler
in-process with Lambda's SQS batch shape, honouring partial batch failures the way Lambda does
(successes deleted, failures left to reappear, here after a short visibility timeout)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from local.lambdas import FakeLambdaContext, Handler, Poller
from local.template import REGION, resources

RETRY_AFTER_SECONDS = 2


@dataclass(frozen=True)
class QueueSource:
    function: str  # logical id
    queue: str  # logical id
    batch_size: int


def queue_sources(template: dict[str, Any]) -> list[QueueSource]:
    out = []
    for logical_id, fn in resources(template, "AWS::Serverless::Function").items():
        for event in fn["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                props = event["Properties"]
                out.append(
                    QueueSource(logical_id, props["Queue"]["Fn::GetAtt"][0], int(props.get("BatchSize", 10)))
                )
    return out


def lambda_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {
                    "ApproximateReceiveCount": m.get("Attributes", {}).get("ApproximateReceiveCount", "1"),
                    "SentTimestamp": str(int(time.time() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(m["Body"].encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


class QueuePoller(Poller):
    name = "sqs"

    def __init__(
        self, sqs: Any, queue_url: str, queue_arn: str, handler: Handler, source: QueueSource
    ) -> None:
        super().__init__(source.function)
        self.sqs, self.queue_url, self.queue_arn = sqs, queue_url, queue_arn
        self.handler, self.source = handler, source

    def poll_once(self) -> int:
        """Receives one batch and delivers it; returns how many messages succeeded."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.source.batch_size, 10),
            AttributeNames=["ApproximateReceiveCount"],
        ).get("Messages", [])
        if not messages:
            return 0
        try:
            result = self.handler(
                lambda_event(messages, self.queue_arn), FakeLambdaContext(self.source.function)
            )
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception as exc:  # the whole batch failed, as in Lambda
            print(f"queue poller {self.source.function}: {type(exc).__name__}: {exc}", flush=True)
            failed = {m["MessageId"] for m in messages}
        done = 0
        for m in messages:
            if m["MessageId"] in failed:
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=m["ReceiptHandle"],
                    VisibilityTimeout=RETRY_AFTER_SECONDS,
                )
            else:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
                done += 1
        return done
