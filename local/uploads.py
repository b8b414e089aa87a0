"""The local stack's S3 front for browser uploads: what S3 does with a presigned POST and a
presigned GET, on the local gateway, with the objects kept in moto's S3.

moto's server takes browser form POSTs (and 303s to `success_action_redirect`) but checks nothing
of the policy: not its signature, not its expiry, not one condition. So a page that would be
refused by S3 would work locally. This front does the checks S3 does:

    POST /_local/s3/{bucket}          multipart/form-data: the policy's SigV4 signature (with the
                                      local secret), its expiration, every condition (bucket, eq,
                                      starts-with, content-length-range → 400 EntityTooLarge,
                                      success_action_redirect), no field the policy does not
                                      cover; `${filename}` in the key; then the object into moto,
                                      303 to the redirect with bucket, key and etag (or 204/200/201)
    GET  /_local/s3/{bucket}/{key+}   a presigned GET: signature and expiry (X-Amz-Date +
                                      X-Amz-Expires) checked, the bytes served with the
                                      `response-content-type`/`-disposition` asked for; Range too

Errors are S3's XML documents with S3's status codes. The stack sets UPLOADS_ENDPOINT_URL to
`http://<host>:<port>/_local/s3`, so `roster.adapters.uploads` signs for this front.

The gateway's 10 MB body limit holds here too (an upload body is a Lambda-shaped event), so the
stack's uploads are limited to LOCAL_MAX_UPLOAD_BYTES unless MAX_UPLOAD_BYTES says otherwise.
Local only: `local.stack` adds these routes; template.yaml never has them.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import json
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape

import boto3
from botocore.exceptions import ClientError

from local.gateway import MAX_BODY, Route

PATH = "/_local/s3"
# Below the gateway's MAX_BODY with room for the form's other fields and the multipart framing.
LOCAL_MAX_UPLOAD_BYTES = MAX_BODY - 1024 * 1024
ALGORITHM = "AWS4-HMAC-SHA256"
# Fields S3 does not ask the policy to cover.
UNCOVERED = {"policy", "x-amz-signature", "file"}

now: Callable[[], float] = time.time  # tests move the clock


class S3Error(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(err: S3Error) -> dict[str, Any]:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message>"
        "<RequestId>local</RequestId><HostId>local</HostId></Error>"
    )
    return {"statusCode": err.status, "headers": {"Content-Type": "application/xml"}, "body": body}


def _denied(message: str) -> S3Error:
    return S3Error(403, "AccessDenied", message)


def _policy_failed(condition: Any) -> S3Error:
    return _denied(f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")


def _signing_key(secret: str, date: str, region: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _secret_for(credential: str) -> tuple[str, str, str]:
    """(secret, date, region) of a SigV4 credential scope `<key id>/<date>/<region>/s3/aws4_request`,
    for the stack's one access key (configure_environment sets it)."""
    parts = credential.split("/")
    if len(parts) != 5 or parts[3:] != ["s3", "aws4_request"]:
        raise _denied("Invalid credential scope")
    if parts[0] != os.environ.get("AWS_ACCESS_KEY_ID"):
        raise _denied("The AWS Access Key Id you provided does not exist in our records.")
    return os.environ.get("AWS_SECRET_ACCESS_KEY", ""), parts[1], parts[2]


def _body(event: dict[str, Any]) -> bytes:
    raw = event.get("body") or ""
    return base64.b64decode(raw) if event.get("isBase64Encoded") else str(raw).encode()


def _headers(event: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): v for k, v in (event.get("headers") or {}).items()}


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """The form's text fields (names lowercased, first value kept; fields after the file ignored,
    as S3 does) and its file as (filename, bytes)."""
    m = re.search(r'boundary="?([^";]+)"?', content_type, re.I)
    if not content_type.lower().startswith("multipart/form-data") or not m:
        raise S3Error(
            412, "PreconditionFailed", "Bucket POST must be of the enclosure-type multipart/form-data"
        )
    delimiter = b"--" + m.group(1).encode()
    fields: dict[str, str] = {}
    chunks = body.split(delimiter)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise S3Error(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed.")
        content = content.removesuffix(b"\r\n")
        disposition = next(
            (
                line
                for line in head.decode("utf-8", "replace").split("\r\n")
                if line.lower().startswith("content-disposition:")
            ),
            "",
        )
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if not name:
            continue
        if name.group(1).lower() == "file":
            return fields, ((filename.group(1) if filename else ""), content)
        fields.setdefault(name.group(1).lower(), content.decode("utf-8", "replace"))
    return fields, None


def _check_policy(bucket: str, fields: dict[str, str], size: int) -> dict[str, Any]:
    """S3's checks of a POST policy; the policy's document when all pass."""
    for required in ("policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"):
        if required not in fields:
            raise _denied(f"Bucket POST must contain a field named '{required}'.")
    if fields["x-amz-algorithm"] != ALGORITHM:
        raise S3Error(400, "InvalidArgument", "Only AWS4-HMAC-SHA256 is supported")
    secret, date, region = _secret_for(fields["x-amz-credential"])
    expected = hmac.new(
        _signing_key(secret, date, region), fields["policy"].encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, fields["x-amz-signature"].strip().lower()):
        raise S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    try:
        policy = json.loads(base64.b64decode(fields["policy"], validate=True))
        expiration = calendar.timegm(time.strptime(policy["expiration"][:19], "%Y-%m-%dT%H:%M:%S"))
        conditions = list(policy["conditions"])
    except (ValueError, KeyError, TypeError) as exc:
        raise S3Error(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from exc
    if now() > expiration:
        raise _denied("Invalid according to Policy: Policy expired.")
    values = {**fields, "bucket": bucket}
    covered = set()
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            ((name, value),) = condition.items()
            op, field, wanted = "eq", name.lower(), str(value)
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                raise S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if size < low:
                raise S3Error(
                    400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
                )
            continue
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] in ("eq", "starts-with"):
            op, field, wanted = (
                str(condition[0]),
                str(condition[1]).lower().removeprefix("$"),
                str(condition[2]),
            )
        else:
            raise S3Error(
                400, "InvalidPolicyDocument", f"Invalid Policy: Invalid condition {json.dumps(condition)}"
            )
        covered.add(field)
        got = values.get(field)
        if got is None or (got != wanted if op == "eq" else not got.startswith(wanted)):
            raise _policy_failed(condition)
    extra = sorted(
        f for f in fields if f not in covered and f not in UNCOVERED and not f.startswith("x-ignore-")
    )
    if extra:
        raise _denied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
    return dict(policy)


def post_object(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A browser's form upload, as S3 answers it."""
    bucket = (event.get("pathParameters") or {}).get("bucket", "")
    try:
        fields, file = parse_multipart(_headers(event).get("content-type", ""), _body(event))
        if file is None:
            raise S3Error(400, "InvalidArgument", "POST requires exactly one file upload per request.")
        filename, content = file
        if "key" not in fields:
            raise S3Error(400, "InvalidArgument", "Bucket POST must contain a field named 'key'.")
        # S3 puts the file's name in first; the conditions see the key as it will be.
        key = fields["key"] = fields["key"].replace("${filename}", filename)
        _check_policy(bucket, fields, len(content))
        if not key or len(key.encode()) > 1024:
            raise S3Error(400, "KeyTooLongError", "Your key is too long")
        try:
            s3 = boto3.client("s3")
            if content_type := fields.get("content-type"):
                put = s3.put_object(Bucket=bucket, Key=key, Body=content, ContentType=content_type)
            else:
                put = s3.put_object(Bucket=bucket, Key=key, Body=content)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "InternalError")
            raise S3Error(404 if code == "NoSuchBucket" else 500, code, str(exc)) from exc
    except S3Error as err:
        return _error(err)
    etag = str(put["ETag"])
    if redirect := fields.get("success_action_redirect"):
        parts = urlsplit(redirect)
        query = urlencode(
            [
                *parse_qsl(parts.query, keep_blank_values=True),
                ("bucket", bucket),
                ("key", key),
                ("etag", etag),
            ]
        )
        location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
        return {"statusCode": 303, "headers": {"Location": location, "ETag": etag}, "body": ""}
    status = (
        int(fields["success_action_status"]) if fields.get("success_action_status") in ("200", "201") else 204
    )
    return {"statusCode": status, "headers": {"ETag": etag}, "body": ""}


def _canonical_query(raw_query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(raw_query, keep_blank_values=True) if k != "X-Amz-Signature"]
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(pairs))


def _check_presigned_get(event: dict[str, Any]) -> dict[str, str]:
    """S3's checks of a presigned GET (SigV4 query auth); its query when they pass."""
    raw_query = event.get("rawQueryString") or ""
    query = dict(parse_qsl(raw_query, keep_blank_values=True))
    for required in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"):
        if required not in query:
            raise _denied("Request is missing the presigned URL's parameters (the objects are private)")
    secret, date, region = _secret_for(query["X-Amz-Credential"])
    try:
        signed_at = calendar.timegm(time.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
        expires = int(query["X-Amz-Expires"])
    except ValueError as exc:
        raise _denied("X-Amz-Date or X-Amz-Expires is not valid") from exc
    if not 1 <= expires <= 604800:
        raise _denied("X-Amz-Expires must be between 1 and 604800 seconds")
    if now() > signed_at + expires:
        raise _denied("Request has expired")
    headers = _headers(event)
    signed = query.get("X-Amz-SignedHeaders", "host").split(";")
    canonical_headers = "".join(f"{h}:{' '.join(headers.get(h, '').split())}\n" for h in signed)
    canonical = "\n".join(
        [
            "GET",
            event.get("rawPath", ""),
            _canonical_query(raw_query),
            canonical_headers,
            ";".join(signed),
            "UNSIGNED-PAYLOAD",
        ]
    )
    scope = f"{date}/{region}/s3/aws4_request"
    to_sign = "\n".join(
        [ALGORITHM, query["X-Amz-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    expected = hmac.new(_signing_key(secret, date, region), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, query["X-Amz-Signature"].lower()):
        raise S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    return query


def get_object(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A presigned GET, as S3 answers it (a `Range: bytes=a-b` gets 206, as video players ask)."""
    params = event.get("pathParameters") or {}
    bucket, key = params.get("bucket", ""), unquote(params.get("key", ""))
    try:
        query = _check_presigned_get(event)
        wanted = _headers(event).get("range")
        try:
            s3 = boto3.client("s3")
            got = (
                s3.get_object(Bucket=bucket, Key=key, Range=wanted)
                if wanted
                else s3.get_object(Bucket=bucket, Key=key)
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "InternalError")
            status = {"NoSuchKey": 404, "NoSuchBucket": 404, "InvalidRange": 416}.get(code, 500)
            raise S3Error(status, code, str(exc)) from exc
    except S3Error as err:
        return _error(err)
    body = got["Body"].read()
    headers = {
        "Content-Type": query.get("response-content-type") or got.get("ContentType") or "binary/octet-stream",
        "ETag": str(got.get("ETag", "")),
        "Accept-Ranges": "bytes",
        "Last-Modified": got["LastModified"].astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        if isinstance(got.get("LastModified"), datetime)
        else "",
    }
    for param, header in (
        ("response-content-disposition", "Content-Disposition"),
        ("response-cache-control", "Cache-Control"),
    ):
        if query.get(param):
            headers[header] = query[param]
    if got.get("ContentRange"):
        headers["Content-Range"] = str(got["ContentRange"])
    status = 206 if wanted and got.get("ContentRange") else 200
    return {
        "statusCode": status,
        "headers": {k: v for k, v in headers.items() if v},
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def routes() -> list[Route]:
    return [
        Route("POST", f"{PATH}/{{bucket}}", "local-s3", post_object, needs_auth=False),
        Route("GET", f"{PATH}/{{bucket}}/{{key+}}", "local-s3", get_object, needs_auth=False),
    ]


def configure(host: str, port: int) -> None:
    """What the stack's functions sign browser uploads for, and the most one may be."""
    os.environ["UPLOADS_ENDPOINT_URL"] = f"http://{host}:{port}{PATH}"
    os.environ.setdefault("MAX_UPLOAD_BYTES", str(LOCAL_MAX_UPLOAD_BYTES))
