"""Outreach email templates: Jinja2 in a sandbox (HTML autoescaped), checked when saved so a
template with an unknown field or a syntax error never reaches a creator, and rendered strictly so
a value a creator lacks (no tracking link yet, say) fails that send instead of leaving a hole.

Fields: `creator.first_name`, `creator.name`, `creator.handles.<platform>`, `campaign.name`,
`brand.name`, `offer`, `link` (the creator's tracking link in the campaign), `promo_code`,
`sender.name`, `signature`, `page_url` (the creator's collaboration page, when there is one).
Optional values are simply absent: test them with `{% if link is defined %}`. A preview shows
marked samples for them instead (`with_samples`), so it never fails for a value not issued yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from roster import clock, ids
from roster.errors import ValidationFailed
from roster.models.common import revalidate
from roster.models.creators import Creator, Platform
from roster.models.outreach import EmailTemplate, EmailTemplateCreate, EmailTemplatePatch, RenderedEmail

if TYPE_CHECKING:  # Jinja2 loads where a template is checked or rendered, not with the API's routes
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

OBJECTS: dict[str, frozenset[str]] = {
    "creator": frozenset({"first_name", "name", "handles"}),
    "campaign": frozenset({"name"}),
    "brand": frozenset({"name"}),
    "sender": frozenset({"name"}),
}
VALUES = frozenset({"offer", "link", "promo_code", "signature", "page_url"})
PLATFORMS = frozenset(p.value for p in Platform)
PARTS = ("subject", "html", "text")


def _env(html: bool) -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        autoescape=html, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


@cache
def _envs() -> dict[str, SandboxedEnvironment]:
    """One sandbox per part, built on first use and kept."""
    return {"subject": _env(False), "html": _env(True), "text": _env(False)}


@lru_cache(maxsize=512)
def _compiled(part: str, source: str) -> Template:
    """Compiling is most of a render's cost; a sequence renders the same few templates many times."""
    return _envs()[part].from_string(source)


def _fields(part: str, source: str) -> set[str]:
    """The fields one part uses; raises ValidationFailed naming the part for anything unknown."""
    from jinja2 import TemplateSyntaxError, meta, nodes

    env = _envs()[part]
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(
            f"{part}: template syntax error on line {exc.lineno}: {exc.message}",
            details=[{"field": part, "message": exc.message or "syntax error"}],
        ) from exc
    used: set[str] = set()
    problems: list[str] = []
    for name in sorted(meta.find_undeclared_variables(ast)):
        if name in VALUES:
            used.add(name)
        elif name not in OBJECTS:
            problems.append(f"unknown field `{name}`")
    for node in ast.find_all(nodes.Getattr):
        target = node.node
        if isinstance(target, nodes.Name) and target.name in OBJECTS:
            if node.attr not in OBJECTS[target.name]:
                problems.append(f"unknown field `{target.name}.{node.attr}`")
            elif not (target.name == "creator" and node.attr == "handles"):
                used.add(f"{target.name}.{node.attr}")
        elif (
            isinstance(target, nodes.Getattr)
            and isinstance(target.node, nodes.Name)
            and (target.node.name, target.attr) == ("creator", "handles")
        ):
            if node.attr not in PLATFORMS:
                problems.append(f"unknown platform `creator.handles.{node.attr}`")
            else:
                used.add(f"creator.handles.{node.attr}")
    attribute_bases = {id(g.node) for g in ast.find_all(nodes.Getattr)}
    for bare in ast.find_all(nodes.Name):
        if bare.name in OBJECTS and bare.ctx == "load" and id(bare) not in attribute_bases:
            problems.append(f"`{bare.name}` alone is not a field; use e.g. `{bare.name}.name`")
    if problems:
        unique = list(dict.fromkeys(problems))
        raise ValidationFailed(
            f"{part}: " + "; ".join(unique), details=[{"field": part, "message": p} for p in unique]
        )
    return used


def check(subject: str, html: str, text: str) -> list[str]:
    """Every field the template uses, or ValidationFailed (422) for syntax errors and unknown fields."""
    used: set[str] = set()
    for part, source in zip(PARTS, (subject, html, text), strict=True):
        used |= _fields(part, source)
    return sorted(used)


def create(req: EmailTemplateCreate) -> EmailTemplate:
    now = clock.now_iso()
    fields = check(req.subject, req.html, req.text)
    return EmailTemplate(
        id=ids.new_id(), fields=fields, created_at=now, updated_at=now, version=1, **req.model_dump()
    )


DRAFT_ID = "draft"


def draft(subject: str, html: str, text: str) -> EmailTemplate:
    """An unsaved template, checked as a save checks it: what a preview of a template being
    written renders (never stored; its id is `draft`)."""
    now = clock.now_iso()
    fields = check(subject, html, text)
    return EmailTemplate(
        id=DRAFT_ID,
        name="draft",
        subject=subject,
        html=html,
        text=text,
        fields=fields,
        created_at=now,
        updated_at=now,
        version=0,
    )


def patched(current: EmailTemplate, patch: EmailTemplatePatch) -> EmailTemplate:
    merged = current.model_dump() | patch.changes()
    merged["fields"] = check(merged["subject"], merged["html"], merged["text"])
    merged.update(updated_at=clock.now_iso(), version=current.version + 1)
    return revalidate(EmailTemplate, merged, "email template")


@dataclass(frozen=True)
class Personalization:
    creator: Creator
    brand_name: str
    campaign_name: str | None = None
    offer: str | None = None
    link: str | None = None
    promo_code: str | None = None
    sender_name: str | None = None
    signature: str | None = None
    page_url: str | None = None  # the creator's collaboration page (accept, decline, sign, ...)

    def context(self) -> dict[str, Any]:
        creator = self.creator
        ctx: dict[str, Any] = {
            "creator": {
                "first_name": creator.name.split()[0],
                "name": creator.name,
                "handles": {str(p): profile.handle for p, profile in creator.platforms.items()},
            },
            "brand": {"name": self.brand_name},
        }
        if self.campaign_name is not None:
            ctx["campaign"] = {"name": self.campaign_name}
        if self.sender_name is not None:
            ctx["sender"] = {"name": self.sender_name}
        for key in ("offer", "link", "promo_code", "signature", "page_url"):
            value = getattr(self, key)
            if value is not None:
                ctx[key] = value
        return ctx


# Marked so nobody mistakes them for the creator's own values: a preview shows them where a value
# does not exist yet (no link issued, no code, no collaboration page, no offer or campaign given).
SAMPLE_CODE = "SAMPLE-CODE"
SAMPLE_TEXT = {
    "offer": "[SAMPLE OFFER: the offer given when the outreach starts]",
    "signature": "[SAMPLE SIGNATURE: set one in PUT /v1/outreach/settings]",
    "campaign_name": "[SAMPLE CAMPAIGN]",
    "sender_name": "[SAMPLE SENDER]",
}


def with_samples(
    values: Personalization, fields: Iterable[str], base_url: str
) -> tuple[Personalization, list[str]]:
    """`values` with a marked sample for every field the template uses that has no value yet, and
    the names of those fields (as the template spells them)."""
    used = set(fields)
    samples = {
        "link": f"{base_url}/r/SAMPLE-LINK",
        "promo_code": SAMPLE_CODE,
        "page_url": f"{base_url}/c/SAMPLE-PAGE",
        **SAMPLE_TEXT,
    }
    spelled = {"campaign_name": "campaign.name", "sender_name": "sender.name"}
    changes: dict[str, Any] = {}
    for attr, sample in samples.items():
        if spelled.get(attr, attr) in used and getattr(values, attr) is None:
            changes[attr] = sample
    named = sorted(spelled.get(attr, attr) for attr in changes)
    return replace(values, **changes), named


class RenderError(ValidationFailed):
    """This creator cannot get this template (a value it uses is missing): nothing is sent."""


def render(template: EmailTemplate, values: Personalization) -> RenderedEmail:
    from jinja2 import TemplateError, UndefinedError
    from jinja2.exceptions import SecurityError

    ctx: Mapping[str, Any] = values.context()
    out = {}
    for part in PARTS:
        try:
            out[part] = _compiled(part, getattr(template, part)).render(ctx)
        except UndefinedError as exc:
            raise RenderError(
                f"cannot personalize the {part} for {values.creator.id}: {exc.message}"
            ) from exc
        except SecurityError as exc:  # the sandbox refused something a saved template tried
            raise RenderError(f"{part}: {exc}") from exc
        except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:  # e.g. {{ name + 1 }}
            raise RenderError(f"cannot render the {part} for {values.creator.id}: {exc}") from exc
    subject = " ".join(out["subject"].split())  # a header: one line
    return RenderedEmail(subject=subject, html=out["html"], text=out["text"])
