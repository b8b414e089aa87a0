"""The redirect on moto: real ClickStore writes, exact DynamoDB request counts, and the whole path
from the links API through the gateway to the 302."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from local.gateway import Gateway
from local.lambdas import FakeLambdaContext
from roster.links.redirect import Redirector, RedirectSettings
from roster.store import keys
from roster.store.clicks import VISIT_TTL_SECONDS, ClickStore
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
    # The visit is keyed by the click id the customer carries (so attribution reads it by that id),
    # holds what attribution needs and lives for the attribution horizon.
    assert visit["PK"]["S"] == keys.visit_pk_of(brand_a.brand_id, q["rid"][0]) and "click_id" not in visit
    assert keys.VISIT_CLICK_ID.match(q["rid"][0])
    assert (visit["campaign_id"]["S"], visit["creator_id"]["S"]) == (link["campaign_id"], link["creator_id"])
    assert visit["first_at"]["S"] == visit["at"]["S"]
    assert int(visit["expires_at"]["N"]) - int(visit["last_epoch"]["N"]) == VISIT_TTL_SECONDS
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


class Consumer:
    """Feeds visit items to the real stream consumer the way Lambda's event source mapping does
    (moto's in-process mode cannot serve DynamoDB Streams; the e2e suite covers the real poller)."""

    def __init__(self) -> None:
        from local import template as tpl
        from local.lambdas import load_handler
        from local.streams import matches, stream_sources
        from tests.integration.conftest import NAMES

        template = tpl.load()
        (self.source,) = stream_sources(template)
        spec = next(s for s in tpl.functions(template, NAMES, {}) if s.logical_id == self.source.function)
        self.handler, self.matches, self.seen = load_handler(spec), matches, set[str]()

    def poll_once(self) -> int:
        records = []
        for item in table_snapshot():
            key = json.dumps(item, sort_keys=True)
            if key in self.seen:
                continue
            self.seen.add(key)
            record = {
                "eventName": "INSERT",
                "dynamodb": {"NewImage": item, "SequenceNumber": str(len(self.seen))},
            }
            if any(self.matches(p, record) for p in self.source.patterns):
                records.append(record)
        if records:
            assert self.handler({"Records": records}, FakeLambdaContext()) == {"batchItemFailures": []}
        return len(records)


def test_clicks_become_stats_and_no_click_records(brand_a: Client, link: dict[str, Any]) -> None:
    poller = Consumer()
    poller.poll_once()  # the setup's writes pass by: none is a visit
    before = [i for i in table_snapshot() if i.get("entity", {}).get("S") not in ("visit", "stats")]
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
    for i in range(3):
        click(
            brand_a.gateway,
            link["code"],
            ip=f"203.0.113.{i}",
            ua=iphone,
            headers={"cloudfront-viewer-country": "de"},
        )
    click(brand_a.gateway, link["code"], ip="203.0.113.0", ua=iphone)  # a repeat: not counted
    click(brand_a.gateway, link["code"], ip="203.0.113.50")  # desktop, no country
    click(
        brand_a.gateway, link["code"], ip="203.0.113.51", ua="facebookexternalhit/1.1"
    )  # preview: not counted
    assert poller.poll_once() == 4

    status, stats = brand_a.call("GET", f"/v1/links/{link['code']}/stats")
    assert status == 200
    assert stats["totals"] == {
        "clicks": 4,
        "unique_clicks": 4,
        "countries": {"DE": 3},
        "devices": {"mobile": 3, "desktop": 1},
    }
    assert len(stats["days"]) == 1
    campaign_stats = brand_a.call("GET", f"/v1/campaigns/{link['campaign_id']}/stats")[1]
    assert campaign_stats["totals"]["clicks"] == 4

    # The consumer writes counters only: no per-click record (attribution reads the visits).
    assert [i for i in table_snapshot() if i.get("entity", {}).get("S") not in ("visit", "stats")] == before
    assert poller.poll_once() == 0  # nothing new: delivered once


def test_bad_ranges_and_empty_stats(brand_a: Client, link: dict[str, Any]) -> None:
    empty = brand_a.call(
        "GET", f"/v1/links/{link['code']}/stats", query={"from": "2027-01-01", "to": "2027-01-31"}
    )[1]
    assert empty["totals"]["clicks"] == 0 and empty["days"] == [] and empty["first_day"] == "2027-01-01"
    assert (
        brand_a.call(
            "GET", f"/v1/links/{link['code']}/stats", query={"from": "2027-02-01", "to": "2027-01-01"}
        )[0]
        == 422
    )
    assert (
        brand_a.call(
            "GET", f"/v1/links/{link['code']}/stats", query={"from": "2020-01-01", "to": "2027-01-01"}
        )[0]
        == 422
    )
    assert brand_a.call("GET", f"/v1/links/{link['code']}/stats", query={"from": "yesterday"})[0] == 422
    assert brand_a.call("GET", "/v1/links/nope/stats")[0] == 404


def test_unrecorded_clicks_replay_once(
    link: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    from tools.replay_clicks import main

    now = [1_900_000_000.0]
    r, _ = counting_redirector(now)
    r.handle(event(link["code"], "203.0.113.1"))
    r.store.table.client.meta.events.register(
        "before-call.dynamodb.UpdateItem", lambda **_: (_ for _ in ()).throw(ConnectionError("down"))
    )
    for ip in ("203.0.113.7", "203.0.113.8", "203.0.113.7"):
        assert r.handle(event(link["code"], ip))["statusCode"] == 302
    log = tmp_path / "clicks.log"
    log.write_text(
        "".join(f"2027-03-01T10:00:00Z\tREQ\t{line}\n" for line in capsys.readouterr().out.splitlines())
        + "unrelated line\n"
    )
    assert len(visits()) == 1
    assert main(["--file", str(log), "--table", TEST_ENV["TABLE_NAME"]]) == 0
    assert "3 unrecorded click(s) found: 2 recorded, 1 already counted or a repeat" in capsys.readouterr().out
    assert len(visits()) == 3
    main(["--file", str(log), "--table", TEST_ENV["TABLE_NAME"]])
    assert "3 unrecorded click(s) found: 3 already counted or a repeat" in capsys.readouterr().out
    assert len(visits()) == 3
