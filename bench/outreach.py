"""Outreach figures (issues 5, 16): messages rendered per second, and messages sent per second through
the real send step on moto (claim, checks, render, MIME, SESv2, records), beside a bare SESv2 send;
DynamoDB requests per message sent, one SQS batch of 10 at a time and one message at a time, beside
the floor."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

N_RENDER = 3000
N_SEND = 150
BATCH = 10  # the outreach queue's BatchSize (template.yaml)
# Requests per message no batch can share: read the enrollment, the creator and the suppression
# list; claim the message; the reply pointer; the sent record; the enrollment's next step. The
# bench template also uses the creator's link and promo code: one Query each.
FLOOR = 7 + 2


def section() -> list[str]:
    import boto3
    from moto import mock_aws

    from bench.common import brand_with_campaign, configure
    from roster.adapters.events import EventPublisher
    from roster.adapters.mailer import Mailer
    from roster.deps import Deps, deps
    from roster.models.creators import CreatorCreate
    from roster.models.outreach import (
        EmailTemplateCreate,
        Enrollment,
        OutreachSettings,
        Sequence,
        Step,
    )
    from roster.outreach import email_templates, sequences
    from roster.program import creators

    configure()

    class NoEvents(EventPublisher):
        def __init__(self) -> None:
            pass

        def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
            pass

    template = email_templates.create(
        EmailTemplateCreate(
            name="First touch",
            subject="{{ brand.name }} x {{ creator.first_name }}: {{ campaign.name }}",
            html="<p>Hi {{ creator.first_name }}, loved your reels (@{{ creator.handles.instagram }}).</p>"
            "<p>{{ offer }}</p>{% if link is defined %}<p><a href='{{ link }}'>Your link</a></p>{% endif %}"
            "<p>{{ signature }}</p>",
            text="Hi {{ creator.first_name }}!\n{{ offer }}\n{% if promo_code is defined %}Code: {{ promo_code }}{% endif %}\n"
            "{{ signature }}",
        )
    )
    with mock_aws():
        brand_id, campaign, calls = brand_with_campaign()
        boto3.client("ses").verify_domain_identity(Domain="mail.roster.example")
        s = deps().stores
        s.outreach.create_template(brand_id, template)
        s.outreach.put_settings(
            brand_id,
            OutreachSettings(
                from_email="team@mail.roster.example",
                from_name="Peak Gear",
                postal_address="Peak Gear Inc., 12 Ridge Road, Boulder, CO 80302",
                signature="Jo",
                updated_at="x",
            ),
        )
        people = [
            creators.create(
                s.creators,
                brand_id,
                CreatorCreate.model_validate(
                    {
                        "name": f"Creator {i}",
                        "email": f"c{i}@example.com",
                        "platforms": {"instagram": {"handle": f"c{i}"}},
                    }
                ),
            )
            for i in range(N_SEND)
        ]
        values = email_templates.Personalization(
            creator=people[0],
            brand_name="Peak Gear",
            campaign_name="Winter",
            offer="Boots & a fee",
            signature="Jo",
        )
        start = time.perf_counter()
        for _ in range(N_RENDER):
            email_templates.render(template, values)
        rendered = N_RENDER / (time.perf_counter() - start)

        seq = Sequence(
            id="SEQBENCH",
            campaign_id=campaign.id,
            steps=[Step(template_id=template.id)],
            offer="Boots",
            targeted=N_SEND,
            enrolled=N_SEND,
            created_at="x",
        )
        s.outreach.put_sequence(brand_id, seq)
        for c in people:
            s.outreach.enroll(
                brand_id,
                Enrollment(
                    campaign_id=campaign.id,
                    creator_id=c.id,
                    sequence_id=seq.id,
                    status="active",
                    step=0,
                    updated_at="x",
                ),
            )
        mailer = Mailer(None, 1_000_000)
        config = sequences.MailConfig(
            "bench-signing-key-0123456789", "mail.roster.example", "https://go.roster.test"
        )
        wired = Deps(stores=s, mailer=mailer, events=NoEvents(), mail=config)

        def job(c: Any) -> dict[str, Any]:
            return {
                "brand_id": brand_id,
                "campaign_id": campaign.id,
                "creator_id": c.id,
                "sequence_id": seq.id,
                "step": 0,
            }

        # Interleaved: one batch of BATCH messages sharing a SendBatch, then BATCH messages each alone.
        shared: Counter[str] = Counter()
        alone: Counter[str] = Counter()
        elapsed = 0.0
        for first in range(0, N_SEND, 2 * BATCH):
            calls.clear()
            start = time.perf_counter()
            batch = sequences.SendBatch()
            for c in people[first : first + BATCH]:
                assert sequences.send_step(wired, job(c), batch) == "sent"
            elapsed += time.perf_counter() - start
            shared.update(calls)
            calls.clear()
            start = time.perf_counter()
            for c in people[first + BATCH : first + 2 * BATCH]:
                assert sequences.send_step(wired, job(c)) == "sent"
            elapsed += time.perf_counter() - start
            alone.update(calls)
        sent = N_SEND / elapsed
        n_shared = sum(len(people[first : first + BATCH]) for first in range(0, N_SEND, 2 * BATCH))
        n_alone = N_SEND - n_shared
        per_message = {k: v / n_shared for k, v in sorted(shared.items())}
        per_alone = {k: v / n_alone for k, v in sorted(alone.items())}
        raw = b"From: team@mail.roster.example\r\nTo: x@example.com\r\nSubject: hi\r\n\r\nhi"
        start = time.perf_counter()
        for i in range(N_SEND):
            mailer.client.send_email(
                FromEmailAddress="team@mail.roster.example",
                Destination={"ToAddresses": [f"x{i}@example.com"]},
                Content={"Raw": {"Data": raw}},
            )
        bare = N_SEND / (time.perf_counter() - start)
    reqs = ", ".join(f"{v:g} {k}" for k, v in per_message.items())
    reqs_alone = ", ".join(f"{v:g} {k}" for k, v in per_alone.items())
    total, total_alone = sum(per_message.values()), sum(per_alone.values())
    return [
        "## Outreach",
        "",
        f"In-process on moto: a template with 8 personalization fields rendered {N_RENDER} times, and {N_SEND}",
        "messages sent through the real send step (claim, suppression and role checks, context reads,",
        "render, MIME with List-Unsubscribe and footer, SESv2 raw send, message and enrollment writes):",
        "",
        "| | per second |",
        "|---|---:|",
        f"| messages rendered (subject, HTML, text) | {rendered:,.0f} |",
        f"| messages sent through the send step | {sent:,.0f} |",
        f"| baseline: bare SESv2 SendEmail (raw) to moto | {bare:,.0f} |",
        "",
        "Rendering reuses compiled templates (an LRU cache): compiling on every render held it at",
        "about 480 per second on this machine before. Sending is bound by moto's DynamoDB (its Query",
        "scans the partition) more than by Roster: see the bare SESv2 baseline.",
        "",
        "DynamoDB requests per message sent:",
        "",
        "| | requests per message | × the floor | which |",
        "|---|---:|---:|---|",
        f"| floor: what no batch can share | {FLOOR} | 1.00 | 7 + the 2 fields the template uses |",
        f"| {BATCH} messages of one SQS batch | {total:.1f} | {total / FLOOR:.2f} | {reqs} |",
        f"| one message alone (a batch of 1) | {total_alone:.1f} | {total_alone / FLOOR:.2f} | {reqs_alone} |",
        "",
        "The floor: every message reads its enrollment (a reply or an unsubscribe stops it), its",
        "creator (the address) and the suppression list, claims its message record, writes the",
        "reply pointer, the sent record and the enrollment's next step: 7. The creator's link, code",
        "and collaboration page are one Query each, made only when the template uses them (this one",
        "uses the link and the code). The sequence, the sender settings, the template, the brand",
        "and the campaign are read once per SQS batch (`sequences.SendBatch`), so they are a few",
        "seconds old at most. The last `make bench` before issue 16 counted 15 per message (8 GetItem,",
        "4 PutItem, 3 Query).",
        "On AWS the rate is SES's: the workers pace themselves (`SES_MAX_SEND_RATE` × the queue's",
        "MaximumConcurrency of 2 = 10 messages per second by default) and back off when SES throttles.",
        "",
    ]
