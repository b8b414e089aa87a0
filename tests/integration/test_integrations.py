from __future__ import annotations

import json

import boto3

from tests.integration.conftest import Client, table_snapshot

SECRET = "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"


def test_secret_goes_to_ssm_and_never_to_the_table_or_the_response(brand_a: Client) -> None:
    status, body = brand_a.call("PUT", "/v1/integrations/shopify", {"secret": SECRET})
    assert status == 200, body
    assert body["configured"] is True and body["signature_header"] == "x-shopify-hmac-sha256"
    assert body["webhook_url"] == f"https://127.0.0.1/webhooks/shopify/{brand_a.brand_id}"
    assert SECRET not in json.dumps(body) and SECRET not in json.dumps(table_snapshot())
    param = boto3.client("ssm").get_parameter(
        Name=f"/roster/dev/brands/{brand_a.brand_id}/webhooks/shopify", WithDecryption=True
    )["Parameter"]
    assert (param["Type"], param["Value"]) == ("SecureString", SECRET)

    listed = {i["provider"]: i["configured"] for i in brand_a.call("GET", "/v1/integrations")[1]["items"]}
    assert listed == {"shopify": True, "woocommerce": False, "stripe": False, "orders": False}

    # Rotation overwrites; removal deletes (twice is fine).
    assert brand_a.call("PUT", "/v1/integrations/shopify", {"secret": SECRET + "-rotated"})[0] == 200
    assert brand_a.call("DELETE", "/v1/integrations/shopify")[1]["configured"] is False
    assert brand_a.call("DELETE", "/v1/integrations/shopify")[0] == 200
    assert boto3.client("ssm").describe_parameters()["Parameters"] == []


def test_bad_requests_change_nothing(brand_a: Client) -> None:
    before = table_snapshot()
    assert brand_a.call("PUT", "/v1/integrations/magento", {"secret": SECRET})[0] == 422
    assert brand_a.call("PUT", "/v1/integrations/stripe", {"secret": "short"})[0] == 422
    assert brand_a.call("PUT", "/v1/integrations/stripe", {"secret": SECRET, "extra": 1})[0] == 422
    assert brand_a.call("PUT", "/v1/integrations/stripe", "{oops")[0] == 400
    assert table_snapshot() == before
    assert boto3.client("ssm").describe_parameters()["Parameters"] == []
