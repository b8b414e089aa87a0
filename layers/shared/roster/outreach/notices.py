"""One-off notices to a creator from the brand's sender, through outreach's sending path: the
brand's verified sender and configuration set (SES events record bounces and complaints), the
suppression list and role-address refusal, the footer with the postal address and the one-click
unsubscribe. Workflow steps (the brief, reminders, "your turn" emails), sign-in links and
application answers all send through here.

A notice that cannot be sent returns False and is logged, never raised: no workflow step and no
page may fail over an email."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from roster import ids
from roster.adapters.mailer import Rejected, Throttled, Unavailable
from roster.models.creators import Creator
from roster.observability import logger
from roster.outreach import mail, sequences

if TYPE_CHECKING:
    from roster.deps import Deps


def send(
    d: Deps,
    brand_id: str,
    creator: Creator,
    subject: str,
    text: str,
    *,
    link: str | None = None,
    link_label: str = "Your collaboration page",
    pointer_id: str | None = None,
    campaign_id: str = "",
    tags: dict[str, str] | None = None,
    retry: bool = False,
) -> bool:
    """Emails `creator` a plain notice (`text`, then `link_label: link`); False when it is not sent
    (no sender set, no configuration set, suppressed, role address, SES refusing). With `retry`
    (a queue worker, whose message is retried), SES not taking it now (Throttled, Unavailable) is
    raised instead: the retry may send it.

    `pointer_id` (a collaboration id, say) stands in for a message id: mail to
    `unsubscribe+<pointer>` resolves to this creator, as for outreach messages."""
    settings, config = d.stores.outreach.get_settings(brand_id), d.mail
    # Only through the configuration set: its SES events are what record bounces and complaints.
    if not (settings and config and d.mailer.configuration_set):
        return False
    if sequences.refusal(d.stores, brand_id, creator):
        return False
    token = mail.unsubscribe_token(config.signing_key, brand_id, creator.id)
    body = f"{text}\n\n{link_label}: {link}" if link else text
    pointer = pointer_id or creator.id
    d.stores.outreach.put_reply_pointer(pointer, brand_id, campaign_id, creator.id)
    mailto = mail.reply_address(config.signing_key, pointer, config.mail_domain).replace(
        "reply+", "unsubscribe+", 1
    )
    paragraphs = []
    for line in text.split("\n"):
        if line:
            paragraphs.append(f"<p>{html.escape(line)}</p>")
    if link:
        paragraphs.append(f'<p><a href="{html.escape(link)}">{html.escape(link_label)}</a></p>')
    raw = mail.build(
        from_name=settings.from_name,
        from_email=settings.from_email,
        to=creator.email,
        subject=subject,
        html="".join(paragraphs),
        text=body,
        reply_to=settings.from_email,
        unsubscribe_url=f"{config.public_url}/u/{token}",
        unsubscribe_mailto=mailto,
        postal_address=settings.postal_address,
    )
    try:
        d.mailer.send(settings.from_email, creator.email, raw, {"brand": brand_id, **(tags or {})})
    except (Rejected, Throttled, Unavailable) as exc:
        # The exception's type only: SES's message can name the address.
        logger.warning("notice not sent", extra={"creator_id": creator.id, "error": type(exc).__name__})
        if retry and not isinstance(exc, Rejected):
            raise
        return False
    return True


def send_to_address(
    d: Deps,
    brand_id: str,
    to: str,
    subject: str,
    text: str,
    *,
    link: str,
    link_label: str,
    unsubscribe_url: str,
    tags: dict[str, str] | None = None,
) -> bool:
    """Emails an address that is not a creator of the brand yet: the application page's "confirm
    your email" message, sent before any creator exists (one is created only once the address is
    confirmed). `send` needs a creator: its unsubscribe link and reply pointer name one. Here the
    same rules hold otherwise (the brand's verified sender and configuration set, the suppression
    list, role addresses refused, the footer with the postal address), and the unsubscribe link is
    the caller's (`unsubscribe_url`, which must stop further mail to this address and take RFC 8058
    one-click posts); replies go to the brand's sender. False when not sent, never raised."""
    settings, config = d.stores.outreach.get_settings(brand_id), d.mail
    if not (settings and config and d.mailer.configuration_set):
        return False
    if mail.role_address(to) or d.stores.outreach.suppression(brand_id, ids.email_hash(to)):
        return False
    paragraphs = [f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line]
    paragraphs.append(f'<p><a href="{html.escape(link)}">{html.escape(link_label)}</a></p>')
    raw = mail.build(
        from_name=settings.from_name,
        from_email=settings.from_email,
        to=to,
        subject=subject,
        html="".join(paragraphs),
        text=f"{text}\n\n{link_label}: {link}",
        reply_to=settings.from_email,
        unsubscribe_url=unsubscribe_url,
        unsubscribe_mailto=settings.from_email,
        postal_address=settings.postal_address,
    )
    try:
        d.mailer.send(settings.from_email, to, raw, {"brand": brand_id, **(tags or {})})
    except (Rejected, Throttled, Unavailable) as exc:
        logger.warning("notice not sent", extra={"brand_id": brand_id, "error": type(exc).__name__})
        return False
    return True
