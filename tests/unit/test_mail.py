from __future__ import annotations

from email import message_from_bytes, policy
from typing import Any

import pytest
from botocore.exceptions import ClientError

from roster.adapters.mailer import Mailer, Pacer, Rejected, Throttled
from roster.outreach import mail

KEY = "unit-test-signing-key-0123456789"
MID = "01JD2X7Q9R8S7T6V5W4X3Y2Z1A"


def test_reply_addresses_are_signed_short_and_case_proof() -> None:
    address = mail.reply_address(KEY, MID, "mail.roster.example")
    local = address.split("@")[0]
    assert len(local) <= 64 and local == local.lower()
    assert mail.reply_message_id(KEY, address) == MID
    assert mail.reply_message_id(KEY, address.upper()) == MID  # a server upper-cased it
    assert mail.reply_message_id("another-key-0123456789abcdef", address) is None
    tampered = address.replace(MID.lower()[:4], "0000", 1)
    assert mail.reply_message_id(KEY, tampered) is None
    assert mail.reply_message_id(KEY, "maya@example.com") is None


def test_unsubscribe_tokens_round_trip_and_refuse_forgery() -> None:
    token = mail.unsubscribe_token(KEY, "BRAND1", "CREATOR1")
    assert mail.read_unsubscribe_token(KEY, token) == ("BRAND1", "CREATOR1")
    other = mail.unsubscribe_token(KEY, "BRAND2", "CREATOR1")
    forged = other.split(".")[0] + "." + token.split(".")[1]  # B's payload with A's signature
    for bad in (forged, token[:-1], "x", "", "a.b", mail.unsubscribe_token("k" * 20, "BRAND1", "CREATOR1")):
        assert mail.read_unsubscribe_token(KEY, bad) is None


@pytest.mark.parametrize(
    ("address", "role"),
    [
        ("noreply@brand.example", True),
        ("No-Reply@brand.example", True),
        ("postmaster@x.example", True),
        ("mailer-daemon@x.example", True),
        ("noreply+tag@x.example", True),
        ("hello@maya.example", False),
        ("info@maya.example", False),
        ("maya@example.com", False),
    ],
)
def test_role_addresses(address: str, role: bool) -> None:
    assert mail.role_address(address) is role


def test_message_has_one_click_unsubscribe_reply_to_and_footer() -> None:
    raw = mail.build(
        from_name="Peak Gear",
        from_email="team@mail.roster.example",
        to="maya@example.com",
        subject="Hello Maya",
        html="<p>Hi</p>",
        text="Hi",
        reply_to="reply+abc@mail.roster.example",
        unsubscribe_url="https://api.example/u/tok",
        unsubscribe_mailto="unsubscribe+abc@mail.roster.example",
        postal_address="1 Ridge Rd, <Boulder>",
    )
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["List-Unsubscribe"] == (
        "<https://api.example/u/tok>, <mailto:unsubscribe+abc@mail.roster.example?subject=unsubscribe>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Reply-To"] == "reply+abc@mail.roster.example"
    assert msg.get_content_type() == "multipart/alternative"
    html = msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "1 Ridge Rd, &lt;Boulder&gt;" in html and 'href="https://api.example/u/tok"' in html


def test_a_built_message_reads_back_as_its_parts_and_shown_headers() -> None:
    raw = mail.build(
        from_name="Peak Gear",
        from_email="team@mail.roster.example",
        to="maya@example.com",
        subject="Hello Maya",
        html="<p>Hi</p>",
        text="Hi\nthere",
        reply_to="reply+abc@mail.roster.example",
        unsubscribe_url="https://api.example/u/tok",
        unsubscribe_mailto="unsubscribe+abc@mail.roster.example",
        postal_address="1 Ridge Rd",
    )
    parts = mail.read(raw)
    # LF, not SMTP's CRLF: the text as the template wrote it, then the footer.
    assert parts.text == "Hi\nthere\n\n--\n1 Ridge Rd\nUnsubscribe: https://api.example/u/tok\n"
    assert parts.html.startswith("<p>Hi</p><hr>") and 'href="https://api.example/u/tok"' in parts.html
    assert list(parts.headers) == list(mail.SHOWN_HEADERS)
    assert parts.headers["From"] == "Peak Gear <team@mail.roster.example>"


REPLIES = [
    (
        "Sounds great, I'm in!\n\nOn Fri, Nov 20, 2026 at 10:00 AM Jo <jo@x.example> wrote:\n> Hi Maya",
        "Sounds great, I'm in!",
    ),
    (
        "Yes please\n\nOn Fri, Nov 20, 2026 at 10:00 AM Peak Gear Partnerships\n<team@mail.roster.example> wrote:\n> hi",
        "Yes please",
    ),
    ("Not this time, thanks.\n-- \nMaya Lopez\nTrail runner", "Not this time, thanks."),
    ("Call me?\n\nSent from my iPhone", "Call me?"),
    ("Sure.\n-----Original Message-----\nFrom: Jo", "Sure."),
    ("> quoted first\nMy answer\n> more quote", "My answer"),
]


@pytest.mark.parametrize(("body", "expected"), REPLIES)
def test_reply_excerpt_trims_quotes_and_signatures(body: str, expected: str) -> None:
    assert mail.excerpt(body) == expected


def test_parse_reply_reads_recipients_and_html_only_mail() -> None:
    raw = (
        b"From: Maya <maya@example.com>\r\nTo: reply+abc.def@mail.roster.example\r\n"
        b"Cc: jo@peak.example\r\nSubject: Re: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<div>Count me in!</div><blockquote>On Fri, Jo wrote: hi</blockquote>"
    )
    recipients, sender, text = mail.parse_reply(raw)
    assert recipients == ["reply+abc.def@mail.roster.example", "jo@peak.example"]
    assert sender == "maya@example.com" and text.startswith("Count me in!")


class FakeSes:
    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.calls: list[dict[str, Any]] = []

    def send_email(self, **kwargs: Any) -> dict[str, str]:
        self.calls.append(kwargs)
        if self.failures:
            code = self.failures.pop(0)
            message = (
                "Maximum sending rate exceeded." if code == "Throttling" else "Email address is not verified."
            )
            raise ClientError({"Error": {"Code": code, "Message": message}}, "SendEmail")
        return {"MessageId": "ses-1"}


def test_throttling_is_retried_with_backoff() -> None:
    slept: list[float] = []
    fake = FakeSes(["Throttling", "TooManyRequestsException"])
    m = Mailer("config-set", 1000, client=fake, sleep=slept.append)  # type: ignore[arg-type]
    assert m.send("a@x.example", "b@y.example", b"raw", {"brand": "B"}) == "ses-1"
    assert len(fake.calls) == 3 and [s for s in slept if s >= 0.1] == [0.1, 0.2]
    assert fake.calls[0]["ConfigurationSetName"] == "config-set"
    assert fake.calls[0]["EmailTags"] == [{"Name": "brand", "Value": "B"}]


def test_throttling_that_never_ends_is_raised_for_the_queue_to_retry() -> None:
    m = Mailer(None, 1000, client=FakeSes(["Throttling"] * 10), sleep=lambda s: None)  # type: ignore[arg-type]
    with pytest.raises(Throttled):
        m.send("a@x.example", "b@y.example", b"raw", {})


def test_rejections_are_not_retried() -> None:
    fake = FakeSes(["MessageRejected"])
    with pytest.raises(Rejected, match="not verified"):
        Mailer(None, 1000, client=fake, sleep=lambda s: None).send("a@x.example", "b@y.example", b"r", {})  # type: ignore[arg-type]
    assert len(fake.calls) == 1


def test_pacer_keeps_the_configured_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    pacer = Pacer(4, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        pacer.wait()
    assert slept == [0.25, 0.25, 0.25, 0.25]  # 5 sends take a second at 4/s


def test_tokens_with_non_ascii_characters_are_simply_not_ours() -> None:
    token = mail.unsubscribe_token(KEY, "BRAND1", "CREATOR1")
    assert mail.read_unsubscribe_token(KEY, token[:-1] + "é") is None
    assert mail.read_collaboration_token(KEY, "QkEuQ1I.é") is None
    assert mail.reply_message_id(KEY, "reply+01jd2x7q9r8s7t6v5w4x3y2z1a.é@x.example") is None
