from __future__ import annotations

import pytest

from roster.errors import ValidationFailed
from roster.models.creators import Creator
from roster.models.outreach import EmailTemplate, EmailTemplateCreate
from roster.outreach import email_templates

MAYA = Creator.model_validate(
    {
        "id": "c1",
        "name": "Maya Lopez",
        "email": "maya@example.com",
        "platforms": {"instagram": {"handle": "maya.runs"}, "youtube": {"handle": "mayaruns"}},
        "tier": "micro",
        "tier_source": "derived",
        "status": "prospect",
        "created_at": "x",
        "updated_at": "x",
        "version": 1,
    }
)


def template(
    subject: str = "Hi {{ creator.first_name }}", html: str = "<p>x</p>", text: str = "x"
) -> EmailTemplate:
    return email_templates.create(EmailTemplateCreate(name="t", subject=subject, html=html, text=text))


def test_personalizes_every_part_and_escapes_html() -> None:
    t = template(
        subject="{{ campaign.name }}: an idea for you, {{ creator.first_name }}",
        html="<p>Hi {{ creator.first_name }}, loved your reels (@{{ creator.handles.instagram }}).</p>"
        "<p>{{ offer }}</p>{% if link is defined %}<a href='{{ link }}'>shop</a>{% endif %}",
        text="Hi {{ creator.first_name }}! {{ offer }} Code: {{ promo_code }}\n{{ sender.name }}\n{{ signature }}",
    )
    assert t.fields == [
        "campaign.name",
        "creator.first_name",
        "creator.handles.instagram",
        "link",
        "offer",
        "promo_code",
        "sender.name",
        "signature",
    ]
    out = email_templates.render(
        t,
        email_templates.Personalization(
            creator=MAYA,
            brand_name="Peak Gear",
            campaign_name="Winter <Trail>",
            offer="A pair of <b>Ember</b> boots",
            promo_code="MAYA15",
            sender_name="Jo",
            signature="Jo, Peak Gear",
        ),
    )
    assert out.subject == "Winter <Trail>: an idea for you, Maya"  # subject is not HTML
    assert "A pair of &lt;b&gt;Ember&lt;/b&gt; boots" in out.html and "@maya.runs" in out.html
    assert "<a href" not in out.html  # no link: the guarded block is left out
    assert out.text.startswith("Hi Maya! A pair of <b>Ember</b> boots Code: MAYA15")


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("Hi {{ creator.nickname }}", "unknown field `creator.nickname`"),
        ("Hi {{ firstname }}", "unknown field `firstname`"),
        ("Hi {{ creator.handles.myspace }}", "unknown platform"),
        ("Hi {{ creator }}", "`creator` alone is not a field"),
        ("Hi {{ creator.first_name }", "syntax error on line 1"),
        ("{% if offer %}Hi", "syntax error"),
    ],
)
def test_unknown_fields_and_syntax_errors_are_refused_when_saved(subject: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        template(subject=subject)


def test_a_missing_value_fails_the_render_instead_of_leaving_a_hole() -> None:
    t = template(text="Your link: {{ link }}")
    with pytest.raises(email_templates.RenderError, match="link"):
        email_templates.render(t, email_templates.Personalization(creator=MAYA, brand_name="Peak Gear"))


def test_samples_fill_only_the_fields_used_and_missing() -> None:
    t = template(text="{{ link }} {{ promo_code }} {{ offer }}")
    values = email_templates.Personalization(creator=MAYA, brand_name="B", offer="Boots")
    filled, named = email_templates.with_samples(values, t.fields, "https://go.example")
    assert named == ["link", "promo_code"]  # the offer is real; page_url is not used
    out = email_templates.render(t, filled)
    assert out.text == "https://go.example/r/SAMPLE-LINK SAMPLE-CODE Boots"
    real = email_templates.Personalization(creator=MAYA, brand_name="B", link="L", promo_code="C", offer="O")
    assert email_templates.with_samples(real, t.fields, "https://go.example") == (real, [])


def test_the_sandbox_refuses_reaching_into_python() -> None:
    t = template(text="{{ offer.__class__.__mro__ }}")
    with pytest.raises(email_templates.RenderError):
        email_templates.render(t, email_templates.Personalization(creator=MAYA, brand_name="B", offer="x"))


def test_subject_is_one_line() -> None:
    t = template(subject="Hi\n{{ creator.first_name }}\n")
    out = email_templates.render(t, email_templates.Personalization(creator=MAYA, brand_name="B"))
    assert out.subject == "Hi Maya"


def test_a_template_that_fails_while_rendering_is_a_render_error() -> None:
    t = template(text="{{ creator.name + 1 }}")  # valid syntax, known field: fails only when rendered
    with pytest.raises(email_templates.RenderError, match="cannot render the text"):
        email_templates.render(t, email_templates.Personalization(creator=MAYA, brand_name="B"))
