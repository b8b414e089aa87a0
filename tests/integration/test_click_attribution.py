"""One write per counted click, in total (issue 16): the visit record the redirect writes is what
attribution reads, by the click id the customer carried to the store. On moto, through the real
redirect (ClickStore), the store webhook and tools/replay_clicks.py; the redirect's clock is set
so the click and the order stand at known times."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from roster.clock import from_epoch
from roster.deps import deps
from roster.links.redirect import Redirector, RedirectSettings
from roster.store import keys
from roster.store.clicks import ClickStore
from roster.store.table import Table
from tests.conftest import TEST_ENV, load_json
from tests.integration.conftest import CAMPAIGN, CREATOR, Client
from tests.integration.test_attribution import attribution, put_click
from tests.integration.test_webhooks import SECRETS, shopify
from tools.replay_clicks import replay

CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
DAY0 = 1_799_488_800  # 2027-01-09T10:00:00Z
HOUR, DAY = 3600, 86400


@pytest.fixture
def setup(brand_a: Client) -> dict[str, Any]:
    assert brand_a.call("PUT", "/v1/integrations/shopify", {"secret": SECRETS["shopify"]})[0] == 200
    campaign = brand_a.call(
        "POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "attribution_window_days": 7}
    )[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    status, link = brand_a.call(
        "POST",
        "/v1/links",
        {
            "campaign_id": campaign["id"],
            "creator_id": maya["id"],
            "destination": "https://shop.example.com/trail",
            "code": "maya-spring",
        },
    )
    assert status == 201, link
    return {"campaign": campaign, "maya": maya, "link": link}


class Visitor:
    """The real redirect on moto at a chosen time (its salt is not the webhook's concern)."""

    def __init__(self, code: str, ip: str = "198.51.100.7") -> None:
        self.now = float(DAY0)
        self.code, self.ip = code, ip
        self.redirector = Redirector(
            ClickStore(Table(TEST_ENV["TABLE_NAME"])),
            RedirectSettings(TEST_ENV["TABLE_NAME"], b"salt"),
            clock=lambda: self.now,
        )

    def click(self, at: int) -> str:
        self.now = float(at)
        resp = self.redirector.handle(
            {
                "pathParameters": {"code": self.code},
                "headers": {"user-agent": CHROME},
                "requestContext": {"http": {"method": "GET", "sourceIp": self.ip}},
            }
        )
        assert resp["statusCode"] == 302
        return str(parse_qs(urlsplit(resp["headers"]["Location"]).query)["rid"][0])


def iso(epoch: int) -> str:
    return from_epoch(epoch)


def order(rid: str, placed: int, order_id: int = 820982911946154508) -> dict[str, Any]:
    """A Shopify order that carries only the click id (no promo code), placed at `placed`."""
    shopify_order: dict[str, Any] = load_json("shopify_order_create.json")
    return shopify_order | {
        "id": order_id,
        "created_at": iso(placed),
        "discount_codes": [],
        "landing_site": "/products/trail-runner",
        "note_attributes": [{"name": "roster_click", "value": rid}],
    }


@pytest.fixture
def reads() -> Iterator[list[str]]:
    """The partition keys of every item read (GetItem or BatchGetItem) while the test runs."""
    seen: list[str] = []

    def note(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            seen.append(params["Key"]["PK"]["S"])
        elif model.name == "BatchGetItem":
            seen.extend(k["PK"]["S"] for t in params["RequestItems"].values() for k in t["Keys"])

    events = deps().stores.stats.table.client.meta.events
    events.register("before-parameter-build.dynamodb", note)
    yield seen
    events.unregister("before-parameter-build.dynamodb", note)


def click_reads(seen: list[str], brand_id: str) -> Counter[str]:
    return Counter(
        pk for pk in seen if pk.startswith((f"BRAND#{brand_id}#VISIT#", f"BRAND#{brand_id}#CLICK#"))
    )


def visits() -> list[dict[str, Any]]:
    items = deps().stores.stats.table.client.scan(TableName=TEST_ENV["TABLE_NAME"])["Items"]
    return [i for i in items if i.get("entity", {}).get("S") == "visit"]


def test_a_counted_click_then_an_order_with_its_id_attributes_with_one_read(
    brand_a: Client, setup: dict[str, Any], reads: list[str]
) -> None:
    rid = Visitor(setup["link"]["code"]).click(DAY0)
    assert keys.VISIT_CLICK_ID.match(rid) and len(rid) == 24
    reads.clear()
    assert shopify(brand_a, "orders/create", order(rid, DAY0 + DAY), "e1")[0] == 200
    a = attribution(brand_a)
    assert (a["method"], a["click_id"], a["creator_id"], a["campaign_id"]) == (
        "click",
        rid,
        setup["maya"]["id"],
        setup["campaign"]["id"],
    )
    # The click is one read, of the visit record the redirect wrote; no click record exists or is read.
    assert click_reads(reads, brand_a.brand_id) == Counter({keys.visit_pk_of(brand_a.brand_id, rid): 1})
    (visit,) = visits()
    assert visit["PK"]["S"] == keys.visit_pk_of(brand_a.brand_id, rid)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda rid: rid[:-1] + ("A" if rid[-1] != "A" else "B"), id="altered"),
        pytest.param(lambda rid: "v1" + rid[2:].swapcase(), id="case-changed"),
        pytest.param(lambda rid: "v1" + "A" * 22, id="forged"),
    ],
)
def test_a_forged_or_altered_id_is_no_click(
    brand_a: Client, setup: dict[str, Any], change: Callable[[str], str]
) -> None:
    rid = Visitor(setup["link"]["code"]).click(DAY0)
    other = change(rid)
    assert other != rid and keys.VISIT_CLICK_ID.match(other)  # read, and found to name nothing
    shopify(brand_a, "orders/create", order(other, DAY0 + DAY), "e1")
    assert attribution(brand_a)["method"] == "none"


def test_another_brands_click_id_is_no_click(brand_a: Client, brand_b: Client, setup: dict[str, Any]) -> None:
    """Tenant isolation: brand A's real click id, sent with an order to brand B, names nothing in
    B's partition (the key holds the brand), so B's order is unattributed and A's is not touched."""
    rid = Visitor(setup["link"]["code"]).click(DAY0)
    assert brand_b.call("PUT", "/v1/integrations/shopify", {"secret": SECRETS["shopify"]})[0] == 200
    assert shopify(brand_b, "orders/create", order(rid, DAY0 + DAY), "e1")[0] == 200
    assert attribution(brand_b)["method"] == "none"
    shopify(brand_a, "orders/create", order(rid, DAY0 + DAY), "e1")
    assert attribution(brand_a)["method"] == "click"  # the same id, at its own brand


def test_repeat_clicks_keep_one_record_and_the_window_runs_from_the_latest_click_before_the_order(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    """Clicks at 10:00 (counted), 10:30 (a repeat within the hour: not counted) and 12:00 (counted
    again) by one visitor on one day: one record, one id, `first_at` 10:00 and `at` 12:00. With a
    7-day window, an order is measured from the latest click not after it."""
    visitor = Visitor(setup["link"]["code"])
    ids = {visitor.click(DAY0), visitor.click(DAY0 + HOUR // 2), visitor.click(DAY0 + 2 * HOUR)}
    (rid,) = ids
    (visit,) = visits()
    assert visit["visits"]["N"] == "2"
    assert (visit["first_at"]["S"], visit["at"]["S"]) == (iso(DAY0), iso(DAY0 + 2 * HOUR))
    cases = {
        # placed between the two clicks: from the first (the last came after the order)
        1: (DAY0 + HOUR, "click"),
        # 6 d 23 h after the last click, 7 d 1 h after the first: within the window
        2: (DAY0 + 7 * DAY + HOUR, "click"),
        # 7 d 30 min after the last click: outside
        3: (DAY0 + 7 * DAY + 2 * HOUR + HOUR // 2, "none"),
        # before any click (beyond the 5 minutes of clock skew allowed): no click it came from
        4: (DAY0 - HOUR, "none"),
    }
    for n, (placed, method) in cases.items():
        shopify(brand_a, "orders/create", order(rid, placed, order_id=n), f"e{n}")
        assert attribution(brand_a, str(n))["method"] == method, n


def test_a_click_whose_write_failed_is_attributable_after_its_replay_and_counted_once(
    brand_a: Client, setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    visitor = Visitor(setup["link"]["code"])
    client = visitor.redirector.store.visits.client

    def down(**_: Any) -> None:
        raise ConnectionError("DynamoDB unreachable")

    client.meta.events.register("before-call.dynamodb.UpdateItem", down)
    capsys.readouterr()
    rid = visitor.click(DAY0)  # redirected anyway, with the id the replay will record
    client.meta.events.unregister("before-call.dynamodb.UpdateItem", down)
    lines = [line for line in capsys.readouterr().out.splitlines() if "click not recorded" in line]
    assert len(lines) == 1 and json.loads(lines[0])["replay"]["click"]["click_id"] == rid
    assert visits() == []
    store = ClickStore(Table(TEST_ENV["TABLE_NAME"]))
    assert replay(store, lines) == Counter({"recorded": 1})
    assert replay(store, lines) == Counter({"already counted or a repeat": 1})  # an operator's second run
    (visit,) = visits()
    assert visit["visits"]["N"] == "1" and visit["PK"]["S"] == keys.visit_pk_of(brand_a.brand_id, rid)
    # The visitor comes back that day (counted write healthy again): the same id, the same record.
    assert visitor.click(DAY0 + 2 * HOUR) == rid and len(visits()) == 1
    shopify(brand_a, "orders/create", order(rid, DAY0 + DAY), "e1")
    a = attribution(brand_a)
    assert (a["method"], a["click_id"], a["creator_id"]) == ("click", rid, setup["maya"]["id"])


def test_an_older_click_id_still_attributes_from_its_click_record(
    brand_a: Client, setup: dict[str, Any], reads: list[str]
) -> None:
    """A click id from before issue 16 (a ULID) names the 400-day click record the stream consumer
    wrote then: read with one GetItem, as before."""
    old = "01M7ZH0MAPXJEHREDJSSF144CD"
    put_click(brand_a.brand_id, old, setup["campaign"]["id"], setup["maya"]["id"], iso(DAY0))
    reads.clear()
    shopify(brand_a, "orders/create", order(old.lower(), DAY0 + DAY), "e1")  # ULIDs: any case
    a = attribution(brand_a)
    assert (a["method"], a["click_id"], a["creator_id"]) == ("click", old, setup["maya"]["id"])
    assert click_reads(reads, brand_a.brand_id) == Counter({keys.click_pk(brand_a.brand_id, old): 1})
