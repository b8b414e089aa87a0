from __future__ import annotations

from roster.monitoring.post_matching import brand_rules, link_codes, match

CAPTION = """#ad Week one in the Trail Runner from @acme 🏃
Use code MAYA10 for 10% off: https://go.acme.com/r/maya-spring?x=1.
#trailrunning #acmeoutdoors"""


def test_every_signal_is_reported() -> None:
    m = match(
        CAPTION,
        link_host="go.acme.com",
        codes=["maya-spring"],
        promo_codes=["maya10"],
        hashtags=["acmeoutdoors", "#nothere"],
        mentions=["acme", "@other"],
        keywords=["trail runner", "trailrunner"],
    )
    assert m.matched
    assert m.signals == {
        "link": ["maya-spring"],
        "promo_code": ["maya10"],
        "hashtag": ["#acmeoutdoors"],
        "mention": ["@acme"],
        "keyword": ["trail runner"],
    }


def test_only_the_creators_own_links_on_the_link_domain_count() -> None:
    text = "https://go.acme.com/r/other-code https://evil.example/r/maya-spring https://go.acme.com/x/maya-spring"
    assert match(text, link_host="go.acme.com", codes=["maya-spring"]).signals == {}
    assert link_codes("see https://GO.acme.com/r/maya-spring.", [], "go.acme.com") == ["maya-spring"]
    assert (
        link_codes("", ["https://go.acme.com/r/abc/extra", "https://go.acme.com/r/bad;code"], "go.acme.com")
        == []
    )
    assert match(
        "", urls=["https://go.acme.com/r/maya-spring"], link_host="go.acme.com", codes=["maya-spring"]
    ).matched


def test_words_not_substrings() -> None:
    assert not match(
        "#acmeoutdoorsclub and @acmefan and MAYA100",
        hashtags=["acmeoutdoors"],
        mentions=["acme"],
        promo_codes=["MAYA10"],
    ).matched
    assert not match("nothing to see here").matched


def test_brand_rules() -> None:
    ok = brand_rules(CAPTION, mandatory_mentions=["@acme", "#acmeoutdoors"], banned_terms=["cheap", "Nike"])
    assert ok.ok
    bad = brand_rules(
        "Cheap shoes, better than nike! #run",
        mandatory_mentions=["@acme", "#acmeoutdoors"],
        banned_terms=["cheap", "Nike"],
    )
    assert not bad.ok
    assert bad.missing_mentions == ["@acme", "#acmeoutdoors"] and bad.banned_terms == ["cheap", "Nike"]
