"""Creators' draft files (S3): uploaded straight from the browser with a presigned POST, checked
after upload by their first bytes, kept under `drafts/`, read back only through short-lived signed
URLs. The function never carries a file's bytes (Lambda's 6 MB payload, API Gateway's 10 MB).

    form = uploads.upload_form(prefix=f"{brand}/{collab}", redirect_url=back, max_bytes=limit)
    # the page: <form method=post enctype=multipart/form-data action=form.url> + form.fields + file
    # S3 checks the policy (key prefix, size, redirect) and 303s to back?bucket=…&key=…&etag=…
    found = uploads.inspect(key, prefix=f"{brand}/{collab}", max_bytes=limit)  # UploadRefused
    kept = uploads.attach(found.key, etag=found.etag)                       # drafts/<brand>/<collab>/…
    uploads.signed_url(kept, content_type=found.content_type)               # 15 minutes

Keys: `incoming/<prefix>/<ulid>/<file name>` while unchecked (the bucket's lifecycle removes them
after a day: abandoned, or refused and not yet deleted), `drafts/<prefix>/<ulid>/<file name>` once
attached. Two clients: one for this function's own calls (HEAD, ranged GET, copy, delete), one
that only signs what browsers use — for S3's regional virtual-host endpoint, or for the local
stack's S3 front (`UPLOADS_ENDPOINT_URL`, see local/uploads.py).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from roster.ids import new_id

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import CopySourceTypeDef

ALLOWED_TYPES: dict[str, str] = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/heic": "HEIC",
    "video/mp4": "MP4",
    "video/quicktime": "MOV",
    "video/webm": "WebM",
}
_labels = list(ALLOWED_TYPES.values())
TYPES_LABEL = ", ".join(_labels[:-1]) + " or " + _labels[-1]

INCOMING, DRAFTS = "incoming/", "drafts/"
SNIFF_BYTES = 64  # every signature below is in the first 64 bytes
PREFIX = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")
MAX_KEY = 1024  # S3's limit, in UTF-8 bytes
MAX_NAME = 200  # what is kept of a file's name for showing it

# ISO base media files (MP4, MOV, HEIC) say what they are by the brands after `ftyp` (offset 4):
# the major brand, then compatible ones. Only these; `avif`, `3gp4`, `crx ` and the rest are not ours.
_HEIC = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_GENERIC = {b"mif1", b"msf1"}  # HEIF or AVIF: the compatible brands tell
_MP4 = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"mp71", b"avc1", b"dash"}
_MP4 |= {b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"mmp4", b"f4v ", b"XAVC"}
# QuickTime files from older cameras start with an atom other than `ftyp`.
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


class UploadRefused(Exception):
    """A file (or key) this module will not take; `message` is a sentence for the creator."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadUnavailable(UploadRefused):
    """S3 failed (or is unreachable): nothing was decided about the file, the creator may retry."""

    status = 503

    def __init__(
        self, message: str = "Uploads are not working right now. Please try again in a few minutes."
    ) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class UploadForm:
    url: str  # where the browser posts (multipart/form-data), the file field last
    fields: dict[str, str]  # hidden inputs, in this order
    key_prefix: str  # every key this form can create starts with it
    max_bytes: int


@dataclass(frozen=True)
class Inspected:
    key: str
    name: str  # the file's name on the creator's device (as the browser sent it)
    size: int
    content_type: str  # one of ALLOWED_TYPES, from the first bytes
    etag: str = ""  # of the version inspected: `attach(key, etag=…)` copies that one only


def sniff(head: bytes) -> str | None:
    """The type the first bytes say, when it is one of ALLOWED_TYPES; the name and the stored
    Content-Type are the sender's word, these bytes are what a viewer will decode."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska or WebM, the header names which
        return "video/webm" if b"\x42\x82\x84webm" in head else None
    if head[4:8] == b"ftyp":
        box = min(int.from_bytes(head[:4]), len(head))
        major = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, box - 3, 4)}
        if major in _HEIC or (major in _HEIF_GENERIC and compatible & _HEIC):
            return "image/heic"
        if major == b"qt  ":
            return "video/quicktime"
        return "video/mp4" if major in _MP4 else None
    if head[4:8] in _QUICKTIME_ATOMS and head[0] < 0x20:  # a plausible atom size, not text
        return "video/quicktime"
    return None


def size_label(size: int) -> str:
    """1 GB, 2 MB, 512 KB: the way a phone shows a file's size (powers of 1024, as portal.js)."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _not_found(err: ClientError) -> bool:
    error = err.response.get("Error", {})
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error.get("Code") in ("404", "NoSuchKey", "NotFound") or status == 404


def _precondition_failed(err: ClientError) -> bool:
    error = err.response.get("Error", {})
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error.get("Code") in ("412", "PreconditionFailed") or status == 412


GONE = "That upload is no longer there (uploads not used within a day are removed). Please upload it again."
NOT_YOURS = "That upload does not belong to this page. Please upload the file again here."
CHANGED = "That upload changed while it was being checked. Please upload it again."


class Uploads:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        client: S3Client | None = None,
        signer: S3Client | None = None,
    ) -> None:
        self.bucket = bucket
        self.client: S3Client = client or boto3.client("s3")
        self.endpoint_url = endpoint_url
        self._signer = signer

    @cached_property
    def signer(self) -> S3Client:
        """Signs browser-facing URLs only (no request is made with it): for the local front, path
        style under its URL; in AWS, the regional virtual host, so a URL works as soon as it is
        made (the global endpoint redirects new buckets' requests for up to a day)."""
        if self._signer is not None:
            return self._signer
        region = self._region
        url = self.endpoint_url.rstrip("/") if self.endpoint_url else f"https://s3.{region}.amazonaws.com"
        config = Config(
            signature_version="s3v4", s3={"addressing_style": "path" if self.endpoint_url else "virtual"}
        )
        signer: S3Client = boto3.client("s3", region_name=region, endpoint_url=url, config=config)
        return signer

    @cached_property
    def origin(self) -> str:
        """scheme://host[:port] browsers post to and read from (the pages' CSP allows it): the
        signer's host, worked out without signing, so a page never fails for lack of it."""
        if self.endpoint_url:
            parts = urlsplit(self.endpoint_url)
            return f"{parts.scheme}://{parts.netloc}"
        return f"https://{self.bucket}.s3.{self._region}.amazonaws.com"

    @property
    def _region(self) -> str:
        return self.client.meta.region_name or "us-east-1"

    # The browser's side -------------------------------------------------------------------------

    def upload_form(
        self, *, prefix: str, redirect_url: str, max_bytes: int, expires: int = 3600
    ) -> UploadForm:
        """A presigned POST for one or more files under a new `incoming/<prefix>/<ulid>/`: S3 takes
        a file only if it is 1..max_bytes long, its key under that prefix, and the redirect this
        one; then it answers 303 to `redirect_url?bucket=…&key=…&etag=…`."""
        _check_prefix(prefix)
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        key_prefix = f"{INCOMING}{prefix}/{new_id()}/"
        conditions: list[list[str | int] | dict[str, str]] = [
            ["starts-with", "$key", key_prefix],
            ["content-length-range", 1, max_bytes],
            {"success_action_redirect": redirect_url},
        ]
        post = self._signed_post(
            key_prefix + "${filename}", conditions, expires, {"success_action_redirect": redirect_url}
        )
        return UploadForm(post["url"], dict(post["fields"]), key_prefix, max_bytes)

    def signed_url(
        self, key: str, *, content_type: str, expires: int = 900, download_name: str | None = None
    ) -> str:
        """A GET URL for `expires` seconds that serves the object as `content_type` (one of
        ALLOWED_TYPES: never text/html from a creator's bytes) — inline, or as a download named
        `download_name`."""
        if content_type not in ALLOWED_TYPES:
            raise ValueError(f"{content_type!r} is not an allowed upload type")
        params = {"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type}
        if download_name is not None:
            params["ResponseContentDisposition"] = _attachment(download_name)
        try:
            return self.signer.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)
        except (BotoCoreError, ClientError) as exc:
            raise UploadUnavailable() from exc

    # This function's side -----------------------------------------------------------------------

    def inspect(self, key: str, *, prefix: str, max_bytes: int) -> Inspected:
        """What an uploaded file is, if it may stay: under this page's prefix (else refused, and
        left alone: it is not this page's to delete), not empty, at most `max_bytes`, and one of
        ALLOWED_TYPES by its first bytes. A file refused for its size or type is deleted."""
        _check_prefix(prefix)
        mine = f"{INCOMING}{prefix}/"
        rest = key[len(mine) :] if key.startswith(mine) else ""
        upload_id, _, name = rest.partition("/")
        if not upload_id or not name.strip("/") or len(key.encode()) > MAX_KEY or "/../" in f"/{rest}/":
            raise UploadRefused(NOT_YOURS)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _not_found(exc):
                raise UploadRefused(GONE) from exc
            raise UploadUnavailable() from exc
        except BotoCoreError as exc:
            raise UploadUnavailable() from exc
        size, etag = int(head["ContentLength"]), str(head.get("ETag", ""))
        # Browsers send a name's `"` as %22 (HTML's multipart encoding); S3 keeps it so in the key.
        shown = name.rsplit("/", 1)[-1].replace("%22", '"')[:MAX_NAME] or "file"
        if size < 1:
            self._refuse(key, f"That file ({shown}) is empty.")
        if size > max_bytes:
            self._refuse(
                key,
                f"That file is {size_label(size)}; the largest you can upload is {size_label(max_bytes)}.",
            )
        try:
            # The version whose size was read (a second upload to the same key is refused below).
            sniffed = f"bytes=0-{SNIFF_BYTES - 1}"
            if etag:
                got = self.client.get_object(Bucket=self.bucket, Key=key, Range=sniffed, IfMatch=etag)
            else:
                got = self.client.get_object(Bucket=self.bucket, Key=key, Range=sniffed)
            first = got["Body"].read(SNIFF_BYTES)
        except ClientError as exc:
            if _not_found(exc):
                raise UploadRefused(GONE) from exc
            if _precondition_failed(exc):
                raise UploadRefused(CHANGED) from exc
            raise UploadUnavailable() from exc
        except BotoCoreError as exc:
            raise UploadUnavailable() from exc
        content_type = sniff(first)
        if content_type is None:
            self._refuse(
                key, f"That file ({shown}) is not a photo or video we can take: upload {TYPES_LABEL}."
            )
        assert content_type is not None
        return Inspected(key=key, name=shown, size=size, content_type=content_type, etag=etag)

    def attach(self, key: str, *, etag: str | None = None) -> str:
        """Keeps an inspected upload: copied to `drafts/…` (out of the one-day expiry), the incoming
        one deleted; the new key. Idempotent: a key already attached gives the same answer. With
        `etag` (Inspected.etag), only the version that was inspected is copied."""
        if key.startswith(DRAFTS):
            return key
        if not key.startswith(INCOMING):
            raise UploadRefused(NOT_YOURS)
        kept = DRAFTS + key[len(INCOMING) :]
        try:
            if etag:  # S3 checks CopySourceIfMatch too; moto does not (locally, a short race remains)
                self.client.head_object(Bucket=self.bucket, Key=key, IfMatch=etag)
            self._copy(key, kept, etag)
        except ClientError as exc:
            if _precondition_failed(exc):
                raise UploadRefused(CHANGED) from exc
            if not _not_found(exc):
                raise UploadUnavailable() from exc
            # Not there: attached before (copied, then the incoming one deleted), or gone.
            if not self._exists(kept):
                raise UploadRefused(GONE) from exc
            return kept
        except BotoCoreError as exc:
            raise UploadUnavailable() from exc
        self.delete(key)
        return kept

    def delete(self, key: str) -> None:
        """Removes an object (deleting one that is not there is not an error, as in S3)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise UploadUnavailable() from exc

    def _copy(self, key: str, kept: str, etag: str | None) -> None:
        source: CopySourceTypeDef = {"Bucket": self.bucket, "Key": key}
        if etag:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=kept,
                CopySource=source,
                CopySourceIfMatch=etag,
                ServerSideEncryption="AES256",
            )
        else:
            self.client.copy_object(
                Bucket=self.bucket, Key=kept, CopySource=source, ServerSideEncryption="AES256"
            )

    def _exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _not_found(exc):
                return False
            raise UploadUnavailable() from exc
        except BotoCoreError as exc:
            raise UploadUnavailable() from exc
        return True

    def _refuse(self, key: str, message: str) -> None:
        """Deletes a refused upload and raises; if the delete fails, the lifecycle rule removes it
        within a day, and the creator still gets the reason, not an outage page."""
        with contextlib.suppress(BotoCoreError, ClientError):  # incoming/ expires in a day anyway
            self.client.delete_object(Bucket=self.bucket, Key=key)
        raise UploadRefused(message)

    def _signed_post(
        self,
        key: str,
        conditions: list[list[str | int] | dict[str, str]],
        expires: int,
        fields: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            post: dict[str, Any] = dict(
                self.signer.generate_presigned_post(
                    self.bucket, key, Fields=fields or {}, Conditions=conditions, ExpiresIn=expires
                )
            )
        except (BotoCoreError, ClientError) as exc:
            raise UploadUnavailable() from exc
        return post


def _check_prefix(prefix: str) -> None:
    """Prefixes are ours (`<brand id>/<collaboration id>`), never a visitor's text."""
    if not PREFIX.fullmatch(prefix):
        raise ValueError(f"not an upload prefix: {prefix!r}")


def _attachment(name: str) -> str:
    """Content-Disposition for a download: an ASCII fallback and the real name (RFC 6266/5987)."""
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '"\\/').strip() or "download"
    fallback = "".join(ch if ch.isascii() else "_" for ch in cleaned)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"
