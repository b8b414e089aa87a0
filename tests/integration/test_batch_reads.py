"""What the messages of one SQS batch share (issue 16): the outreach worker reads the sequence, the
sender, the template, the brand and the campaign once per batch, and a creator's link, code and
page only when the template uses them; the monitor worker reads the campaign, the brand and the
campaign's links and codes once per batch. What decides a message (the enrollment, the
suppression list) is still read per message, and each creator still gets only their own links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from roster import ids
from roster.deps import deps
from roster.monitoring import posts
from roster.outreach import sequences
from tests.integration.conftest import CAMPAIGN, CREATOR, Client
from tests.integration.test_outreach import sent, setup, start

__all__ = ["setup"]  # the outreach fixture: sender, campaign, templates, Maya, Lena, Sam


@contextmanager
def counted() -> Iterator[Counter[str]]:
    client = deps().stores.outreach.table.client
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls.update([model.name])

    client.meta.events.register("before-call", count)
    try:
        yield calls
    finally:
        client.meta.events.unregister("before-call", count)


def job(s: dict[str, Any], sequence: dict[str, Any], who: str) -> dict[str, Any]:
    return {
        "brand_id": s["brand_id"],
        "campaign_id": s["campaign"]["id"],
        "creator_id": s[who]["id"],
        "sequence_id": sequence["id"],
        "step": 0,
    }


def test_one_batch_reads_the_shared_context_once_and_each_message_its_own(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    s = setup | {"brand_id": brand_a.brand_id}
    sequence = start(brand_a, setup, ["maya", "lena", "sam"])
    batch = sequences.SendBatch()
    with counted() as first:
        assert sequences.send_step(deps(), job(s, sequence, "maya"), batch) == "sent"
    with counted() as second:
        assert sequences.send_step(deps(), job(s, sequence, "lena"), batch) == "sent"
    # sequence, sender settings, template, brand, campaign: read for the first message only
    assert first["GetItem"] - second["GetItem"] == 5, (first, second)
    assert "Query" not in first  # the template uses no link, code or page: none is read
    # Decided per message even within one batch: Sam was suppressed after the batch began.
    deps().stores.outreach.suppress(brand_a.brand_id, ids.email_hash("sam@example.com"), "complaint")
    assert sequences.send_step(deps(), job(s, sequence, "sam"), batch) == "refused"
    assert sorted(m.destinations[0] for m in sent()) == ["lena@example.com", "maya@example.com"]


def test_a_template_that_uses_the_link_and_code_reads_them(brand_a: Client, setup: dict[str, Any]) -> None:
    campaign, maya = setup["campaign"]["id"], setup["maya"]["id"]
    link = {"campaign_id": campaign, "creator_id": maya, "destination": "https://shop.example.com/t"}
    assert brand_a.call("POST", "/v1/links", link | {"code": "maya-spring"})[0] == 201
    code = {"campaign_id": campaign, "creator_id": maya, "code": "MAYA10"}
    assert brand_a.call("POST", "/v1/promo-codes", code)[0] == 201
    body = {
        "name": "With link",
        "subject": "Hi {{ creator.first_name }}",
        "html": "<p>{{ link }}</p>",
        "text": "{{ link }} {{ promo_code }}",
    }
    template = brand_a.call("POST", "/v1/email-templates", body)[1]
    sequence = start(brand_a, setup | {"first": template}, ["maya"])
    with counted() as calls:
        result = sequences.send_step(deps(), job(setup | {"brand_id": brand_a.brand_id}, sequence, "maya"))
    assert result == "sent"
    assert calls["Query"] == 2  # the link and the code; not the collaboration page (unused)
    (message,) = sent()
    assert "/r/maya-spring" in message.raw_data and "MAYA10" in message.raw_data


def test_creators_of_one_monitor_batch_get_only_their_own_links_and_codes(brand_a: Client) -> None:
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]["id"]
    people = {}
    for name in ("maya", "lena"):
        person = CREATOR | {"name": name.title(), "email": f"{name}@example.com"}
        people[name] = brand_a.call("POST", "/v1/creators", person)[1]["id"]
        link = {
            "campaign_id": campaign,
            "creator_id": people[name],
            "destination": "https://shop.example.com/t",
        }
        assert brand_a.call("POST", "/v1/links", link | {"code": f"{name}-spring"})[0] == 201
        code = {"campaign_id": campaign, "creator_id": people[name], "code": f"{name.upper()}10"}
        assert brand_a.call("POST", "/v1/promo-codes", code)[0] == 201
    stores, batch = deps().stores, posts.CheckBatch()
    with counted() as first:
        maya = posts.context(
            stores, brand_a.brand_id, campaign, people["maya"], link_base_url=None, batch=batch
        )
    with counted() as second:
        lena = posts.context(
            stores, brand_a.brand_id, campaign, people["lena"], link_base_url=None, batch=batch
        )
    assert (maya.codes, maya.promo_codes) == (["maya-spring"], ["MAYA10"])
    assert (lena.codes, lena.promo_codes) == (["lena-spring"], ["LENA10"])
    alone = posts.context(stores, brand_a.brand_id, campaign, people["lena"], link_base_url=None)
    assert (alone.codes, alone.promo_codes, alone.collaboration_id) == (
        lena.codes,
        lena.promo_codes,
        lena.collaboration_id,
    )
    # campaign, brand: once per batch; the campaign's links and codes: once per batch
    assert (first["GetItem"] - second["GetItem"], first["Query"] - second["Query"]) == (2, 2), (first, second)
    assert second == Counter({"GetItem": 2})  # the creator and their collaboration
