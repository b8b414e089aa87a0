"""Draft uploads: presigned POST forms (roster.adapters.uploads), posted for real — multipart over
HTTP — to the local S3 front (local/uploads.py) that checks them as S3 does, with the objects in
moto; then inspected by their first bytes, attached, read through signed URLs; S3 failing.
The last test does the same over a running local stack, where the stack wires the front itself."""

from __future__ import annotations

import base64
import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from urllib3.filepost import encode_multipart_formdata

from local import moto_patches
from local import uploads as front
from local.gateway import Gateway, serve
from roster.adapters.uploads import (
    ALLOWED_TYPES,
    TYPES_LABEL,
    Inspected,
    UploadForm,
    UploadRefused,
    Uploads,
    UploadUnavailable,
    sniff,
)
from roster.deps import deps, reset
from tests.integration.conftest import NAMES
from tests.stack import start_stack

BUCKET = NAMES.physical("UploadsBucket")
PREFIX = "01BRAND0000000000000000000/01COLLAB000000000000000000"
BACK = "http://127.0.0.1:9/c/some-token/drafts?step=uploaded"

# The first bytes of real files of each kind (padded: the sniffer reads 64 bytes).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(200)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + bytes(200)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free" + bytes(200)
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  \x00\x00\x00\x08wide" + bytes(200)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)
HEIF_AVIF = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf" + bytes(200)
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
MKV = WEBM.replace(b"\x84webm", b"\x88matroska")
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(50)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(50)
TEXT = b"<html><script>alert(1)</script></html>\n" * 5


@dataclass
class Front:
    base: str  # http://127.0.0.1:<port>

    @property
    def endpoint(self) -> str:
        return f"{self.base}{front.PATH}"


@pytest.fixture
def s3_front(aws: None) -> Iterator[Front]:
    """The local S3 front on its own HTTP server (the gateway the stack uses), moto behind it,
    patched as the stack patches it (local/moto_patches.py)."""
    moto_patches.install()
    server = serve(Gateway(front.routes(), None), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Front(f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()
    server.server_close()


@pytest.fixture
def up(s3_front: Front, monkeypatch: pytest.MonkeyPatch) -> Uploads:
    """`d.uploads` as a function gets it when the stack has set its endpoint."""
    monkeypatch.setenv("UPLOADS_BUCKET", BUCKET)
    monkeypatch.setenv("UPLOADS_ENDPOINT_URL", s3_front.endpoint)
    reset()
    found = deps().uploads
    assert found is not None
    return found


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def code(self) -> str:
        m = re.search(rb"<Code>([^<]+)</Code>", self.body)
        return m.group(1).decode() if m else ""


def call(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
    """One request, redirects not followed (the 303 is what is tested)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers or {})
        resp = conn.getresponse()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def post(form: UploadForm, content: bytes, filename: str = "photo.jpg", /, **changes: str | None) -> Answer:
    """The browser's form submission: the hidden fields in order (any changed or, when None,
    left out), then the file; encoded by urllib3, not by the code under test."""
    fields: list[tuple[str, Any]] = [
        (k, changes.get(k, v)) for k, v in form.fields.items() if changes.get(k, v) is not None
    ]
    fields += [(k, v) for k, v in changes.items() if k not in form.fields and v is not None]
    fields.append(("file", (filename, content, "application/octet-stream")))
    body, content_type = encode_multipart_formdata(fields)
    return call("POST", form.url, body, {"Content-Type": content_type})


def stored(prefix: str = "") -> dict[str, bytes]:
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def uploaded(up: Uploads, content: bytes, filename: str = "photo.jpg", max_bytes: int = 4096) -> str:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=max_bytes)
    answer = post(form, content, filename)
    assert answer.status == 303, answer.body
    return parse_qs(urlsplit(answer.headers["location"]).query)["key"][0]


def policy_of(form: UploadForm) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.b64decode(form.fields["policy"]))
    return data


# The form -----------------------------------------------------------------------------------------


def test_the_form_lets_a_browser_post_only_under_a_new_prefix_within_the_size_and_back_to_the_page(
    up: Uploads, s3_front: Front
) -> None:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=2048, expires=600)

    assert form.url == f"{s3_front.endpoint}/{BUCKET}"
    assert up.origin == s3_front.base
    assert re.fullmatch(rf"incoming/{PREFIX}/[0-9A-HJKMNP-TV-Z]{{26}}/", form.key_prefix)
    assert form.max_bytes == 2048
    assert form.fields["key"] == form.key_prefix + "${filename}"
    assert form.fields["success_action_redirect"] == BACK
    assert form.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    conditions = policy_of(form)["conditions"]
    assert ["starts-with", "$key", form.key_prefix] in conditions
    assert ["content-length-range", 1, 2048] in conditions
    assert {"success_action_redirect": BACK} in conditions
    assert {"bucket": BUCKET} in conditions
    # Every form is its own folder: one page's forms never share keys.
    assert up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=2048).key_prefix != form.key_prefix
    for bad in ("", "../other", "a//b", "a/b/", "a b", "a/../b"):
        with pytest.raises(ValueError):
            up.upload_form(prefix=bad, redirect_url=BACK, max_bytes=2048)


def test_in_aws_browsers_post_to_and_read_from_the_regional_virtual_host(aws: None) -> None:
    up = Uploads(BUCKET, client=boto3.client("s3", region_name="eu-west-1"))
    form = up.upload_form(prefix=PREFIX, redirect_url="https://api.example/c/t/drafts", max_bytes=10)
    host = f"{BUCKET}.s3.eu-west-1.amazonaws.com"
    assert form.url == f"https://{host}/"
    assert up.origin == f"https://{host}"
    url = up.signed_url(f"drafts/{PREFIX}/x/a.jpg", content_type="image/jpeg", download_name="été.jpg")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", host)
    query = parse_qs(parts.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert query["response-content-type"] == ["image/jpeg"]
    assert query["response-content-disposition"] == [
        "attachment; filename=\"_t_.jpg\"; filename*=UTF-8''%C3%A9t%C3%A9.jpg"
    ]


def test_no_bucket_no_uploads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPLOADS_BUCKET", raising=False)
    reset()
    assert deps().uploads is None


# The POST, as S3 checks it --------------------------------------------------------------------------


def test_a_browser_upload_is_stored_and_redirected_back_with_bucket_key_and_etag(up: Uploads) -> None:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=4096)

    answer = post(form, JPEG, "Beach day ü.jpg")

    assert answer.status == 303
    location = urlsplit(answer.headers["location"])
    assert location._replace(query="").geturl() == "http://127.0.0.1:9/c/some-token/drafts"
    query = parse_qs(location.query)
    key = form.key_prefix + "Beach day ü.jpg"
    assert query["step"] == ["uploaded"]  # the redirect's own query is kept
    assert query["bucket"] == [BUCKET]
    assert query["key"] == [key]
    assert query["etag"] == [boto3.client("s3").head_object(Bucket=BUCKET, Key=key)["ETag"]]
    assert stored(form.key_prefix) == {key: JPEG}


def test_a_file_over_the_limit_is_refused_as_s3_does_and_nothing_is_stored(up: Uploads) -> None:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=1000)

    too_big = post(form, JPEG + bytes(1000 - len(JPEG) + 1))
    empty = post(form, b"")

    assert (too_big.status, too_big.code) == (400, "EntityTooLarge")
    assert too_big.headers["content-type"] == "application/xml"
    assert (empty.status, empty.code) == (400, "EntityTooSmall")
    assert stored() == {}
    assert post(form, JPEG + bytes(1000 - len(JPEG))).status == 303  # exactly the limit is fine


def test_an_expired_form_is_refused(up: Uploads, monkeypatch: pytest.MonkeyPatch) -> None:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=4096, expires=60)
    monkeypatch.setattr(front, "now", lambda: time.time() + 61)

    answer = post(form, JPEG)

    assert (answer.status, answer.code) == (403, "AccessDenied")
    assert b"Policy expired" in answer.body
    assert stored() == {}


def test_a_tampered_policy_or_signature_is_refused(up: Uploads) -> None:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=1000)
    policy = policy_of(form)
    policy["conditions"] = [
        ["content-length-range", 1, 10**9] if "content-length-range" in c else c for c in policy["conditions"]
    ]
    bigger = base64.b64encode(json.dumps(policy).encode()).decode()
    signature = form.fields["x-amz-signature"]
    other_signature = ("0" if signature[0] != "0" else "1") + signature[1:]

    answers = [
        post(form, JPEG + bytes(5000), policy=bigger),
        post(form, JPEG, **{"x-amz-signature": other_signature}),
        post(form, JPEG, **{"x-amz-signature": None}),
        post(form, JPEG, **{"x-amz-credential": "other/" + form.fields["x-amz-credential"].split("/", 1)[1]}),
    ]

    assert [(a.status, a.code) for a in answers[:2]] == [(403, "SignatureDoesNotMatch")] * 2
    assert [a.status for a in answers[2:]] == [403, 403]
    assert stored() == {}


def test_a_key_outside_the_prefix_another_redirect_or_an_extra_field_is_refused(up: Uploads) -> None:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=4096)
    other = up.upload_form(
        prefix="01BRAND0000000000000000000/01OTHER0000000000000000000", redirect_url=BACK, max_bytes=4096
    )

    answers = [
        post(form, JPEG, key=other.key_prefix + "${filename}"),  # into another collaboration's folder
        post(form, JPEG, key=f"drafts/{PREFIX}/x/${{filename}}"),  # straight to drafts, unchecked
        post(form, JPEG, success_action_redirect="https://evil.example/"),
        post(form, JPEG, success_action_redirect=None),
        post(form, JPEG, acl="public-read"),  # a field the policy does not cover
    ]

    assert [(a.status, a.code) for a in answers] == [(403, "AccessDenied")] * 5
    assert b"Policy Condition failed" in answers[0].body
    assert b"Extra input fields: acl" in answers[4].body
    assert stored() == {}


def test_the_front_refuses_what_is_not_a_form_upload(up: Uploads, s3_front: Front) -> None:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=4096)
    no_file_body, no_file_type = encode_multipart_formdata(list(form.fields.items()))

    not_multipart = call("POST", form.url, b"key=x", {"Content-Type": "application/x-www-form-urlencoded"})
    no_file = call("POST", form.url, no_file_body, {"Content-Type": no_file_type})
    no_bucket = post(UploadForm(f"{s3_front.endpoint}/no-such-bucket", form.fields, "", 4096), JPEG)

    assert not_multipart.status == 412
    assert (no_file.status, no_file.code) == (400, "InvalidArgument")
    assert no_bucket.status == 403  # the policy names the bucket: checked before anything is stored
    assert stored() == {}


# After the upload -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (MP4, "video/mp4"),
        (MOV, "video/quicktime"),
        (HEIC, "image/heic"),
        (WEBM, "video/webm"),
        (GIF, "image/gif"),
        (WEBP, "image/webp"),
        (HEIF_AVIF, None),
        (MKV, None),
        (TEXT, None),
        (b"%PDF-1.7\n" + bytes(60), None),
        (b"\x00\x00\x00\x20ftypavif" + bytes(60), None),
        (b"", None),
    ],
)
def test_the_first_bytes_say_what_a_file_is(content: bytes, expected: str | None) -> None:
    assert sniff(content[:64]) == expected
    assert expected is None or expected in ALLOWED_TYPES


def test_inspect_names_the_type_by_the_bytes_not_the_name(up: Uploads) -> None:
    for content, name, expected in (
        (JPEG, "IMG_0001.JPG", "image/jpeg"),
        (PNG, "screenshot.jpg", "image/png"),  # the name is wrong, the bytes are right
        (MP4, "clip", "video/mp4"),
    ):
        key = uploaded(up, content, name)

        found = up.inspect(key, prefix=PREFIX, max_bytes=4096)

        assert found == Inspected(key, name, len(content), expected, found.etag)
        assert found.etag.strip('"')
        assert stored(key) == {key: content}  # kept, still incoming

    quoted = uploaded(up, JPEG, 'say "hi".jpg')  # the browser sends the quotes as %22
    assert quoted.endswith("/say %22hi%22.jpg")
    assert up.inspect(quoted, prefix=PREFIX, max_bytes=4096).name == 'say "hi".jpg'


def test_a_text_file_named_jpg_is_refused_and_deleted(up: Uploads) -> None:
    key = uploaded(up, TEXT, "cute.jpg")

    with pytest.raises(UploadRefused) as refused:
        up.inspect(key, prefix=PREFIX, max_bytes=4096)

    assert (
        refused.value.message
        == f"That file (cute.jpg) is not a photo or video we can take: upload {TYPES_LABEL}."
    )
    assert TYPES_LABEL == "JPEG, PNG, WebP, GIF, HEIC, MP4, MOV or WebM"
    assert refused.value.status == 400
    assert stored() == {}


def test_a_file_bigger_than_allowed_is_refused_and_deleted(up: Uploads) -> None:
    key = uploaded(up, JPEG + bytes(3 * 1024 * 1024), max_bytes=4 * 1024 * 1024)  # the form allowed more

    with pytest.raises(UploadRefused) as refused:
        up.inspect(key, prefix=PREFIX, max_bytes=2 * 1024 * 1024)

    assert refused.value.message == "That file is 3.0 MB; the largest you can upload is 2 MB."
    assert stored() == {}


def test_a_key_of_another_page_is_refused_and_left_alone(up: Uploads) -> None:
    key = uploaded(up, JPEG)
    other_prefix = "01BRAND0000000000000000000/01OTHER0000000000000000000"

    for wrong in (
        key,
        f"drafts/{PREFIX}/x/a.jpg",
        f"incoming/{PREFIX}/",
        f"incoming/{PREFIX}/x/../../y/a.jpg",
    ):
        with pytest.raises(UploadRefused) as refused:
            up.inspect(wrong, prefix=other_prefix if wrong == key else PREFIX, max_bytes=4096)
        assert "does not belong to this page" in refused.value.message
    assert stored() == {key: JPEG}

    with pytest.raises(UploadRefused) as gone:
        up.inspect(f"incoming/{PREFIX}/01NOTHERE/a.jpg", prefix=PREFIX, max_bytes=4096)
    assert "no longer there" in gone.value.message


def test_attach_moves_the_file_to_drafts_once(up: Uploads) -> None:
    key = uploaded(up, JPEG)
    found = up.inspect(key, prefix=PREFIX, max_bytes=4096)

    kept = up.attach(found.key, etag=found.etag)

    assert kept == "drafts/" + key.removeprefix("incoming/")
    assert stored() == {kept: JPEG}
    assert up.attach(found.key, etag=found.etag) == kept  # a retried request: the same answer
    assert up.attach(kept) == kept
    assert stored() == {kept: JPEG}
    up.delete(kept)
    assert stored() == {}
    with pytest.raises(UploadRefused):
        up.attach(found.key)  # neither incoming nor attached: gone


def test_racing_attaches_of_one_upload_all_get_the_one_draft(up: Uploads) -> None:
    """A double-loaded redirect: every request gets the same kept key, and one copy is kept."""
    key = uploaded(up, JPEG)
    found = up.inspect(key, prefix=PREFIX, max_bytes=4096)
    start = threading.Barrier(8)
    results: list[str | Exception] = []

    def attach() -> None:
        start.wait()
        try:
            results.append(up.attach(found.key, etag=found.etag))
        except Exception as exc:  # collected: the assertion below names it
            results.append(exc)

    threads = [threading.Thread(target=attach) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    kept = "drafts/" + key.removeprefix("incoming/")
    assert results == [kept] * 8
    assert stored() == {kept: JPEG}


def test_a_delete_landing_while_a_copy_reads_its_source_waits_for_the_copy(
    up: Uploads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced interleaving (local/moto_patches.py): the copy of an attach is held while it reads its
    source, and a delete of that source lands then. moto closed the source's bytes under the copy
    ("I/O operation on closed file"); patched, the delete waits and the copy keeps the whole file."""
    from moto.s3.models import FakeKey

    key = uploaded(up, JPEG)
    reading, deleted = threading.Event(), threading.Event()
    value = FakeKey.value

    def held(self: FakeKey) -> bytes:
        if self.name == key and threading.current_thread().name == "attach" and not reading.is_set():
            reading.set()
            deleted.wait(0.5)  # the delete, if it does not wait for the copy, lands now
        data: bytes = value.fget(self)  # type: ignore[attr-defined]
        return data

    monkeypatch.setattr(FakeKey, "value", property(held, value.fset))  # type: ignore[attr-defined]
    results: list[str | Exception] = []

    def attach() -> None:
        try:
            results.append(up.attach(key))
        except Exception as exc:  # collected: the assertion below names it
            results.append(exc)

    def delete() -> None:
        reading.wait(5)
        boto3.client("s3").delete_object(Bucket=BUCKET, Key=key)
        deleted.set()

    threads = [threading.Thread(target=attach, name="attach"), threading.Thread(target=delete)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    kept = "drafts/" + key.removeprefix("incoming/")
    assert results == [kept]
    assert stored() == {kept: JPEG}


def test_a_file_replaced_after_it_was_inspected_is_not_attached(up: Uploads) -> None:
    form = up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=4096)
    first = post(form, JPEG, "a.jpg")
    key = parse_qs(urlsplit(first.headers["location"]).query)["key"][0]
    found = up.inspect(key, prefix=PREFIX, max_bytes=4096)

    assert post(form, TEXT, "a.jpg").status == 303  # the same form, the same name, other bytes

    with pytest.raises(UploadRefused) as refused:
        up.attach(found.key, etag=found.etag)
    assert "changed" in refused.value.message
    assert stored("drafts/") == {}


# Reading it back -----------------------------------------------------------------------------------


def test_a_signed_url_serves_the_file_as_its_type_then_expires(
    up: Uploads, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = up.attach(uploaded(up, PNG, "shot.png"))
    url = up.signed_url(kept, content_type="image/png", expires=60)

    got = call("GET", url)
    part = call("GET", url, headers={"Range": "bytes=0-7"})
    download = call("GET", up.signed_url(kept, content_type="image/png", download_name="Round 1.png"))
    tampered = call("GET", url.replace("image%2Fpng", "text%2Fhtml"))
    unsigned = call("GET", url.split("?")[0])
    monkeypatch.setattr(front, "now", lambda: time.time() + 61)
    expired = call("GET", url)

    assert (got.status, got.headers["content-type"], got.body) == (200, "image/png", PNG)
    assert (part.status, part.body, part.headers["content-range"]) == (206, PNG[:8], f"bytes 0-7/{len(PNG)}")
    assert download.headers["content-disposition"].startswith('attachment; filename="Round 1.png"')
    assert (tampered.status, tampered.code) == (403, "SignatureDoesNotMatch")
    assert unsigned.status == 403
    assert (expired.status, expired.code) == (403, "AccessDenied")
    assert b"expired" in expired.body
    with pytest.raises(ValueError):
        up.signed_url(kept, content_type="text/html")  # never a creator's bytes as a page


# S3 failing ----------------------------------------------------------------------------------------


def _failing(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "InternalError", "Message": "boom"}}, operation)


@pytest.mark.parametrize(
    "failure",
    [_failing("HeadObject"), EndpointConnectionError(endpoint_url="https://s3.example")],
    ids=["s3-500", "unreachable"],
)
def test_s3_failing_gives_a_clear_retry_message_not_a_crash(
    up: Uploads, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    key = uploaded(up, JPEG)
    found = up.inspect(key, prefix=PREFIX, max_bytes=4096)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise failure

    for operation, call in (
        ("head_object", lambda: up.inspect(key, prefix=PREFIX, max_bytes=4096)),
        ("get_object", lambda: up.inspect(key, prefix=PREFIX, max_bytes=4096)),
        ("copy_object", lambda: up.attach(key, etag=found.etag)),
        ("delete_object", lambda: up.delete(key)),
    ):
        with monkeypatch.context() as m:
            m.setattr(up.client, operation, boom)
            with pytest.raises(UploadUnavailable) as unavailable:
                call()
        assert unavailable.value.status == 503
        assert (
            unavailable.value.message
            == "Uploads are not working right now. Please try again in a few minutes."
        )
        assert isinstance(unavailable.value, UploadRefused)  # a page that shows refusals shows this too
    assert stored() == {key: JPEG}  # nothing was decided, nothing lost

    with monkeypatch.context() as m:
        m.setattr(up.signer, "generate_presigned_post", boom)
        with pytest.raises(UploadUnavailable):
            up.upload_form(prefix=PREFIX, redirect_url=BACK, max_bytes=10)


def test_a_refused_file_whose_delete_fails_is_still_refused_with_its_reason(
    up: Uploads, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = uploaded(up, TEXT, "notes.jpg")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise _failing("DeleteObject")

    monkeypatch.setattr(up.client, "delete_object", boom)
    with pytest.raises(UploadRefused) as refused:
        up.inspect(key, prefix=PREFIX, max_bytes=4096)

    assert not isinstance(refused.value, UploadUnavailable)
    assert "not a photo or video" in refused.value.message  # the lifecycle rule removes it in a day


def test_copied_then_delete_failed_attach_can_be_retried(
    up: Uploads, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = uploaded(up, JPEG)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise _failing("DeleteObject")

    with monkeypatch.context() as m:
        m.setattr(up.client, "delete_object", boom)
        with pytest.raises(UploadUnavailable):
            up.attach(key)
    kept = up.attach(key)

    assert stored() == {kept: JPEG}


# Over the local stack ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_local_stack_takes_browser_uploads_as_s3_would() -> None:
    """The stack serves the front on its gateway: what a page's form posts there is checked,
    stored in the stack's S3 and read back through a signed URL."""
    stack = start_stack({"MAX_UPLOAD_BYTES": str(2 * 1024 * 1024)})  # as the browser tests start it
    try:
        assert any(f"{front.PATH}/{{bucket}}" in line for line in stack.output)
        moto = f"http://127.0.0.1:{stack.moto_port}"
        credentials = {
            "aws_access_key_id": "local",
            "aws_secret_access_key": "local",
            "region_name": "us-east-1",
        }
        s3 = boto3.client("s3", endpoint_url=moto, **credentials)  # type: ignore[call-overload]
        signer = boto3.client(
            "s3",
            endpoint_url=f"{stack.base_url}{front.PATH}",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
            **credentials,
        )  # type: ignore[call-overload]
        bucket = "roster-local-uploadsbucket"
        up = Uploads(bucket, client=s3, signer=signer)
        form = up.upload_form(
            prefix=PREFIX, redirect_url=f"{stack.base_url}/health", max_bytes=2 * 1024 * 1024
        )

        ok = post(form, JPEG, "trail.jpg")
        too_big = post(form, JPEG + bytes(2 * 1024 * 1024))
        forged = post(form, JPEG, key="incoming/elsewhere/${filename}")

        assert ok.status == 303, ok.body
        assert ok.headers["location"].startswith(f"{stack.base_url}/health?bucket={bucket}&key=incoming")
        assert (too_big.status, too_big.code) == (400, "EntityTooLarge")
        assert forged.status == 403
        key = form.key_prefix + "trail.jpg"
        found = up.inspect(key, prefix=PREFIX, max_bytes=2 * 1024 * 1024)
        assert found.content_type == "image/jpeg"
        got = call("GET", up.signed_url(up.attach(key, etag=found.etag), content_type="image/jpeg"))
        assert (got.status, got.headers["content-type"], got.body) == (200, "image/jpeg", JPEG)
        listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        assert [o["Key"] for o in listed] == ["drafts/" + key.removeprefix("incoming/")]
    finally:
        stack.stop()
