"""Browser tests: the pages people open, in headless Chromium driven by Playwright, against the
local stack (tests/stack.py), each at desktop and at phone size, checked by axe-core.

Chromium is the distribution's (`/usr/bin/chromium`, or `$CHROMIUM`), not Playwright's download,
which cannot work on our machines; axe-core comes from node_modules (package-lock.json). `make test`
installs both when missing (`make browser-setup`). ROSTER_SCREENSHOTS=1 saves the screenshots
docs/console.md shows; normal runs write nothing."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.stack import ROOT, RunningStack, start_stack

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Assertions wait up to 10 s for the page to get there (Playwright's default is 5 s): the local
# stack runs each function one request at a time, and CI machines are shared.
expect.set_options(timeout=10_000)
# What works on our machines: no sandbox (containers, root), no GPU, and nothing that phones home
# or updates itself mid-run.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# What fails a test; moderate and minor findings (a missing landmark, say) are returned, not fatal.
FATAL_IMPACTS = ("serious", "critical")


@dataclass
class Member:
    email: str
    password: str


# Besides the demo admin: a plain member of the demo brand (refused on admin pages) and the admin
# of a second brand (who must see nothing of the first), signed in like anyone else.
PLAIN = Member("sam.plain@roster.example", "plain-member-password-1")
OTHER = Member("olga.other@other-brand.example", "other-brand-password-1")
EXTRA_MEMBERS = f"member:{PLAIN.email}:{PLAIN.password};admin:{OTHER.email}:{OTHER.password}:Other Brand"


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    """Each browser module's own stack (tests/stack.py), with the two extra members seeded: a page
    that lists everything (the overview, the roster) then shows only that module's data, so no
    module depends on which ran before it, and none waits on the others' hundreds of records."""
    running = start_stack({"ROSTER_LOCAL_EXTRA_MEMBERS": EXTRA_MEMBERS})
    yield running
    running.stop()


def _printed(stack: RunningStack, member: Member, heading: str) -> Member:
    pattern = re.compile(rf"{re.escape(heading)}: {re.escape(member.email)}\s+password: (\S+)")
    if not any(pattern.search(line) for line in stack.output):
        pytest.fail(f"the local stack did not seed {member.email} ({heading})", pytrace=False)
    return member


@pytest.fixture(scope="module")
def plain_member(stack: RunningStack) -> Member:
    """A member (role `member`, not admin) of the demo brand: admin pages must refuse them."""
    return _printed(stack, PLAIN, "Member (member) of Demo Brand")


@pytest.fixture(scope="module")
def other_member(stack: RunningStack) -> Member:
    """The admin of a second brand ("Other Brand"): must see nothing of the demo brand."""
    return _printed(stack, OTHER, "Member (admin) of Other Brand")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser-setup` (installs Debian's chromium) "
            "or set CHROMIUM=/path/to/chromium",
            pytrace=False,
        )
    # Playwright gives each launch a fresh temporary profile (user-data-dir) and removes it after.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    """Each page test runs once per size: "desktop" (1280×800) and "phone" (390×844, touch)."""
    return str(request.param)


@pytest.fixture
def context(browser: Browser, size: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(**SIZES[size])
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def axe(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core on the page as it is now and returns its violations; fails the test on any
    serious or critical one, naming the rule, what it asks for and the elements."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated rather than added as a <script>: a page's Content-Security-Policy cannot block it.
        page.evaluate(AXE.read_text() + "\n;undefined")
    # Frames are left out: on our pages they show others' content (an email's HTML part).
    result = page.evaluate("axe.run(document, {iframes: false, resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = result["violations"]
    fatal = [v for v in violations if v.get("impact") in FATAL_IMPACTS]
    if fatal:
        lines = [f"axe: {len(fatal)} serious/critical violation(s) on {page.url}"]
        for v in fatal:
            targets = ", ".join(json.dumps(n["target"]) for n in v["nodes"][:5])
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {targets}")
        pytest.fail("\n".join(lines), pytrace=False)
    return violations


def assert_fits_width(page: Page) -> None:
    """Nothing scrolls sideways, and the layout is as wide as the screen (a page without a
    viewport meta tag is laid out 980 px wide on a phone and shown shrunk)."""
    width = (page.viewport_size or {"width": 0})["width"]
    inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert inner == width and scroll <= width, (
        f"{page.url} at {width}px: layout {inner}px wide, content {scroll}px wide"
    )


def looks_right(page: Page, name: str) -> None:
    """What every page a person sees must pass, at the test's screen size: it fits the width, axe
    finds nothing serious or critical; then its screenshot (docs/screenshots/{name}.png) is taken."""
    assert_fits_width(page)
    axe(page)
    screenshot(page, name)


def screenshot(page: Page, name: str) -> Path | None:
    """Saves docs/screenshots/{name}.png (the whole page) when ROSTER_SCREENSHOTS=1, so that
    normal test runs leave the tree clean."""
    if os.environ.get("ROSTER_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
