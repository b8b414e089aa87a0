"""The redirect on moto: real ClickStore writes, exact DynamoDB request counts, and the whole path
from the links API through the gateway to the 302."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from local.gateway import Gateway
from roster.redirect import Redirector, RedirectSettings
from roster.store.clicks import ClickStore
from roster.store.table import Table
from tests.conftest import TEST_ENV
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot

CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def link(brand_a: Client) -> dict[str, Any]:
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "slug": "spring"})[1]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    status, created = brand_a.call(
        "POST",
        "/v1/links",
        {
            "campaign_id": campaign["id"],
            "creator_id": creator["id"],
            "destination": "https://shop.example.com/trail",
            "code": "maya-spring",
        },
    )
    assert status == 201, created
    return dict(created)


def click(
    gateway: Gateway,
    code: str,
    *,
    ua: str = CHROME,
    ip: str = "198.51.100.7",
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    return gateway.handle(method, f"/r/{code}", {"user-agent": ua, **(headers or {})}, b"", source_ip=ip)


def visits() -> list[dict[str, Any]]:
    return [i for i in table_snapshot() if i.get("entity", {}).get("S") == "visit"]


def test_click_through_the_gateway(brand_a: Client, link: dict[str, Any]) -> None:
    status, headers, body = click(
        brand_a.gateway,
        link["code"],
        headers={"cloudfront-viewer-country": "us", "referer": "https://www.tiktok.com/@maya"},
    )
    assert status == 302 and headers["cache-control"] == "no-store"
    target = urlsplit(headers["location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "shop.example.com", "/trail")
    q = parse_qs(target.query)
    assert (
        q["utm_source"] == ["maya.runs"]
        and q["utm_campaign"] == ["spring"]
        and q["utm_content"] == ["maya-spring"]
    )
    (visit,) = visits()
    assert visit["click_id"]["S"] == q["rid"][0]
    assert visit["country"]["S"] == "US" and visit["referrer_host"]["S"] == "www.tiktok.com"
    assert visit["brand_id"]["S"] == brand_a.brand_id and visit["visits"]["N"] == "1"
    assert "198.51.100.7" not in str(visit)
    # The same visitor again: same click id, no new visit.
    again = click(brand_a.gateway, link["code"])
    assert parse_qs(urlsplit(again[1]["location"]).query)["rid"] == q["rid"]
    assert len(visits()) == 1
    # HEAD and bots are redirected but leave no trace.
    assert click(brand_a.gateway, link["code"], method="HEAD", ip="203.0.113.5")[0] == 302
    assert click(brand_a.gateway, link["code"], ua="Slackbot-LinkExpanding 1.0", ip="203.0.113.6")[0] == 302
    assert len(visits()) == 1


def test_unknown_disabled_and_malformed(brand_a: Client, link: dict[str, Any]) -> None:
    status, headers, body = click(brand_a.gateway, "no-such-code")
    assert status == 404 and headers["content-type"].startswith("text/html") and b"Link not found" in body
    assert click(brand_a.gateway, "bad;code")[0] == 404
    assert brand_a.gateway.handle("GET", "/r/a/b", {"user-agent": CHROME}, b"")[0] == 404
    brand_a.call("PATCH", f"/v1/links/{link['code']}", {"enabled": False})
    # The handler's cache still holds the link for up to 60 s; a fresh container sees the change.
    sys.modules["roster_fn_RedirectFunction"].redirector.cache_clear()
    assert click(brand_a.gateway, link["code"], ip="203.0.113.9")[0] == 404
    assert visits() == []


def counting_redirector(now: list[float]) -> tuple[Redirector, Counter[str]]:
    client = boto3.client("dynamodb")
    calls: Counter[str] = Counter()
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.update([model.name]))
    settings = RedirectSettings(TEST_ENV["TABLE_NAME"], b"salt")
    return Redirector(
        ClickStore(Table(TEST_ENV["TABLE_NAME"], client)), settings, clock=lambda: now[0]
    ), calls


def event(code: str, ip: str, ua: str = CHROME, method: str = "GET") -> dict[str, Any]:
    return {
        "pathParameters": {"code": code},
        "headers": {"user-agent": ua},
        "requestContext": {"http": {"method": method, "sourceIp": ip}},
    }


def test_request_counts_per_click(link: dict[str, Any]) -> None:
    now = [1_900_000_000.0]
    r, calls = counting_redirector(now)
    r.handle(event(link["code"], "203.0.113.1"))  # cold: one read, one write
    assert calls == Counter({"GetItem": 1, "UpdateItem": 1})
    calls.clear()
    r.handle(event(link["code"], "203.0.113.2"))  # warm, counted: exactly one write, no read
    assert calls == Counter({"UpdateItem": 1})
    calls.clear()
    r.handle(event(link["code"], "203.0.113.2"))  # warm, duplicate: one (failed) conditional write
    assert calls == Counter({"UpdateItem": 1})
    calls.clear()
    r.handle(event(link["code"], "203.0.113.3", ua="curl/8.5.0"))  # bot: nothing
    r.handle(event(link["code"], "203.0.113.3", method="HEAD"))  # HEAD: nothing
    assert calls == Counter()
    now[0] += 3601  # an hour later the same visitor counts again (the same item, updated)
    r.handle(event(link["code"], "203.0.113.2"))
    assert calls == Counter({"GetItem": 1, "UpdateItem": 1})  # the cached link aged out too
    item = boto3.client("dynamodb").scan(
        TableName=TEST_ENV["TABLE_NAME"],
        FilterExpression="entity = :v",
        ExpressionAttributeValues={":v": {"S": "visit"}},
    )["Items"]
    assert sorted(int(i["visits"]["N"]) for i in item) == [1, 2]


def test_fail_open_on_throttling(link: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    now = [1_900_000_000.0]
    r, _ = counting_redirector(now)
    r.handle(event(link["code"], "203.0.113.1"))

    def throttle(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "UpdateItem"
        )

    r.store.table.client.meta.events.register("before-call.dynamodb.UpdateItem", throttle)
    resp = r.handle(event(link["code"], "203.0.113.2"))
    assert resp["statusCode"] == 302
    assert "click not recorded" in capsys.readouterr().out
    assert len(visits()) == 1  # only the first visitor; the throttled click is in the log line
