"""Discovery in the console: a member opens a creator with a YouTube and a Bluesky profile,
refreshes them from the platforms (recorded answers served on 127.0.0.1) and sees each platform's
overall verdict with what is missing, a signal's benchmark and its evidence (a post opening in a new
tab), the snapshot's counts and notes; a second refresh within the window is refused ("Refreshed
recently"). Screened against a campaign with a banned term, the screening fails on it and the fit's
top post shows its matches marked. An admin sets a competitor in Settings (a 422 beside the field
first) and the screening then names it; a member sees the competitors read-only. A platform that
fails says why on its own card, and a creator with no readable profile gets the API's 422. At
desktop and phone size, checked by axe, with no console error or CSP violation."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from playwright.sync_api import Page, expect

from local.template import REGION
from tests.browser.conftest import EXTRA_MEMBERS, Member, looks_right
from tests.browser.test_console import Watch, member, open_console, sign_in, signed_in, watch  # noqa: F401
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.integration.test_discovery_sources import MAYA, ApiServer, serve_bluesky, serve_maya, serving
from tests.stack import RunningStack, start_stack

# The stack's SECRETS_PREFIX is template.yaml's "/roster/${Stage}" with the default stage (dev).
YOUTUBE_KEY_PARAMETER = "/roster/dev/platforms/youtube/api-key"
YOUTUBE_KEY = "AIzaBrowserTestKey-not-a-real-one-0123"


@pytest.fixture(scope="module")
def platforms() -> Iterator[ApiServer]:
    """YouTube's and Bluesky's recorded answers for Maya (tests/fixtures/discovery/), on one
    127.0.0.1 server: their paths differ (/youtube/v3/…, /xrpc/…)."""
    with serving() as server:
        serve_maya(server)
        serve_bluesky(server)
        yield server


@pytest.fixture(scope="module")
def stack(platforms: ApiServer) -> Iterator[RunningStack]:
    """This module's stack (it replaces conftest's): the platform APIs point at the recorded answers
    (the local stack already lets the fetcher reach 127.0.0.1: MONITOR_ALLOW_LOOPBACK), and the
    YouTube key is in the stack's SSM (moto) before any function reads it."""
    running = start_stack(
        {
            "ROSTER_LOCAL_EXTRA_MEMBERS": EXTRA_MEMBERS,
            "YOUTUBE_API_BASE": platforms.base,
            "BLUESKY_API_BASE": platforms.base,
        }
    )
    try:
        ssm = boto3.client(
            "ssm",
            endpoint_url=f"http://127.0.0.1:{running.moto_port}",
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        ssm.put_parameter(Name=YOUTUBE_KEY_PARAMETER, Value=YOUTUBE_KEY, Type="SecureString", Overwrite=True)
        yield running
    finally:
        running.stop()


def _creator(stack: RunningStack, size: str, platforms: dict[str, Any], name: str = "Maya") -> dict[str, Any]:
    token = uuid.uuid4().hex[:6]
    body = {
        "name": f"{name} {size} {token}",
        "email": f"{name.lower()}.{token}@discovery.example",
        "platforms": platforms,
    }
    status, made = call(stack, "POST", "/v1/creators", body)
    assert status == 201, made
    return dict(made)


MAYA_PLATFORMS = {
    "youtube": {"handle": "mayaruns", "profile_url": f"https://www.youtube.com/channel/{MAYA}"},
    "bluesky": {"handle": "mayaruns.bsky.social"},
}


@pytest.fixture
def maya(stack: RunningStack, size: str) -> dict[str, Any]:
    """A new creator per test: a refresh is refused for 10 minutes after the last one."""
    return _creator(stack, size, MAYA_PLATFORMS)


@pytest.fixture
def campaign(stack: RunningStack, size: str) -> dict[str, Any]:
    """Trail shoes, with "crash" banned: Maya's 100-miler video says "the crash at mile 62"."""
    content = {"keywords": ["trail", "shoes"], "hashtags": ["trailrunning"], "banned_terms": ["crash"]}
    body = CAMPAIGN | {
        "name": f"Screening {size} {uuid.uuid4().hex[:6]}",
        "status": "active",
        "content": content,
    }
    status, made = call(stack, "POST", "/v1/campaigns", body)
    assert status == 201, made
    return dict(made)


def _profile(page: Page, stack: RunningStack, creator: dict[str, Any], query: str = "") -> None:
    page.goto(f"{stack.base_url}/console/#/creators/{creator['id']}{query}")
    expect(page.get_by_role("heading", level=1, name=creator["name"])).to_be_visible()


def _settings(page: Page) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    tabs = page.get_by_role("navigation", name="Settings")
    tabs.get_by_role("link", name="Competitors", exact=True).click()
    expect(tabs.get_by_role("link", name="Competitors", exact=True)).to_have_attribute("aria-current", "page")


def test_a_member_refreshes_a_creator_and_screens_them_for_a_campaign(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: Member,
    maya: dict[str, Any],
    campaign: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (403, 429)  # 403: a member may not list the team (the profile's owner names)
    signed_in(page, stack, plain_member)
    _profile(page, stack, maya)
    quality = page.get_by_role("region", name="Audience quality")
    expect(quality).to_contain_text("Never refreshed from the platforms.")
    expect(quality).to_contain_text("YouTube and Bluesky")

    quality.get_by_role("button", name="Refresh from platforms").click()
    expect(quality.get_by_role("status")).to_contain_text("YouTube and Bluesky read.")
    expect(quality).to_contain_text("Last refreshed")

    tube = quality.get_by_role("article", name="YouTube")
    # Five recent videos, one without likes: engagement has 4 of the 5 posts it needs, and a first
    # refresh has no growth history, so there is no overall score, and the card says what is missing.
    expect(tube.locator(".quality-overall")).to_have_text("Not enough data for an overall score")
    expect(tube.locator(".quality-missing")).to_contain_text("Engagement rate: 4 of 5 needed")
    reach = tube.locator("[data-signal='reach_consistency']")
    expect(reach).to_contain_text("1.51×")
    expect(reach).to_contain_text("100 / 100")
    expect(reach).to_contain_text("Benchmark: mean/median views up to 2 on YouTube score 100")
    expect(reach).to_contain_text("5 / 5 needed")
    evidence = reach.get_by_role("link", name=re.compile(r"^youtube\.com post of 2026-11-02"))
    expect(evidence).to_have_attribute("href", "https://www.youtube.com/watch?v=MayaVid0003")
    expect(evidence).to_have_attribute("target", "_blank")
    expect(evidence).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    expect(reach.locator(".evidence").first).to_contain_text("40,210 views, 4.4× the median")
    expect(tube.locator(".quality-snapshot")).to_contain_text("48,200")
    expect(tube.locator(".quality-notes")).to_contain_text("rounds public subscriber counts")
    sky = quality.get_by_role("article", name="Bluesky")
    expect(sky.locator(".quality-snapshot")).to_contain_text("3,120")
    expect(sky.locator(".quality-missing")).to_contain_text("Reach consistency: not applicable here")
    expect(sky.locator("[data-signal='follower_audit']")).to_contain_text("5 / 50 needed")
    looks_right(page, f"console-creator-quality-{size}")

    # Refreshed a moment ago: the API refuses another (429 with Retry-After), and the panel says when.
    quality.get_by_role("button", name="Refresh from platforms").click()
    expect(
        quality.get_by_text(re.compile(r"^Refreshed recently — try again in \d+ minutes?\.$"))
    ).to_be_visible()
    expect(tube.locator("[data-signal='reach_consistency']")).to_contain_text("1.51×")  # still shown

    screening = page.get_by_role("region", name="Screening")
    screening.get_by_label("Campaign").select_option(label=campaign["name"])
    expect(page).to_have_url(re.compile(rf"campaign_id={campaign['id']}"))
    checks = screening.locator(".screening-checks")
    expect(checks.locator(".screening-outcome")).to_have_text("Failed")
    expect(checks.get_by_role("list", name="Flags")).to_contain_text("banned term 'crash'")
    banned = checks.locator(".banned-hit")
    expect(banned).to_have_count(1)
    expect(banned).to_contain_text("the crash at mile 62")
    expect(banned.get_by_role("link")).to_have_attribute(
        "href", "https://www.youtube.com/watch?v=MayaVid0003"
    )
    expect(checks).to_contain_text("3 of 3 sponsored-looking posts")
    fit = screening.locator(".screening-fit")
    expect(fit.locator(".screening-outcome")).to_contain_text("strong")
    expect(fit.get_by_role("list", name="Posts per term")).to_contain_text("shoes 2 posts")
    top = fit.locator(".fit-post").first
    expect(top.locator("mark")).to_have_text(["trail", "shoes"])
    expect(top.get_by_role("link")).to_have_attribute("href", "https://www.youtube.com/watch?v=MayaVid0001")
    looks_right(page, f"console-creator-screening-{size}")

    # A reload keeps the campaign (in the hash) and screens again.
    page.reload()
    screening = page.get_by_role("region", name="Screening")
    expect(screening.get_by_label("Campaign")).to_have_value(campaign["id"])
    expect(screening.locator(".screening-checks .screening-outcome")).to_have_text("Failed")
    watch.check()


def test_an_admin_sets_a_competitor_and_the_screening_names_it(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    maya: dict[str, Any],
    campaign: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    status, kept = call(stack, "POST", f"/v1/creators/{maya['id']}/enrichment")
    assert status == 200, kept
    signed_in(page, stack, member)
    _settings(page)
    section = page.get_by_role("region", name="Competitors")
    form = section.locator("form")
    expect(form.get_by_role("button", name="Save competitors")).to_be_visible()  # the tab has read them
    # Any competitors an earlier run saved go first: this test sets the list from scratch.
    while form.get_by_role("button", name=re.compile(r"^Remove competitor")).count():
        form.get_by_role("button", name=re.compile(r"^Remove competitor")).first.click()
    form.get_by_role("button", name="Add a competitor").click()
    row = form.get_by_role("group", name="Competitor 1")
    expect(row.get_by_label("Name")).to_be_focused()
    row.get_by_label("Handles").fill("@PeakGear, PeakGear_Run")
    form.get_by_role("button", name="Save competitors").click()  # no name: the API's 422
    name = row.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    described = (name.get_attribute("aria-describedby") or "").split()[-1]
    expect(page.locator(f"[id='{described}']")).to_be_visible()
    expect(name).to_be_focused()
    looks_right(page, f"console-settings-competitors-error-{size}")

    name.fill("Peak Gear")
    form.get_by_role("button", name="Add a competitor").click()  # an empty row is dropped on save
    form.get_by_role("button", name="Save competitors").click()
    expect(page.get_by_role("status").filter(has_text="The competitors are saved.")).to_be_visible()
    expect(form.get_by_role("group", name=re.compile(r"^Competitor \d"))).to_have_count(1)
    # As stored: handles without "@", in lowercase.
    expect(form.get_by_role("group", name="Competitor 1").get_by_label("Handles")).to_have_value(
        "peakgear, peakgear_run"
    )
    stored = call(stack, "GET", "/v1/discovery/settings")[1]
    assert stored["competitors"] == [{"name": "Peak Gear", "handles": ["peakgear", "peakgear_run"]}]
    looks_right(page, f"console-settings-competitors-{size}")

    _profile(page, stack, maya, f"?campaign_id={campaign['id']}")
    checks = page.get_by_role("region", name="Screening").locator(".screening-checks")
    expect(checks.get_by_role("list", name="Flags")).to_contain_text("mentions competitor Peak Gear")
    rival = checks.locator(".competitor-hit")
    expect(rival).to_have_count(1)
    # The recorded posts are of November 2026 and the stack's clock is real: how many are within 90
    # days depends on the day the test runs, the rest does not.
    expect(rival).to_contain_text(
        re.compile(r"Peak Gear: 2 posts, [0-2] in the last 90 days, last 2026-11-18")
    )
    examples = rival.get_by_role("list", name="Posts naming Peak Gear").get_by_role("link")
    expect(examples).to_have_count(2)
    for n in range(2):
        expect(examples.nth(n)).to_have_attribute("target", "_blank")
    looks_right(page, f"console-creator-competitor-{size}")
    watch.check()


def test_a_member_sees_the_competitors_but_cannot_change_them(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: Member,
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (403,)
    signed_in(page, stack, plain_member)
    _settings(page)
    section = page.get_by_role("region", name="Competitors")
    expect(
        section.get_by_text(re.compile(r"^Only an admin can (see or )?change the competitors\.$"))
    ).to_be_visible()
    expect(section.get_by_role("button", name="Save competitors")).to_have_count(0)
    expect(section.get_by_role("textbox")).to_have_count(0)
    looks_right(page, f"console-settings-competitors-member-{size}")
    watch.check()


def test_a_failing_platform_says_why_and_a_creator_without_a_readable_profile_is_refused(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: Member,
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (403, 422)
    # Bluesky knows no "nobody.bsky.social" (a 400 from getProfile); YouTube still answers.
    mixed = _creator(stack, size, MAYA_PLATFORMS | {"bluesky": {"handle": "nobody.bsky.social"}}, "Nobody")
    only_instagram = _creator(stack, size, {"instagram": {"handle": "insta.only"}}, "Insta")
    signed_in(page, stack, plain_member)

    _profile(page, stack, mixed)
    quality = page.get_by_role("region", name="Audience quality")
    quality.get_by_role("button", name="Refresh from platforms").click()
    expect(quality.get_by_role("status")).to_contain_text("YouTube read; Bluesky could not be read")
    sky = quality.get_by_role("article", name="Bluesky")
    expect(sky.locator(".quality-failure")).to_contain_text(re.compile(r"Not read this time: \S"))
    expect(sky.locator(".signals")).to_have_count(0)
    expect(quality.get_by_role("article", name="YouTube").locator("[data-signal]")).to_have_count(5)
    looks_right(page, f"console-creator-quality-failure-{size}")

    _profile(page, stack, only_instagram)
    quality = page.get_by_role("region", name="Audience quality")
    expect(quality).to_contain_text("this creator has none yet")
    quality.get_by_role("button", name="Refresh from platforms").click()
    expect(quality.get_by_role("alert")).to_contain_text(
        re.compile("YouTube|Bluesky|Mastodon", re.IGNORECASE)
    )
    watch.check()
