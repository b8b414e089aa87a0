"""Outreach end to end in-process: the API starts a sequence, the real send worker drains moto's
queue and sends through moto's SESv2, real-shaped SES events and replies stop sequences."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path
from typing import Any

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from roster import ids
from roster.adapters.events import EventPublisher
from roster.deps import deps, reset
from roster.outreach import mail, sequences
from tests.integration.conftest import CAMPAIGN, Client, Worker, fakes, table_snapshot

EVENTS = Path(__file__).parents[1] / "events"
KEY = "test-outreach-signing-key-0123456789"
SENDER = {
    "from_email": "team@mail.roster.example",
    "from_name": "Peak Gear Partnerships",
    "postal_address": "Peak Gear Inc., 12 Ridge Road, Boulder, CO 80302, USA",
    "signature": "Jo at Peak Gear",
}
FIRST = {
    "name": "First touch",
    "subject": "{{ brand.name }} x {{ creator.first_name }}",
    "html": "<p>Hi {{ creator.first_name }}, loved your trail reels!</p><p>{{ offer }}</p>",
    "text": "Hi {{ creator.first_name }}, loved your trail reels!\n{{ offer }}\n{{ signature }}",
}
NUDGE = {
    "name": "Nudge",
    "subject": "Re: {{ brand.name }} x {{ creator.first_name }}",
    "html": "<p>Just checking in, {{ creator.first_name }}.</p>",
    "text": "Just checking in, {{ creator.first_name }}.",
}


def sent() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


@pytest.fixture
def setup(brand_a: Client, monkeypatch: pytest.MonkeyPatch, published: list[Any]) -> dict[str, Any]:
    monkeypatch.setenv("LINK_BASE_URL", "https://go.roster.test")
    reset()
    assert brand_a.call("PUT", "/v1/outreach/settings", SENDER)[0] == 200
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    first = brand_a.call("POST", "/v1/email-templates", FIRST)[1]
    nudge = brand_a.call("POST", "/v1/email-templates", NUDGE)[1]
    people = {}
    for name, email_address in (
        ("Maya Lopez", "maya@example.com"),
        ("Lena Park", "lena@example.com"),
        ("Sam Ortiz", "sam@example.com"),
    ):
        people[name.split()[0].lower()] = brand_a.call(
            "POST", "/v1/creators", {"name": name, "email": email_address, "tags": ["trail"]}
        )[1]
    return {"campaign": campaign, "first": first, "nudge": nudge, **people}


def start(a: Client, s: dict[str, Any], who: list[str], *, delay: float = 0) -> dict[str, Any]:
    body = {
        "steps": [{"template_id": s["first"]["id"]}, {"template_id": s["nudge"]["id"], "delay_days": delay}],
        "audience": {"creator_ids": [s[w]["id"] for w in who]},
        "offer": "A pair of Ember boots & a $500 fee",
    }
    status, sequence = a.call("POST", f"/v1/campaigns/{s['campaign']['id']}/outreach", body)
    assert status == 202, sequence
    return dict(sequence)


def send_all() -> int:
    return Worker("OutreachSendFunction").drain()


def follow_ups() -> int:
    queued = sequences.dispatch_due(deps())
    send_all()
    return queued


def enrollment(a: Client, s: dict[str, Any], who: str) -> dict[str, Any]:
    pipeline = a.call("GET", f"/v1/campaigns/{s['campaign']['id']}/outreach")[1]
    return next(e for e in pipeline["creators"] if e["creator_id"] == s[who]["id"])


def ses_event(name: str, a: Client, message_id: str, s: dict[str, Any], who: str) -> dict[str, Any]:
    raw = (EVENTS / name).read_text()
    for k, v in {
        "brand": a.brand_id,
        "campaign": s["campaign"]["id"],
        "creator": s[who]["id"],
        "message": message_id,
    }.items():
        raw = raw.replace("{{" + k + "}}", v)
    return dict(json.loads(raw))


def apply(event: dict[str, Any]) -> str:
    return sequences.apply_ses_event(fakes(events=EventPublisher.__new__(EventPublisher)), event["detail"])


def messages(a: Client, s: dict[str, Any], who: str | None = None) -> list[dict[str, Any]]:
    query = {"creator_id": s[who]["id"]} if who else None
    return list(
        a.call("GET", f"/v1/campaigns/{s['campaign']['id']}/outreach/messages", query=query)[1]["items"]
    )


def test_personalized_sequence_with_compliant_headers(brand_a: Client, setup: dict[str, Any]) -> None:
    sequence = start(brand_a, setup, ["maya", "lena", "sam"])
    assert (sequence["targeted"], sequence["enrolled"], sequence["skipped"]) == (3, 3, [])
    assert send_all() == 3
    raws = {m.destinations[0]: m.raw_data for m in sent()}
    msg = email.message_from_string(raws["maya@example.com"], policy=policy.default)
    assert (
        msg["Subject"] == "Brand A x Maya"
        and msg["From"] == "Peak Gear Partnerships <team@mail.roster.example>"
    )
    assert mail.reply_message_id(KEY, str(msg["Reply-To"])) is not None
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe, mailto = [p.strip(" <>") for p in str(msg["List-Unsubscribe"]).split(",")]
    assert unsubscribe.startswith("https://go.roster.test/u/") and mailto.startswith("mailto:unsubscribe+")
    text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Hi Maya, loved your trail reels!" in text and "Jo at Peak Gear" in text
    assert "A pair of Ember boots &amp; a $500 fee" in html
    assert "12 Ridge Road, Boulder" in text and "12 Ridge Road, Boulder" in html  # postal address footer
    maya = messages(brand_a, setup, "maya")
    assert [(m["step"], m["status"]) for m in maya] == [(0, "sent")] and maya[0]["ses_message_id"]
    assert "maya@example.com" not in json.dumps(maya)  # the address is kept hashed on messages

    # Follow-ups go out when due, once.
    assert follow_ups() == 3 and len(sent()) == 6
    assert follow_ups() == 0 and len(sent()) == 6
    assert enrollment(brand_a, setup, "maya")["status"] == "completed"


def test_follow_up_waits_for_its_delay(brand_a: Client, setup: dict[str, Any]) -> None:
    start(brand_a, setup, ["maya"], delay=3)
    send_all()
    assert follow_ups() == 0 and len(sent()) == 1
    assert enrollment(brand_a, setup, "maya")["next_send_at"] > "2026"


def reply_email(to: str, body: str) -> bytes:
    return (
        f"From: Maya Lopez <maya@example.com>\r\nTo: {to}\r\nSubject: Re: Brand A x Maya\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n\r\nOn Fri, Nov 20, 2026 at 10:00 AM Peak Gear Partnerships <team@mail.roster.example> wrote:\r\n"
        "> Hi Maya, loved your trail reels!\r\n"
    ).encode()


@pytest.mark.parametrize(
    "reason", ["replied", "accepted", "declined", "unsubscribed", "bounced", "complained"]
)
def test_each_stop_reason_ends_the_sequence(
    brand_a: Client, setup: dict[str, Any], reason: str, published: list[Any]
) -> None:
    start(brand_a, setup, ["maya", "lena"])
    send_all()
    maya_message = messages(brand_a, setup, "maya")[0]
    if reason == "replied":
        raw = email.message_from_string(
            next(m.raw_data for m in sent() if m.destinations[0] == "maya@example.com")
        )
        inbound = reply_email(str(raw["Reply-To"]), "Love it! Count me in.\r\n\r\n-- \r\nMaya")
        assert (
            sequences.handle_inbound(fakes(events=EventPublisher.__new__(EventPublisher)), inbound)
            == "replied"
        )
    elif reason in ("accepted", "declined"):
        path = f"/v1/campaigns/{setup['campaign']['id']}/outreach/{setup['maya']['id']}/stop"
        assert brand_a.call("POST", path, {"reason": reason})[0] == 200
    elif reason == "unsubscribed":
        token = mail.unsubscribe_token(KEY, brand_a.brand_id, setup["maya"]["id"])
        status, _, page = brand_a.gateway.handle(
            "POST",
            f"/u/{token}",
            {"content-type": "application/x-www-form-urlencoded"},
            b"List-Unsubscribe=One-Click",
        )
        assert status == 200 and b"unsubscribed" in page
    else:
        fixture = "ses_bounce_permanent.json" if reason == "bounced" else "ses_complaint.json"
        assert apply(ses_event(fixture, brand_a, maya_message["id"], setup, "maya")) in (
            "Bounce",
            "Complaint",
        )
    follow_ups()
    maya = enrollment(brand_a, setup, "maya")
    assert (maya["status"], maya["stop_reason"], maya[reason]) == ("stopped", reason, True)
    assert [m["step"] for m in messages(brand_a, setup, "maya")] == [0]  # no follow-up
    assert [m["step"] for m in messages(brand_a, setup, "lena")] == [0, 1]  # the others go on
    if reason == "replied":
        assert maya["reply_excerpt"] == "Love it! Count me in."
    assert any(kind == f"outreach.{reason}" for kind, _ in published)


def test_suppressed_after_hard_bounce_or_complaint_never_emailed_again(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    start(brand_a, setup, ["maya", "lena", "sam"])
    send_all()
    by = {m["creator_id"]: m["id"] for m in messages(brand_a, setup)}
    apply(ses_event("ses_bounce_permanent.json", brand_a, by[setup["maya"]["id"]], setup, "maya"))
    apply(ses_event("ses_complaint.json", brand_a, by[setup["lena"]["id"]], setup, "lena"))
    apply(ses_event("ses_bounce_transient.json", brand_a, by[setup["sam"]["id"]], setup, "sam"))
    again = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"name": "Second", "status": "active"})[1]
    setup2 = setup | {"campaign": again}
    sequence = start(brand_a, setup2, ["maya", "lena", "sam"])
    assert {s["creator_id"]: s["reason"] for s in sequence["skipped"]} == {
        setup["maya"]["id"]: "suppressed: bounce",
        setup["lena"]["id"]: "suppressed: complaint",
    }
    assert sequence["enrolled"] == 1  # a transient bounce is recorded, not suppressed
    events = messages(brand_a, setup, "sam")[0]["events"]
    assert events[0]["type"] == "Bounce" and events[0]["detail"] == "Transient/MailboxFull"


def test_unsubscribe_between_enrolment_and_send_is_honoured(brand_a: Client, setup: dict[str, Any]) -> None:
    start(brand_a, setup, ["maya"])
    token = mail.unsubscribe_token(KEY, brand_a.brand_id, setup["maya"]["id"])
    status, headers, page = brand_a.gateway.handle("GET", f"/u/{token}", {}, b"")
    assert status == 200 and b'<form method="post"' in page  # GET only asks
    assert enrollment(brand_a, setup, "maya")["status"] == "active"
    assert brand_a.gateway.handle("POST", f"/u/{token}", {}, b"List-Unsubscribe=One-Click")[0] == 200
    send_all()
    assert sent() == []
    assert enrollment(brand_a, setup, "maya")["stop_reason"] == "unsubscribed"


def test_suppression_is_checked_at_send_time(brand_a: Client, setup: dict[str, Any]) -> None:
    start(brand_a, setup, ["maya"])
    # Suppressed after enrolment by something other than this sequence (say a complaint elsewhere).
    deps().stores.outreach.suppress(brand_a.brand_id, ids.email_hash("maya@example.com"), "complaint")
    send_all()
    assert sent() == []
    (message,) = messages(brand_a, setup, "maya")
    assert (message["status"], message["reason"]) == ("refused", "suppressed: complaint")
    assert enrollment(brand_a, setup, "maya")["stop_reason"] == "complained"


def test_bad_unsubscribe_tokens_are_a_404_page(brand_a: Client, setup: dict[str, Any]) -> None:
    good = mail.unsubscribe_token(KEY, brand_a.brand_id, setup["maya"]["id"])
    forged = mail.unsubscribe_token("another-key-0123456789abcdef", brand_a.brand_id, setup["maya"]["id"])
    before = table_snapshot()
    for token in (good[:-2] + "xx", forged, "nonsense", "a.b.c"):
        status, _, page = brand_a.gateway.handle("POST", f"/u/{token}", {}, b"List-Unsubscribe=One-Click")
        assert status == 404 and b"not valid" in page
    assert table_snapshot() == before


def test_role_addresses_and_missing_fields_never_get_mail(brand_a: Client, setup: dict[str, Any]) -> None:
    bot = brand_a.call("POST", "/v1/creators", {"name": "Shop Bot", "email": "noreply@shop.example"})[1]
    sequence = start(brand_a, setup | {"bot": bot}, ["bot", "maya"])
    assert sequence["skipped"] == [
        {"creator_id": bot["id"], "reason": "role address (noreply@) is not a person"}
    ]
    link_template = brand_a.call("POST", "/v1/email-templates", FIRST | {"text": "Your link: {{ link }}"})[1]
    body = {
        "steps": [{"template_id": link_template["id"]}],
        "audience": {"creator_ids": [setup["lena"]["id"]]},
        "offer": "boots",
    }
    brand_a.call("POST", f"/v1/campaigns/{setup['campaign']['id']}/outreach", body)
    send_all()
    assert [m.destinations[0] for m in sent()] == ["maya@example.com"]
    (lena,) = messages(brand_a, setup, "lena")
    assert lena["status"] == "refused" and "'link' is undefined" in lena["reason"]


def test_funnel_counts_and_drill_down(brand_a: Client, setup: dict[str, Any]) -> None:
    start(brand_a, setup, ["maya", "lena", "sam"])
    send_all()
    by = {m["creator_id"]: m["id"] for m in messages(brand_a, setup)}
    for who in ("maya", "lena", "sam"):
        apply(ses_event("ses_delivery.json", brand_a, by[setup[who]["id"]], setup, who))
    apply(ses_event("ses_open.json", brand_a, by[setup["maya"]["id"]], setup, "maya"))
    apply(ses_event("ses_click.json", brand_a, by[setup["maya"]["id"]], setup, "maya"))
    apply(ses_event("ses_delivery_delay.json", brand_a, by[setup["lena"]["id"]], setup, "lena"))
    brand_a.call(
        "POST",
        f"/v1/campaigns/{setup['campaign']['id']}/outreach/{setup['maya']['id']}/stop",
        {"reason": "accepted"},
    )
    brand_a.call(
        "POST",
        f"/v1/campaigns/{setup['campaign']['id']}/outreach/{setup['sam']['id']}/stop",
        {"reason": "declined"},
    )
    funnel = brand_a.call("GET", f"/v1/campaigns/{setup['campaign']['id']}/outreach")[1]["funnel"]
    assert funnel == {
        "targeted": 3,
        "sent": 3,
        "delivered": 3,
        "opened": 1,
        "clicked": 1,
        "replied": 0,
        "accepted": 1,
        "declined": 1,
        "bounced": 0,
        "unsubscribed": 0,
        "complained": 0,
    }
    (maya,) = messages(brand_a, setup, "maya")
    assert maya["status"] == "delivered" and [e["type"] for e in maya["events"]] == [
        "Delivery",
        "Open",
        "Click",
    ]


def test_events_for_unknown_messages_are_ignored(brand_a: Client, setup: dict[str, Any]) -> None:
    before = table_snapshot()
    event = ses_event("ses_delivery.json", brand_a, "01JNOSUCHMESSAGE0000000000", setup, "maya")
    assert apply(event) == "unknown"
    assert apply({"detail": {}}) == "unknown"
    assert table_snapshot() == before


def test_sender_must_be_verified_and_outreach_needs_one(brand_a: Client, brand_b: Client) -> None:
    before = table_snapshot()
    status, body = brand_b.call(
        "PUT", "/v1/outreach/settings", SENDER | {"from_email": "me@unverified.example"}
    )
    assert status == 422 and "not on an SES identity" in body["error"]["message"]
    assert [d["field"] for d in body["error"]["details"]] == ["from_email"]  # shown next to the field
    assert table_snapshot() == before
    campaign = brand_b.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    template = brand_b.call("POST", "/v1/email-templates", FIRST)[1]
    body = {"steps": [{"template_id": template["id"]}], "audience": {"tag": "trail"}}
    status, err = brand_b.call("POST", f"/v1/campaigns/{campaign['id']}/outreach", body)
    assert status == 409 and "PUT /v1/outreach/settings" in err["error"]["message"]


def test_audience_by_filter(brand_a: Client, setup: dict[str, Any]) -> None:
    brand_a.call("POST", "/v1/creators", {"name": "Other", "email": "other@example.com", "tags": ["yoga"]})
    body = {"steps": [{"template_id": setup["first"]["id"]}], "audience": {"tag": "trail"}}
    status, sequence = brand_a.call("POST", f"/v1/campaigns/{setup['campaign']['id']}/outreach", body)
    assert status == 202 and sequence["enrolled"] == 3
    again = brand_a.call("POST", f"/v1/campaigns/{setup['campaign']['id']}/outreach", body)[1]
    assert again["enrolled"] == 0 and {s["reason"] for s in again["skipped"]} == {
        "already in this campaign's outreach"
    }
    bad = {
        "steps": [{"template_id": setup["first"]["id"]}],
        "audience": {"tag": "trail", "creator_ids": ["x"]},
    }
    assert brand_a.call("POST", f"/v1/campaigns/{setup['campaign']['id']}/outreach", bad)[0] == 422


def _function(logical_id: str) -> Any:
    from local import template as tpl
    from local.lambdas import load_handler
    from tests.integration.conftest import NAMES

    t = tpl.load()
    (spec,) = [s for s in tpl.functions(t, NAMES, tpl.parameters(t)) if s.logical_id == logical_id]
    return load_handler(spec)


def test_deployed_handlers_for_ses_events_and_inbound_mail(
    brand_a: Client, setup: dict[str, Any], lambda_context: Any
) -> None:
    """The EventBridge-triggered and S3-triggered functions, with the envelopes AWS sends."""
    import boto3

    from tests.integration.conftest import NAMES

    start(brand_a, setup, ["maya"])
    send_all()
    (message,) = messages(brand_a, setup, "maya")
    envelope = ses_event("ses_delivery.json", brand_a, message["id"], setup, "maya")
    assert _function("OutreachEventsFunction")(envelope, lambda_context) == {"applied": "Delivery"}

    raw = email.message_from_string(sent()[0].raw_data)
    bucket = NAMES.physical("InboundMailBucket")
    key = "inbound/0a1b2c3d4e5f+reply"
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=reply_email(str(raw["Reply-To"]), "Yes!"))
    s3_event = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": bucket}, "object": {"key": key.replace("+", "%2B"), "size": 400}},
            }
        ]
    }
    assert _function("OutreachInboundFunction")(s3_event, lambda_context) == {"outcomes": ["replied"]}
    maya = enrollment(brand_a, setup, "maya")
    assert (maya["stop_reason"], maya["reply_excerpt"], maya["delivered"]) == ("replied", "Yes!", True)


def test_an_upper_cased_unsubscribe_mailto_still_unsubscribes(brand_a: Client, setup: dict[str, Any]) -> None:
    start(brand_a, setup, ["maya"])
    send_all()
    raw = email.message_from_string(sent()[0].raw_data, policy=policy.default)
    mailto = str(raw["List-Unsubscribe"]).split("mailto:")[1].split("?")[0]
    inbound = reply_email(mailto.upper(), "unsubscribe")
    assert (
        sequences.handle_inbound(fakes(events=EventPublisher.__new__(EventPublisher)), inbound)
        == "unsubscribed"
    )


def test_preview_is_the_message_the_send_worker_sends(brand_a: Client, setup: dict[str, Any]) -> None:
    """The same builder for both: the preview's subject, parts and headers are the bytes moto's
    SESv2 received, but for the per-message reply token (Reply-To and the mailto unsubscribe)."""
    campaign_id, maya = setup["campaign"]["id"], setup["maya"]["id"]
    link = brand_a.call(
        "POST",
        "/v1/links",
        {"campaign_id": campaign_id, "creator_id": maya, "destination": "https://shop.example.com/x"},
    )[1]
    brand_a.call(
        "POST", "/v1/promo-codes", {"campaign_id": campaign_id, "creator_id": maya, "code": "MAYA10"}
    )
    template = brand_a.call(
        "POST",
        "/v1/email-templates",
        {
            "name": "Code and link",
            "subject": "{{ campaign.name }}: {{ creator.first_name }}",
            "html": '<p>{{ offer }}</p><p>Code {{ promo_code }}: <a href="{{ link }}">shop</a></p>{{ signature }}',
            "text": "{{ offer }}\nCode {{ promo_code }}: {{ link }}\n{{ signature }}",
        },
    )[1]
    offer = "A pair of Ember boots & a $500 fee"
    status, preview = brand_a.call(
        "POST",
        f"/v1/email-templates/{template['id']}/preview",
        {"creator_id": maya, "campaign_id": campaign_id, "offer": offer},
    )
    assert status == 200 and preview["samples"] == ["reply_to"], preview
    body = {"steps": [{"template_id": template["id"]}], "audience": {"creator_ids": [maya]}, "offer": offer}
    assert brand_a.call("POST", f"/v1/campaigns/{campaign_id}/outreach", body)[0] == 202
    assert send_all() == 1
    (message,) = sent()
    actual = mail.read(message.raw_data.encode())
    assert (preview["subject"], preview["text"], preview["html"]) == (
        actual.headers["Subject"],
        actual.text,
        actual.html,
    )
    assert f"Code MAYA10: {link['url']}\nJo at Peak Gear\n" in actual.text
    assert "https://go.roster.test/u/" in actual.text  # the deployment's link base, as in the preview

    def without_reply_token(headers: dict[str, str]) -> dict[str, str]:
        return {k: v.split(", <mailto:")[0] for k, v in headers.items() if k != "Reply-To"}

    assert without_reply_token(preview["headers"]) == without_reply_token(actual.headers)
    assert preview["headers"]["Reply-To"] != actual.headers["Reply-To"]  # each message has its own
