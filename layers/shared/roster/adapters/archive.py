"""The raw-payload archive (S3): every authentic webhook body is kept before it is processed, so
nothing a store sends is ever lost and any event can be replayed after a fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client


class WebhookArchive:
    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        self.bucket = bucket
        self.client: S3Client = client or boto3.client("s3")

    def put(self, key: str, body: bytes, metadata: dict[str, str]) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, Metadata=metadata, ServerSideEncryption="AES256"
        )

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
