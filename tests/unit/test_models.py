from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from roster.models.campaigns import CampaignCreate, CampaignPatch
from roster.models.creators import CreatorCreate, CreatorPatch, Platform

CAMPAIGN = {
    "name": "Spring launch",
    "objective": "conversions",
    "start_date": "2027-01-01",
    "end_date": "2027-03-31",
}


def test_campaign_normalises_currency_and_domains() -> None:
    c = CampaignCreate.model_validate(
        CAMPAIGN
        | {
            "budget": {"amount": 150000, "currency": "usd"},
            "allowed_domains": ["Shop.Example.com", "shop.example.com", "*.example.org", "bücher.de"],
            "kpis": [{"metric": "conversions", "target": 500, "by": "2027-03-31"}],
        }
    )
    assert c.budget is not None and c.budget.currency == "USD"
    assert c.allowed_domains == ["shop.example.com", "*.example.org", "xn--bcher-kva.de"]
    assert c.kpis[0].by == date(2027, 3, 31)
    assert c.status == "draft"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"end_date": "2026-12-31"}, "end_date must be on or after start_date"),
        ({"budget": {"amount": -1, "currency": "USD"}}, "greater than or equal to 0"),
        ({"budget": {"amount": 10.5, "currency": "USD"}}, "valid integer"),
        ({"budget": {"amount": 1, "currency": "dollars"}}, "pattern"),
        ({"allowed_domains": ["https://shop.example.com/x"]}, "bare domain"),
        ({"allowed_domains": ["10.0.0.1"]}, "IP addresses"),
        ({"objective": "fame"}, "awareness"),
        ({"status": "completed"}, "draft or active"),
        ({"surprise": 1}, "Extra inputs"),
        (
            {"kpis": [{"metric": "clicks", "target": 1, "by": "2027-01-01"}] * 2},
            "only once",
        ),
        ({"kpis": [{"metric": "clicks", "target": 0, "by": "2027-01-01"}]}, "greater than 0"),
    ],
)
def test_campaign_rejects(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CampaignCreate.model_validate(CAMPAIGN | change)


def test_campaign_patch_allows_clearing_budget_only() -> None:
    assert CampaignPatch.model_validate({"budget": None}).model_fields_set == {"budget"}
    with pytest.raises(ValidationError, match="name cannot be null"):
        CampaignPatch.model_validate({"name": None})


def test_creator_normalises_inputs() -> None:
    c = CreatorCreate.model_validate(
        {
            "name": " Maya Lopez ",
            "email": "maya@example.com",
            "country": "us",
            "tags": ["Trail", "trail", "running"],
            "platforms": {
                "instagram": {"handle": "@maya.runs", "profile_url": "https://instagram.com/maya.runs"}
            },
        }
    )
    assert c.name == "Maya Lopez"
    assert c.country == "US"
    assert c.tags == ["trail", "running"]
    assert c.platforms[Platform.INSTAGRAM].handle == "maya.runs"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"email": "not-an-email"}, "valid email"),
        ({"country": "USA"}, "pattern"),
        ({"tags": ["#bad!"]}, "tags are"),
        ({"platforms": {"myspace": {"handle": "x"}}}, "instagram"),
        ({"platforms": {"youtube": {"handle": "@"}}}, "handle must not be empty"),
        ({"platforms": {"youtube": {"handle": "x", "feed_url": "ftp://x"}}}, "URL scheme"),
        ({"engagement": {"engagement_rate": 140}}, "less than or equal to 100"),
        ({"followers": -5}, "greater than or equal to 0"),
        ({"tier": "mega"}, "nano"),
    ],
)
def test_creator_rejects(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CreatorCreate.model_validate({"name": "Maya", "email": "maya@example.com"} | change)


def test_creator_patch_nullability() -> None:
    assert CreatorPatch.model_validate({"tier": None}).model_fields_set == {"tier"}
    with pytest.raises(ValidationError, match="email cannot be null"):
        CreatorPatch.model_validate({"email": None})


def test_campaign_link_settings() -> None:
    c = CampaignCreate.model_validate(CAMPAIGN)
    assert (c.slug, c.click_id_param, c.allow_http) == (None, "rid", False)
    for bad in ({"slug": "Not A Slug"}, {"click_id_param": "1rid"}, {"click_id_param": "r-id"}):
        with pytest.raises(ValidationError):
            CampaignCreate.model_validate(CAMPAIGN | bad)
