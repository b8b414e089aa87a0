from __future__ import annotations

import pytest

from roster.deps import deps
from roster.errors import Conflict
from tests.integration.conftest import CREATOR, Client, member_of, table_snapshot

CSV = "text/csv; charset=utf-8"


def test_create_derives_tier_and_enforces_unique_email(brand_a: Client) -> None:
    status, maya = brand_a.call("POST", "/v1/creators", CREATOR)
    assert status == 201
    assert (maya["tier"], maya["tier_source"]) == ("micro", "derived")
    before = table_snapshot()
    status, body = brand_a.call(
        "POST", "/v1/creators", CREATOR | {"email": "MAYA@example.com", "name": "Copy"}
    )
    assert status == 409 and maya["id"] in body["error"]["details"][0]["message"]
    assert table_snapshot() == before


def test_patch_moves_the_email_guard(brand_a: Client) -> None:
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    leo = brand_a.call("POST", "/v1/creators", CREATOR | {"email": "leo@example.com", "name": "Leo"})[1]
    status, moved = brand_a.call("PATCH", f"/v1/creators/{maya['id']}", {"email": "maya@newmail.example"})
    assert status == 200 and moved["email"] == "maya@newmail.example" and moved["version"] == 2
    # The old address is free again, the new one is taken.
    assert brand_a.call("POST", "/v1/creators", CREATOR | {"name": "New Maya"})[0] == 201
    status, body = brand_a.call("PATCH", f"/v1/creators/{leo['id']}", {"email": "maya@newmail.example"})
    assert status == 409
    assert brand_a.call("GET", f"/v1/creators/{leo['id']}")[1]["email"] == "leo@example.com"


def test_manual_tier_and_reset(brand_a: Client) -> None:
    maya = brand_a.call("POST", "/v1/creators", CREATOR | {"tier": "macro"})[1]
    assert (maya["tier"], maya["tier_source"]) == ("macro", "manual")
    reset = brand_a.call("PATCH", f"/v1/creators/{maya['id']}", {"tier": None})[1]
    assert (reset["tier"], reset["tier_source"]) == ("micro", "derived")
    assert brand_a.call("GET", "/v1/creators", query={"tier": "macro"})[1]["items"] == []
    assert [c["id"] for c in brand_a.call("GET", "/v1/creators", query={"tier": "micro"})[1]["items"]] == [
        maya["id"]
    ]


def test_filters_combine(brand_a: Client) -> None:
    def add(name: str, **fields: object) -> str:
        status, body = brand_a.call(
            "POST", "/v1/creators", {"name": name, "email": f"{name}@example.com"} | fields
        )
        assert status == 201, body
        return str(body["id"])

    us_micro = add("ana", country="US", followers=20_000, tags=["trail"])
    us_nano = add("ben", country="US", followers=2_000, tags=["trail", "yoga"], status="active")
    de_micro = add("cara", country="DE", followers=50_000, tags=["yoga"])
    add("dan")

    def ids(**query: str) -> list[str]:
        status, page = brand_a.call("GET", "/v1/creators", query=query)
        assert status == 200, page
        return [c["id"] for c in page["items"]]

    assert ids(country="us") == [us_micro, us_nano]
    assert ids(tier="micro") == [us_micro, de_micro]
    assert ids(tier="micro", country="DE") == [de_micro]
    assert ids(tag="yoga") == [us_nano, de_micro]
    assert ids(tag="Trail", status="active") == [us_nano]
    assert ids(country="US", tag="yoga", tier="nano") == [us_nano]
    assert len(ids()) == 4


def test_filtered_pages_carry_on_with_a_cursor(brand_a: Client) -> None:
    for i in range(9):
        brand_a.call(
            "POST",
            "/v1/creators",
            {"name": f"c{i}", "email": f"c{i}@example.com", "tags": ["odd" if i % 2 else "even"]},
        )
    seen, cursor = [], None
    while True:
        page = brand_a.call(
            "GET",
            "/v1/creators",
            query={"tag": "even", "limit": "2"} | ({"cursor": cursor} if cursor else {}),
        )[1]
        seen += [c["name"] for c in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ["c0", "c2", "c4", "c6", "c8"]


def test_import_creates_updates_and_reports_errors(brand_a: Client) -> None:
    existing = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    csv_text = (
        "\ufeffname,email,country,tags,instagram,instagram_followers,youtube,youtube_feed\n"
        "Maya L.,maya@example.com,,,,90000,mayaruns,https://www.youtube.com/feeds/videos.xml?channel_id=UC1\n"
        "Leo,leo@example.com,gb,trail;road,leo.runs,3000,,\n"
        "Broken,not-an-email,,,,,,\n"
        "Leo again,LEO@example.com,,,,,,\n"
        "Bad country,zed@example.com,Germany,,,,,\n"
    )
    status, result = brand_a.call("POST", "/v1/creators:import", csv_text, headers={"content-type": CSV})
    assert status == 200, result
    assert result["summary"] == {"created": 1, "updated": 1, "errors": 3}
    rows = {r["row"]: r for r in result["rows"]}
    assert rows[2]["status"] == "updated" and rows[2]["creator_id"] == existing["id"]
    assert rows[3]["status"] == "created"
    assert rows[4]["status"] == "error" and "email" in rows[4]["errors"][0]
    assert "repeats line 3" in rows[5]["errors"][0]
    assert rows[6]["status"] == "error" and "country" in rows[6]["errors"][0]

    maya = brand_a.call("GET", f"/v1/creators/{existing['id']}")[1]
    assert maya["name"] == "Maya L." and maya["country"] == "US" and maya["tags"] == ["trail", "running"]
    assert maya["platforms"]["instagram"] == {
        "handle": "maya.runs",
        "followers": 90000,
        "profile_url": None,
        "feed_url": None,
    }
    assert maya["platforms"]["youtube"]["handle"] == "mayaruns"
    assert maya["tier"] == "micro" and maya["version"] == 2

    leo = brand_a.call("GET", f"/v1/creators/{rows[3]['creator_id']}")[1]
    assert (leo["country"], leo["tags"], leo["tier"]) == ("GB", ["trail", "road"], "nano")

    # Re-running the same file is safe: nothing new is created.
    again = brand_a.call("POST", "/v1/creators:import", csv_text, headers={"content-type": CSV})[1]
    assert again["summary"] == {"created": 0, "updated": 2, "errors": 3}
    assert len(brand_a.call("GET", "/v1/creators")[1]["items"]) == 2


def test_unusable_imports_change_nothing(brand_a: Client) -> None:
    before = table_snapshot()
    for body, headers, status in [
        ("name,email,shoe_size\nA,a@example.com,9\n", {"content-type": CSV}, 422),
        ("name,email\nA,a@example.com\n", {"content-type": "application/json"}, 415),
        ('name,email\n"A"x,a@example.com\n', {"content-type": CSV}, 400),
        ("", {"content-type": CSV}, 422),
    ]:
        assert brand_a.call("POST", "/v1/creators:import", body, headers=headers)[0] == status
    assert table_snapshot() == before


def test_stale_creator_writes_lose_cleanly(brand_a: Client) -> None:
    created = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    store = deps().stores.creators
    stale = store.require(brand_a.brand_id, created["id"])
    brand_a.call("PATCH", f"/v1/creators/{created['id']}", {"notes": "winner"})
    for email in (stale.email, "elsewhere@example.com"):  # plain put and email-moving transaction
        loser = stale.model_copy(update={"notes": "loser", "email": email, "version": stale.version + 1})
        with pytest.raises(Conflict, match="changed by another request"):
            store.replace(brand_a.brand_id, stale, loser)
    assert brand_a.call("GET", f"/v1/creators/{created['id']}")[1]["notes"] == "winner"
    assert store.id_for_email(brand_a.brand_id, "elsewhere@example.com") is None


def test_owner_is_a_member_of_the_brand_set_cleared_and_filtered(brand_a: Client) -> None:
    sam = member_of(brand_a, "sam@brand-a.example").call("GET", "/v1/me")[1]["member_id"]
    status, maya = brand_a.call("POST", "/v1/creators", CREATOR | {"owner_id": sam})
    assert status == 201 and maya["owner_id"] == sam
    leo = brand_a.call("POST", "/v1/creators", CREATOR | {"email": "leo@example.com", "name": "Leo"})[1]
    assert leo["owner_id"] is None

    def owned_by(member: str) -> list[str]:
        return [c["id"] for c in brand_a.call("GET", "/v1/creators", query={"owner_id": member})[1]["items"]]

    assert owned_by(sam) == [maya["id"]]
    moved = brand_a.call("PATCH", f"/v1/creators/{leo['id']}", {"owner_id": sam})[1]
    assert moved["owner_id"] == sam and owned_by(sam) == [maya["id"], leo["id"]]
    cleared = brand_a.call("PATCH", f"/v1/creators/{maya['id']}", {"owner_id": None})[1]
    assert cleared["owner_id"] is None and owned_by(sam) == [leo["id"]]
    # Changing something else keeps the owner; an unknown member is refused on the field, unchanged.
    assert brand_a.call("PATCH", f"/v1/creators/{leo['id']}", {"notes": "met at expo"})[1]["owner_id"] == sam
    before = table_snapshot()
    for method, path, body in (
        ("PATCH", f"/v1/creators/{leo['id']}", {"owner_id": "nobody"}),
        ("POST", "/v1/creators", CREATOR | {"email": "new@example.com", "owner_id": "nobody"}),
    ):
        status, error = brand_a.call(method, path, body)
        assert status == 422, error
        assert error["error"]["details"] == [
            {"field": "owner_id", "message": "no member nobody in this brand"}
        ]
    assert table_snapshot() == before
