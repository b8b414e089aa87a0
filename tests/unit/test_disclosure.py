"""FTC disclosure: a table of real-world captions, tricky ones included."""

from __future__ import annotations

import pytest

from roster.monitoring.disclosure import check

TAGS10 = " ".join(
    f"#{t}"
    for t in ("run", "trail", "fitness", "outdoors", "motivation", "gear", "shoes", "nature", "hike", "ultra")
)
LONG = "Week 12 of marathon prep and my legs finally feel fresh again after switching shoes. " * 3

CASES = [
    # (caption, brand, result, matched)
    ("#ad Loving my new Trail Runners from Acme!", "Acme", "compliant", "#ad"),
    ("#AD loving these shoes", "Acme", "compliant", "#AD"),
    ("#Sponsored by @acme — 10 miles in the new Trail Runner", "Acme", "compliant", "#Sponsored"),
    ("Ad | My honest review of the Trail Runner", "Acme", "compliant", "Ad"),
    ("Paid partnership with Acme. Here is my week of runs.", "Acme", "compliant", "Paid partnership"),
    (
        "Thanks to Acme for the free product! Here's my review.",
        "Acme",
        "compliant",
        "Thanks to Acme for the free product",
    ),
    (
        "thanks  to   ACME for the free product, honest thoughts below",
        "Acme",
        "compliant",
        "thanks  to   ACME for the free product",
    ),
    ("Sponsored: my favourite trail loops this spring", "Acme", "compliant", "Sponsored"),
    ("In partnership with Acme, a week of trail running", "Acme", "compliant", "In partnership with Acme"),
    ("Advertisement\nNew shoes, new PRs", "Acme", "compliant", "Advertisement"),
    ("Line one\nLine two\n#ad line three", "Acme", "compliant", "#ad"),
    ("Gifted by Acme — first impressions", "Acme", "compliant", "Gifted by Acme"),
    ("#gifted trail shoes, first run", "Acme", "compliant", "#gifted"),
    # ambiguous terms alone
    ("#sp loving these shoes", "Acme", "insufficient", "#sp"),
    ("#spon new gear day", "Acme", "insufficient", "#spon"),
    ("Big #collab with Acme this month!", "Acme", "insufficient", "#collab"),
    ("Proud #partner of Acme", "Acme", "insufficient", "#partner"),
    ("#ambassador life: trail edition", "Acme", "insufficient", "#ambassador"),
    ("Thanks Acme for the shoes!", "Acme", "insufficient", "Thanks"),
    ("Huge thanks to the Acme team", "Acme", "insufficient", "thanks"),
    # buried: only at the end or only in the trailing hashtags
    (f"New shoes, new trails! {TAGS10} #ad", "Acme", "buried", "#ad"),
    (f"Loving the new kicks {TAGS10} #sponsored #fitfam", "Acme", "buried", "#sponsored"),
    (f"{LONG} #ad", "Acme", "buried", "#ad"),
    (f"{LONG} Paid partnership with Acme.", "Acme", "buried", "Paid partnership"),
    ("L1\nL2\nL3\nL4\n#ad", "Acme", "buried", "#ad"),
    # missing: nothing, or look-alikes that are not disclosures
    ("10 miles in the new Trail Runner, what a morning", "Acme", "missing", None),
    ("#adventure awaits on the ridge", "Acme", "missing", None),
    ("#adventuretime #advertising101", "Acme", "missing", None),
    ("Bad weather, good run. Made it!", "Acme", "missing", None),
    ("Reading about advertisements in the 1950s", "Acme", "missing", None),
    ("Thanksgiving long run with the family", "Acme", "missing", None),
    ("#partnership goals with my running club", "Acme", "missing", None),
    ("", "Acme", "missing", None),
    ("#ad", "", "compliant", "#ad"),
    (
        "Thanks to for the free product",
        "",
        "insufficient",
        "Thanks",
    ),  # no brand given: brand phrases cannot match
]


@pytest.mark.parametrize("caption, brand, result, matched", CASES, ids=[c[0][:40] or "empty" for c in CASES])
def test_disclosure_table(caption: str, brand: str, result: str, matched: str | None) -> None:
    verdict = check(caption, brand)
    assert (verdict.result, verdict.matched) == (result, matched), verdict.reason
    assert verdict.reason


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
