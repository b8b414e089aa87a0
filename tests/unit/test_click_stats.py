from __future__ import annotations

import pytest

from roster.links.click_stats import counters, device, summarize


@pytest.mark.parametrize(
    "ua, kind",
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "mobile",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
            "mobile",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "tablet",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            "desktop",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
            "desktop",
        ),
        ("SomethingElse/1.0", "other"),
    ],
)
def test_device_types(ua: str, kind: str) -> None:
    assert device(ua)[0] == kind


def test_browser_and_os_families() -> None:
    _, os_family, browser = device(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
    )
    assert (os_family, browser) == ("Windows", "Chrome")


def _click(
    code: str, visits: int, country: str | None = "US", device_type: str = "mobile", day: str = "2027-01-02"
) -> dict[str, object]:
    return {
        "brand_id": "b",
        "code": code,
        "campaign_id": "c",
        "creator_id": "cr",
        "at": f"{day}T10:00:00Z",
        "visits": visits,
        "country": country,
        "device": device_type,
    }


def test_counters_fold_a_batch_into_one_update_per_scope_and_day() -> None:
    batch = [
        _click("l1", 1),
        _click("l1", 2),
        _click("l1", 1, "DE", "desktop"),
        _click("l2", 1, None),
        _click("l1", 1, day="2027-01-03"),
    ]
    out = counters(batch)
    assert set(out) == {
        ("b", "link", "l1", "2027-01-02"),
        ("b", "link", "l2", "2027-01-02"),
        ("b", "link", "l1", "2027-01-03"),
        ("b", "campaign", "c", "2027-01-02"),
        ("b", "campaign", "c", "2027-01-03"),
        ("b", "creator", "cr", "2027-01-02"),
        ("b", "creator", "cr", "2027-01-03"),
    }
    assert out[("b", "link", "l1", "2027-01-02")] == {
        "clicks": 3,
        "unique_clicks": 2,
        "country_US": 2,
        "country_DE": 1,
        "device_mobile": 2,
        "device_desktop": 1,
    }
    assert out[("b", "campaign", "c", "2027-01-02")]["clicks"] == 4


def test_summarize_totals_and_days() -> None:
    items = [
        {"day": "2027-01-03", "clicks": 2, "unique_clicks": 1, "country_US": 2, "device_mobile": 2},
        {
            "day": "2027-01-02",
            "clicks": 3,
            "unique_clicks": 3,
            "country_DE": 1,
            "device_desktop": 3,
            "scope": "link",
        },
    ]
    s = summarize("link", "l1", "2027-01-01", "2027-01-31", items)
    assert (s.totals.clicks, s.totals.unique_clicks) == (5, 4)
    assert s.totals.countries == {"US": 2, "DE": 1} and s.totals.devices == {"mobile": 2, "desktop": 3}
    assert [d.day for d in s.days] == ["2027-01-02", "2027-01-03"]
