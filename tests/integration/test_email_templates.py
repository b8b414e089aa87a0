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
    assert out["text"].endswith("Code: MAYA10")

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


def test_preview_says_which_value_is_missing(brand_a: Client) -> None:
    t = brand_a.call(
        "POST",
        "/v1/email-templates",
        TEMPLATE | {"subject": "Hi", "html": "<p>Hi</p>", "text": "Link: {{ link }}"},
    )[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    status, body = brand_a.call("POST", f"/v1/email-templates/{t['id']}/preview", {"creator_id": maya["id"]})
    assert status == 422 and "'link' is undefined" in body["error"]["message"], body
    status, _ = brand_a.call("POST", f"/v1/email-templates/{t['id']}/preview", {"creator_id": "nobody"})
    assert status == 404


def owned_template(a: Client) -> dict[str, Any]:
    return dict(a.call("POST", "/v1/email-templates", TEMPLATE)[1])
