"""Inbound mail (S3): the raw message SES received for the mail domain and wrote to its bucket."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client


class InboundMail:
    def __init__(self, client: S3Client | None = None) -> None:
        self.client: S3Client = client or boto3.client("s3")

    def read(self, bucket: str, key: str) -> bytes:
        """The message as SES stored it (the bucket comes with each S3 notification)."""
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
