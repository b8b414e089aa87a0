"""Creator promo codes: registered or generated from a pattern, unique per brand ignoring case;
retired (and reactivated) by the brand, optionally mapped to the Stripe promotion code that is the
same code in Stripe."""

from __future__ import annotations

import re
import secrets

from roster import clock
from roster.errors import Conflict, ValidationFailed
from roster.links.links import owned_campaign_and_creator, utm_source
from roster.models.creators import Creator
from roster.models.promo_codes import CODE_PATTERN, PromoCode, PromoCodeCreate, PromoCodePatch, RetiredPeriod
from roster.store.registry import Stores

_RAND = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no look-alikes (0/O, 1/I/L)
MAX_N = 999


def _alnum(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text).upper()


def expand(pattern: str, creator: Creator, n: int) -> str:
    code = (
        pattern.replace("{HANDLE}", _alnum(utm_source(creator)))
        .replace("{NAME}", _alnum(creator.name.split()[0] if creator.name.split() else ""))
        .replace("{N}", str(n))
        .replace("{RAND}", "".join(secrets.choice(_RAND) for _ in range(4)))
    )
    if not re.fullmatch(CODE_PATTERN, code):
        raise ValidationFailed(
            "the pattern does not make a valid code",
            details=[
                {"field": "pattern", "message": f"{code!r}: codes are 3-32 letters, digits, '-' or '_'"}
            ],
        )
    return code


def create(stores: Stores, brand_id: str, req: PromoCodeCreate) -> PromoCode:
    campaign, creator = owned_campaign_and_creator(stores, brand_id, req.campaign_id, req.creator_id)
    now = clock.now_iso()

    def attempt(code: str) -> PromoCode:
        promo = PromoCode(
            code=code,
            campaign_id=campaign.id,
            creator_id=creator.id,
            stripe_promotion_code=req.stripe_promotion_code,
            created_at=now,
            updated_at=now,
        )
        stores.promo_codes.create(brand_id, promo)
        return promo

    if req.code:
        return attempt(req.code)
    assert req.pattern is not None
    numbered = "{N}" in req.pattern
    random = "{RAND}" in req.pattern
    tries = MAX_N if numbered else 5 if random else 1
    for i in range(1, tries + 1):
        try:
            return attempt(expand(req.pattern, creator, i))
        except Conflict as exc:  # the code is taken: try the next one (a taken Stripe id is final)
            if i == tries or all(d.get("field") != "code" for d in exc.details):
                raise
    raise AssertionError("unreachable")


def update(stores: Stores, brand_id: str, code: str, patch: PromoCodePatch) -> PromoCode:
    """Retires or reactivates a code (orders placed while it is retired earn nothing) and sets or
    removes its Stripe promotion code id. Sending what is already there changes nothing."""
    current = stores.promo_codes.require(brand_id, code)
    now = clock.now_iso()
    data = current.model_dump()
    if patch.status == "retired" and current.status == "active":
        data |= {"status": "retired", "retired_at": now}
    elif patch.status == "active" and current.status == "retired":
        period = RetiredPeriod(start=current.retired_at or current.created_at, end=now).model_dump()
        periods = [*data["retired_periods"], period]
        data |= {"status": "active", "retired_at": None, "retired_periods": periods}
    if "stripe_promotion_code" in patch.model_fields_set:
        data["stripe_promotion_code"] = patch.stripe_promotion_code
    if data == current.model_dump():
        return current
    updated = PromoCode.model_validate(data | {"updated_at": now, "version": current.version + 1})
    stores.promo_codes.replace(brand_id, current, updated)
    return updated
