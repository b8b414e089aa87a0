"""Content drafts on the collaboration page over the real handlers (moto in-process, S3 included):
the upload form S3 is posted to, S3's redirect back (the file checked, attached once, refused and
deleted when it is too big, not an image or video, or another collaboration's), submit-content
carrying the files, and the brand API's signed URLs."""

from __future__ import annotations

import re
import threading
from html import unescape
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
import requests

from roster import ids
from roster.adapters import uploads as uploads_module
from roster.adapters.events import EventPublisher
from roster.adapters.workflows import Workflows
from roster.deps import deps, reset
from roster.models.collaborations import Collaboration
from roster.portal import drafts
from roster.workflows import collaborations, tasks
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot
from tests.integration.visitor import Visitor

BASE = "https://go.roster.test"
BUCKET = "roster-test-uploadsbucket"
TERMS = {
    "deliverables": [{"platform": "instagram", "format": "reel", "count": 1}],
    "posting_window_start": "2027-01-10",
    "posting_window_end": "2027-02-10",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(200)
REVIEW = ["approve-content", "request-changes", "cancel"]


class Recorder:
    """Step Functions as the tests see it: which step got which action."""

    def __init__(self) -> None:
        self.resumed: list[tuple[str, str]] = []

    def resume(self, token: str, output: dict[str, Any]) -> None:
        self.resumed.append((token, output["action"]))


@pytest.fixture
def world(brand_a: Client, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("LINK_BASE_URL", BASE)
    monkeypatch.setenv("UPLOADS_BUCKET", BUCKET)
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "4096")
    monkeypatch.setattr(drafts, "SETTLE_SECONDS", 0.0)  # no workflow runs here to wait for
    recorder = Recorder()
    monkeypatch.setattr(Workflows, "resume", lambda self, token, output: recorder.resume(token, output))
    monkeypatch.setattr(Workflows, "start", lambda self, arn, name, payload: f"{arn}:{name}")
    monkeypatch.setattr(Workflows, "stop", lambda self, arn, cause: None)
    monkeypatch.setattr(EventPublisher, "publish", lambda self, kind, detail: None)
    reset()
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "default_terms": TERMS})[
        1
    ]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    other = brand_a.call("POST", "/v1/creators", {"name": "Lena Park", "email": "lena@example.com"})[1]
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:"
    made = collaborations.start(
        deps(), brand_a.brand_id, campaign["id"], [creator["id"], other["id"]],
        collaboration_machine=arn + "c", campaign_machine=arn + "k",
    )  # fmt: skip
    mine = ids.collaboration_id(brand_a.brand_id, campaign["id"], creator["id"])
    theirs = next(c.id for c in made if c.id != mine)
    url = brand_a.call("GET", f"/v1/collaborations/{mine}")[1]["creator_url"]
    w = {
        "brand": brand_a.brand_id,
        "campaign": campaign,
        "id": mine,
        "other": theirs,
        "path": "/c/" + url.rpartition("/c/")[2],
        "wf": recorder,
        "client": brand_a,
    }
    wait(w, ["submit-content", "cancel"], "c1")
    return w


def wait(w: dict[str, Any], actions: list[str], token: str, stage: str = "content") -> None:
    tasks.run(
        deps(),
        {
            "brand_id": w["brand"],
            "collaboration_id": w["id"],
            "task": "wait",
            "stage": stage,
            "actions": actions,
            "token": token,
            "seconds": 600,
        },
    )


def record(w: dict[str, Any]) -> tuple[Collaboration, dict[str, Any]]:
    raw = deps().stores.collaborations.require_raw(w["brand"], w["id"])
    return Collaboration.model_validate(raw), raw


def s3() -> Any:
    return boto3.client("s3")


def keys(prefix: str = "") -> list[str]:
    listed = s3().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def upload_form(page: str) -> tuple[str, dict[str, str], str]:
    """The upload form on the page: where it posts, its hidden fields in order, and its tag."""
    found = re.search(
        r'<form method="post" action="([^"]+)" enctype="multipart/form-data"[^>]*>(.*?)</form>', page
    )
    assert found, page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found.group(2)))
    return unescape(found.group(1)), {k: unescape(v) for k, v in fields.items()}, found.group(0)


def uploaded(
    w: dict[str, Any], v: Visitor, name: str, data: bytes, *, prefix: str | None = None
) -> tuple[int, str, str]:
    """What S3 does with the page's form (its own checks are local/uploads.py's and S3's): the object
    stored under the form's key, then the browser sent to the redirect."""
    _, page = v.get(w["path"])
    _, fields, _ = upload_form(page)
    key = (prefix or fields["key"].removesuffix("${filename}")) + name
    s3().put_object(Bucket=BUCKET, Key=key, Body=data)
    status, out, text = v.request(
        "GET", f"{w['path']}/uploaded?" + urlencode({"bucket": BUCKET, "key": key, "etag": "x"})
    )
    return status, out.get("location", ""), text


def pending(w: dict[str, Any]) -> list[dict[str, Any]]:
    return list(record(w)[1].get("uploads") or [])


def test_the_upload_form_posts_straight_to_the_bucket_under_this_collaboration(world: dict[str, Any]) -> None:
    v = Visitor(world["client"].gateway)
    status, page = v.get(world["path"])
    assert status == 200
    action, fields, tag = upload_form(page)
    assert action == f"https://{BUCKET}.s3.us-east-1.amazonaws.com/"
    assert fields["key"].startswith(f"incoming/{world['brand']}/{world['id']}/") and fields["key"].endswith(
        "/${filename}"
    )
    assert fields["success_action_redirect"] == f"{BASE}{world['path']}/uploaded"
    assert {"policy", "x-amz-signature", "x-amz-credential", "x-amz-algorithm", "x-amz-date"} <= fields.keys()
    # S3 reads no field after the file: it is the last input; the page's script checks size and type
    assert tag.rfind('type="file"') > tag.rfind('type="hidden"')
    assert 'data-max-bytes="4096"' in tag and 'data-max-label="4 KB"' in tag
    assert (
        'accept="image/jpeg,image/png,image/webp,image/gif,image/heic,video/mp4,video/quicktime,video/webm"'
        in tag
    )
    csp = v.request("GET", world["path"])[1]["content-security-policy"]
    origin = f"https://{BUCKET}.s3.us-east-1.amazonaws.com"
    assert (
        f"form-action 'self' {origin}" in csp
        and f"img-src 'self' {origin}" in csp
        and f"media-src 'self' {origin}" in csp
    )


def test_an_upload_is_checked_moved_and_attached_once(world: dict[str, Any]) -> None:
    v = Visitor(world["client"].gateway)
    status, location, _ = uploaded(world, v, "look 1.png", PNG)
    assert status == 303 and location == f"{world['path']}?upload=ok#content"
    (entry,) = pending(world)
    assert entry["key"].startswith(f"drafts/{world['brand']}/{world['id']}/") and entry["key"].endswith(
        "/look 1.png"
    )
    assert (
        entry["content_type"] == "image/png" and entry["size"] == len(PNG) and entry["name"] == "look 1.png"
    )
    assert keys("incoming/") == [] and keys("drafts/") == [entry["key"]]
    # the same redirect again (a reload, the back button): nothing more
    incoming = "incoming/" + entry["key"].removeprefix("drafts/")
    again = v.request("GET", f"{world['path']}/uploaded?" + urlencode({"bucket": BUCKET, "key": incoming}))
    assert again[0] == 303 and again[1]["location"] == f"{world['path']}?upload=again#content"
    assert len(pending(world)) == 1
    status, page = v.get(f"{world['path']}?upload=ok")
    assert "Your file was uploaded." in page and 'alt="Draft file look 1.png"' in page
    assert f"https://{BUCKET}.s3.us-east-1.amazonaws.com/drafts/" in page and "X-Amz-Expires=900" in page


def test_the_same_redirect_twice_at_once_attaches_the_file_once(world: dict[str, Any]) -> None:
    v = Visitor(world["client"].gateway)
    _, page = v.get(world["path"])
    key = upload_form(page)[1]["key"].removesuffix("${filename}") + "twice.png"
    s3().put_object(Bucket=BUCKET, Key=key, Body=PNG)
    path = f"{world['path']}/uploaded?" + urlencode({"bucket": BUCKET, "key": key})
    barrier, answers = threading.Barrier(2), []

    def load() -> None:
        barrier.wait()
        answers.append(world["client"].gateway.handle("GET", path, {"accept": "text/html"}, b"")[0])

    threads = [threading.Thread(target=load) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [303, 303]
    assert len(pending(world)) == 1 and len(keys("drafts/")) == 1 and keys("incoming/") == []


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("big.png", PNG + bytes(5000), "That file is 5.1 KB; the largest you can upload is 4 KB."),
        ("notes.png", b"just some text, named like an image" * 4, "is not a photo or video we can take"),
    ],
)
def test_a_file_too_large_or_not_an_image_or_video_is_refused_and_deleted(
    world: dict[str, Any], name: str, data: bytes, says: str
) -> None:
    v = Visitor(world["client"].gateway)
    before = record(world)[0]
    status, _, page = uploaded(world, v, name, data)
    assert status == 422 and says in unescape(page) and "Nothing was added to your draft." in page
    assert 'href="' + world["path"] + '#content"' in page
    assert keys() == [] and pending(world) == [] and record(world)[0] == before


def test_a_key_of_another_collaboration_is_refused_and_left_alone(world: dict[str, Any]) -> None:
    v = Visitor(world["client"].gateway)
    theirs = f"incoming/{world['brand']}/{world['other']}/01JTHEIRS/"
    status, _, page = uploaded(world, v, "theirs.png", PNG, prefix=theirs)
    assert status == 400 and "does not belong to this page" in page
    assert keys() == [theirs + "theirs.png"] and pending(world) == []  # not this page's to delete
    for forged in ("drafts/x.png", f"incoming/{world['brand']}/{world['id']}", ""):
        status, _, _ = v.request("GET", f"{world['path']}/uploaded?" + urlencode({"key": forged}))
        assert status == 400
    assert pending(world) == []


def test_uploads_are_refused_once_the_step_takes_no_draft(world: dict[str, Any]) -> None:
    v = Visitor(world["client"].gateway)
    _, page = v.get(world["path"])
    key = upload_form(page)[1]["key"].removesuffix("${filename}") + "late.png"
    wait(world, REVIEW, "r1")  # the step moved on while the file was on its way
    s3().put_object(Bucket=BUCKET, Key=key, Body=PNG)
    status, _, text = v.request("GET", f"{world['path']}/uploaded?" + urlencode({"key": key}))
    assert status == 409 and "Drafts cannot be added now" in text
    assert keys() == [] and pending(world) == []


def test_s3_failing_is_a_clear_page_and_attaches_nothing(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    v = Visitor(world["client"].gateway)
    _, page = v.get(world["path"])
    key = upload_form(page)[1]["key"].removesuffix("${filename}") + "a.png"
    s3().put_object(Bucket=BUCKET, Key=key, Body=PNG)

    def down(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise uploads_module.UploadUnavailable()

    monkeypatch.setattr(uploads_module.Uploads, "attach", down)
    status, _, text = v.request("GET", f"{world['path']}/uploaded?" + urlencode({"key": key}))
    assert status == 503 and "Uploads are not working right now" in text and pending(world) == []


def test_submit_content_carries_the_uploaded_files_into_the_proposal(world: dict[str, Any]) -> None:
    v = Visitor(world["client"].gateway)
    uploaded(world, v, "one.png", PNG)
    uploaded(world, v, "two.mp4", MP4)
    v.get(world["path"])
    token = v.csrf()
    before = table_snapshot()
    assert v.post(f"{world['path']}/submit-content", {"text": "Draft caption #ad"}, csrf=False)[0] == 403
    assert v.post(f"{world['path']}/submit-content", {"text": "x", "csrf": "forged"}, csrf=False)[0] == 403
    status, _, page = v.post(f"{world['path']}/submit-content", {"text": "   ", "csrf": token}, csrf=False)
    assert status == 422 and "Write the caption you propose" in page and "still there" in page
    assert table_snapshot() == before
    fields = {"text": "Draft caption #ad", "note": "Cut 1", "csrf": token}
    status, out, _ = v.post(f"{world['path']}/submit-content", fields, csrf=False)
    assert status == 303 and out["location"] == f"{world['path']}?done=submit-content"
    c, raw = record(world)
    (p,) = c.proposals
    assert p.round == 1 and p.text == "Draft caption #ad" and p.note == "Cut 1"
    assert [(m.name, m.content_type) for m in p.media] == [("one.png", "image/png"), ("two.mp4", "video/mp4")]
    assert raw["uploads"] == [] and world["wf"].resumed == [("c1", "submit-content")]
    assert c.timeline[-1].detail["media"] == 2
    # again (a second tab): the step moved on, nothing changes
    status, _, page = v.post(f"{world['path']}/submit-content", {"text": "again", "csrf": token}, csrf=False)
    assert status == 409 and "Nothing was submitted" in page
    assert len(record(world)[0].proposals) == 1


def test_a_pending_file_can_be_removed(world: dict[str, Any]) -> None:
    v = Visitor(world["client"].gateway)
    uploaded(world, v, "one.png", PNG)
    (entry,) = pending(world)
    v.get(world["path"])
    assert 'aria-label="Remove one.png"' in v.last
    token = v.csrf()
    assert v.post(f"{world['path']}/remove-upload", {"key": entry["key"]}, csrf=False)[0] == 403
    assert pending(world) != []
    status, out, _ = v.post(
        f"{world['path']}/remove-upload", {"key": entry["key"], "csrf": token}, csrf=False
    )
    assert status == 303 and out["location"].endswith("?upload=removed#content")
    assert pending(world) == [] and keys() == []
    status, out, _ = v.post(
        f"{world['path']}/remove-upload", {"key": entry["key"], "csrf": token}, csrf=False
    )
    assert status == 303 and out["location"].endswith("?upload=gone#content")


def test_a_file_uploaded_while_the_draft_is_submitted_is_in_the_proposal_or_refused(
    world: dict[str, Any],
) -> None:
    """Real threads: the upload's attach and the submit race on the record; the file never ends both
    pending and in the proposal, nor in neither while kept."""
    v = Visitor(world["client"].gateway)
    _, page = v.get(world["path"])
    token = v.csrf()
    key = upload_form(page)[1]["key"].removesuffix("${filename}") + "race.png"
    s3().put_object(Bucket=BUCKET, Key=key, Body=PNG)
    cookie = "; ".join(f"{k}={val}" for k, val in v.cookies.items())
    barrier, answers = threading.Barrier(2), {}

    def upload() -> None:
        barrier.wait()
        path = f"{world['path']}/uploaded?" + urlencode({"key": key})
        answers["upload"] = world["client"].gateway.handle("GET", path, {"accept": "text/html"}, b"")[0]

    def submit() -> None:
        barrier.wait()
        body = urlencode({"csrf": token, "text": "caption"}).encode()
        headers = {"content-type": "application/x-www-form-urlencoded", "cookie": cookie}
        answers["submit"] = world["client"].gateway.handle(
            "POST", f"{world['path']}/submit-content", headers, body
        )[0]

    threads = [threading.Thread(target=upload), threading.Thread(target=submit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    c, raw = record(world)
    assert answers["submit"] == 303
    in_proposal = [m.key for m in c.proposals[0].media]
    if answers["upload"] == 303:
        assert len(in_proposal) == 1 and raw["uploads"] == [] and keys() == in_proposal
    else:
        assert answers["upload"] == 409 and in_proposal == [] and raw["uploads"] == [] and keys() == []


def test_rounds_show_the_brands_comments_and_the_api_signs_the_files(
    world: dict[str, Any], brand_b: Client
) -> None:
    v = Visitor(world["client"].gateway)
    uploaded(world, v, "one.png", PNG)
    v.get(world["path"])
    v.post(f"{world['path']}/submit-content", {"text": "Round one caption"})
    wait(world, REVIEW, "r1")
    brand = world["client"]
    status, shown = brand.call("GET", f"/v1/collaborations/{world['id']}")
    assert status == 200
    (m,) = shown["proposals"][0]["media"]
    assert m["name"] == "one.png" and m["content_type"] == "image/png" and m["size"] == len(PNG)
    assert (
        m["url"].startswith(f"https://{BUCKET}.s3.us-east-1.amazonaws.com/drafts/")
        and "X-Amz-Expires=900" in m["url"]
    )
    got = requests.get(m["url"], timeout=5)  # moto answers the signed URL in-process
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    assert brand_b.call("GET", f"/v1/collaborations/{world['id']}")[0] == 404  # another brand sees nothing
    assert deps().stores.collaborations.get(brand_b.brand_id, world["id"]) is None
    stored = record(world)[1]["proposals"][0]["media"][0]
    assert stored.get("url") is None  # the record never keeps a signed URL

    brand.call(
        "POST", f"/v1/collaborations/{world['id']}/actions/request-changes", {"comments": "Show the sole."}
    )
    wait(world, ["submit-content", "cancel"], "c2")
    _, page = v.get(world["path"])
    assert "The brand asked for changes to round 1" in page and "Show the sole." in page
    assert "Changes requested" in page and "Your draft for round 2" in page and "2 rounds left" in page
    uploaded(world, v, "two.png", PNG)
    v.get(world["path"])
    v.post(f"{world['path']}/submit-content", {"text": "Round two caption"})
    wait(world, REVIEW, "r2")
    brand.call("POST", f"/v1/collaborations/{world['id']}/actions/approve-content", {})
    wait(world, ["submit-post"], "p1", stage="live")
    _, page = v.get(world["path"])
    assert "Approved" in page and "submit the live post" in page
    c = record(world)[0]
    assert [len(p.media) for p in c.proposals] == [1, 1] and c.proposals[0].comments == "Show the sole."


def test_the_json_path_still_takes_links(world: dict[str, Any]) -> None:
    headers = {"content-type": "application/json", "accept": "application/json"}
    body = b'{"text": "from a script", "media_urls": ["https://cdn.example.com/a.jpg"]}'
    status, _, out = world["client"].gateway.handle("POST", f"{world['path']}/submit-content", headers, body)
    assert status == 200 and b'"stage"' in out
    (p,) = record(world)[0].proposals
    assert p.media_urls == ["https://cdn.example.com/a.jpg"] and p.media == []
    status, _, out = world["client"].gateway.handle("POST", f"{world['path']}/submit-content", headers, b"{}")
    assert status == 409  # the step moved on (a missing caption is 422: see above)
