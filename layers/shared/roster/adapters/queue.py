"""Work queues (SQS): monitor checks and outreach sends, one message per creator, sent in batches
of ten."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

BATCH = 10  # SQS SendMessageBatch maximum


class WorkQueue:
    def __init__(self, url: str, client: SQSClient | None = None) -> None:
        self.url = url
        self.client: SQSClient = client or boto3.client("sqs")

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        """Sends every message; entries SQS refuses are retried once, then it raises."""
        for start in range(0, len(messages), BATCH):
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": str(i), "MessageBody": json.dumps(m, separators=(",", ":"))}
                for i, m in enumerate(messages[start : start + BATCH])
            ]
            for _attempt in range(2):
                failed = self.client.send_message_batch(QueueUrl=self.url, Entries=entries).get("Failed", [])
                if not failed:
                    break
                ids = {f["Id"] for f in failed}
                entries = [e for e in entries if e["Id"] in ids]
            else:
                raise RuntimeError(f"SQS refused {len(entries)} messages for {self.url}")
