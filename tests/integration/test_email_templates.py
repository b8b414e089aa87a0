from __future__ import annotations

from typing import Any

from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot

TEMPLATE = {
    "name": "First touch",
    "subject": "{{ brand.name }} x {{ creator.first_name }}: {{ campaign.name }}",
    "html": "<p>Hi {{ creator.first_name }},</p><p>{{ offer }}</p>"
    '{% if link is defined %}<p><a href="{{ link }}">Your link</a></p>{% endif %}',
    "text": "Hi {{ creator.first_name }},\n{{ offer }}\n{% if promo_code is defined %}Code: {{ promo_code }}{% endif %}",
}


def test_create_list_patch_and_preview(brand_a: Client) -> None:
    status, t = brand_a.call("POST", "/v1/email-templates", TEMPLATE)
    assert status == 201, t
    assert t["fields"] == ["brand.name", "campaign.name", "creator.first_name", "link", "offer", "promo_code"]
    assert [i["id"] for i in brand_a.call("GET", "/v1/email-templates")[1]["items"]] == [t["id"]]

    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    link = brand_a.call(
        "POST",
        "/v1/links",
        {
            "campaign_id": campaign["id"],
            "creator_id": maya["id"],
            "destination": "https://shop.example.com/x",
        },
    )[1]
    brand_a.call(
        "POST", "/v1/promo-codes", {"campaign_id": campaign["id"], "creator_id": maya["id"], "code": "MAYA10"}
    )
    status, out = brand_a.call(
        "POST",
        f"/v1/email-templates/{t['id']}/preview",
        {"creator_id": maya["id"], "campaign_id": campaign["id"], "offer": "Free shoes & a fee"},
    )
    assert status == 200, out
    assert out["subject"] == "Brand A x Maya: Spring trail launch"
    assert f'<a href="{link["url"]}">' in out["html"] and "Free shoes &amp; a fee" in out["html"]
    assert "Code: MAYA10\n\n--\n" in out["text"]  # then the footer, as sent
    assert out["samples"] == ["from", "postal_address", "reply_to"]  # no sender set yet

    status, changed = brand_a.call(
        "PATCH", f"/v1/email-templates/{t['id']}", {"subject": "Hello {{ creator.name }}"}
    )
    assert status == 200 and changed["version"] == 2 and "creator.name" in changed["fields"]


def test_bad_templates_are_refused_at_save_and_change_nothing(brand_a: Client) -> None:
    t = brand_a.call("POST", "/v1/email-templates", TEMPLATE)[1]
    before = table_snapshot()
    status, body = brand_a.call("POST", "/v1/email-templates", TEMPLATE | {"text": "Hi {{ creator.nick }}"})
    assert status == 422 and body["error"]["details"][0] == {
        "field": "text",
        "message": "unknown field `creator.nick`",
    }
    status, body = brand_a.call("PATCH", f"/v1/email-templates/{t['id']}", {"html": "<p>{% for x in %}</p>"})
    assert status == 422 and "syntax error" in body["error"]["message"]
    assert brand_a.call("PATCH", f"/v1/email-templates/{t['id']}", {"subject": None})[0] == 422
    assert table_snapshot() == before


SENDER = {
    "from_email": "team@mail.roster.example",
    "from_name": "Peak Gear Partnerships",
    "postal_address": "Peak Gear Inc., 12 Ridge Road, Boulder, CO 80302, USA",
    "signature": "Jo at Peak Gear",
}
# Issue 12: `{{ promo_code }}` and `{{ link }}` unguarded saved fine, then the preview was a 422.
CODE_AND_LINK = {
    "name": "Code and link",
    "subject": "Your code, {{ creator.first_name }}",
    "html": '<p>Code {{ promo_code }}: <a href="{{ link }}">shop</a></p>',
    "text": "Code {{ promo_code }}: {{ link }}\n{{ signature }}",
}


def test_preview_shows_marked_samples_until_the_link_and_code_exist(brand_a: Client) -> None:
    assert brand_a.call("PUT", "/v1/outreach/settings", SENDER)[0] == 200
    t = brand_a.call("POST", "/v1/email-templates", CODE_AND_LINK)[1]
    assert t["fields"] == ["creator.first_name", "link", "promo_code", "signature"]
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    ask = {"creator_id": maya["id"], "campaign_id": campaign["id"]}

    status, out = brand_a.call("POST", f"/v1/email-templates/{t['id']}/preview", ask)
    assert status == 200, out
    assert out["samples"] == ["link", "promo_code", "reply_to"] and out["refused"] is None
    base = "https://127.0.0.1"  # the API's own host: no LINK_BASE_URL in these tests
    assert out["text"].startswith(f"Code SAMPLE-CODE: {base}/r/SAMPLE-LINK\nJo at Peak Gear\n")
    assert f'<a href="{base}/r/SAMPLE-LINK">' in out["html"]
    # The footer and headers the send adds: postal address, unsubscribe link, one-click headers.
    footer = out["text"].split("\n--\n", 1)[1]
    assert footer.startswith("Peak Gear Inc., 12 Ridge Road, Boulder, CO 80302, USA\nUnsubscribe: ")
    unsubscribe = footer.split("Unsubscribe: ", 1)[1].strip()
    assert unsubscribe.startswith(f"{base}/u/") and f'<a href="{unsubscribe}">Unsubscribe</a>' in out["html"]
    assert "12 Ridge Road, Boulder" in out["html"]
    headers = out["headers"]
    assert headers["From"] == "Peak Gear Partnerships <team@mail.roster.example>"
    assert headers["To"] == "maya@example.com" and headers["Subject"] == "Your code, Maya"
    assert headers["List-Unsubscribe"].startswith(f"<{unsubscribe}>, <mailto:unsubscribe+")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Reply-To"].startswith("reply+00000000000000000000000000.")

    link = brand_a.call(
        "POST",
        "/v1/links",
        {
            "campaign_id": campaign["id"],
            "creator_id": maya["id"],
            "destination": "https://shop.example.com/x",
        },
    )[1]
    brand_a.call(
        "POST", "/v1/promo-codes", {"campaign_id": campaign["id"], "creator_id": maya["id"], "code": "MAYA10"}
    )
    status, real = brand_a.call("POST", f"/v1/email-templates/{t['id']}/preview", ask)
    assert status == 200 and real["samples"] == ["reply_to"], real
    assert (
        real["text"].startswith(f"Code MAYA10: {link['url']}\n")
        and "SAMPLE" not in real["text"] + real["html"]
    )


def test_preview_without_a_campaign_or_offer_marks_those_too(brand_a: Client) -> None:
    t = brand_a.call(
        "POST",
        "/v1/email-templates",
        TEMPLATE | {"subject": "{{ campaign.name }}", "text": "{{ offer }} {{ page_url }} {{ sender.name }}"},
    )[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    status, out = brand_a.call("POST", f"/v1/email-templates/{t['id']}/preview", {"creator_id": maya["id"]})
    assert status == 200, out
    assert out["samples"] == [
        "campaign.name",
        "from",
        "link",
        "offer",
        "page_url",
        "postal_address",
        "reply_to",
        "sender.name",
    ]
    assert out["subject"] == "[SAMPLE CAMPAIGN]" and "/c/SAMPLE-PAGE" in out["text"]
    assert out["headers"]["From"] == '"[SAMPLE SENDER]" <sender@example.invalid>'
    status, _ = brand_a.call("POST", f"/v1/email-templates/{t['id']}/preview", {"creator_id": "nobody"})
    assert status == 404


def test_preview_says_when_the_creator_would_get_nothing(brand_a: Client) -> None:
    t = brand_a.call("POST", "/v1/email-templates", TEMPLATE)[1]
    bot = brand_a.call("POST", "/v1/creators", CREATOR | {"email": "noreply@shop.example"})[1]
    out = brand_a.call("POST", f"/v1/email-templates/{t['id']}/preview", {"creator_id": bot["id"]})[1]
    assert out["refused"] == "role address (noreply@) is not a person"


def owned_template(a: Client) -> dict[str, Any]:
    return dict(a.call("POST", "/v1/email-templates", TEMPLATE)[1])


def test_a_draft_is_previewed_as_typed_and_checked_like_a_save(brand_a: Client) -> None:
    """POST /v1/email-templates/preview: what an editor shows while a template is written; the
    same answer a saved template's preview gives, and a save's 422 for a bad field, nothing stored."""
    saved = brand_a.call("POST", "/v1/email-templates", TEMPLATE)[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    ask = {"creator_id": maya["id"], "offer": "Free shoes"}
    status, of_saved = brand_a.call("POST", f"/v1/email-templates/{saved['id']}/preview", ask)
    assert status == 200, of_saved
    parts = {k: TEMPLATE[k] for k in ("subject", "html", "text")}
    before = table_snapshot()
    status, of_draft = brand_a.call("POST", "/v1/email-templates/preview", ask | parts)
    assert status == 200 and of_draft == of_saved, of_draft
    assert of_draft["subject"] == "Brand A x Maya: [SAMPLE CAMPAIGN]"

    status, body = brand_a.call(
        "POST", "/v1/email-templates/preview", ask | parts | {"html": "<p>{{ creator.nick }}</p>"}
    )
    assert status == 422 and body["error"]["details"] == [
        {"field": "html", "message": "unknown field `creator.nick`"}
    ]
    status, body = brand_a.call("POST", "/v1/email-templates/preview", ask | parts | {"subject": "{% if %}"})
    assert status == 422 and body["error"]["details"][0]["field"] == "subject"
    status, _ = brand_a.call("POST", "/v1/email-templates/preview", parts | {"creator_id": "nobody"})
    assert status == 404
    assert table_snapshot() == before
