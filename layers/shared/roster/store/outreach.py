"""Outreach data: templates, settings, sequences, enrollments (with the due index), messages,
reply pointers and suppressions."""

from __future__ import annotations

from typing import Any

from roster import clock
from roster.errors import Conflict, NotFound
from roster.models.outreach import (
    EmailTemplate,
    Enrollment,
    MessageEvent,
    OutreachMessage,
    OutreachSettings,
    Sequence,
)
from roster.store import keys
from roster.store.table import Query, Table, or_not_found


class OutreachStore:
    """Email templates (and, as outreach grows, sequences and messages) under the brand."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _item(brand_id: str, template: EmailTemplate) -> dict[str, Any]:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.email_template_sk(template.id),
            "entity": "email_template",
            **template.model_dump(mode="json"),
        }

    def create_template(self, brand_id: str, template: EmailTemplate) -> None:
        if self.table.put(self._item(brand_id, template), condition="attribute_not_exists(PK)") is not None:
            raise Conflict("email template id already exists")

    def replace_template(self, brand_id: str, template: EmailTemplate, *, expected_version: int) -> None:
        old = self.table.put(
            self._item(brand_id, template),
            condition="attribute_exists(PK) AND version = :v",
            values={":v": expected_version},
        )
        if old is not None:
            if not old:
                raise NotFound("email template not found")
            raise Conflict("the template was changed by another request; fetch it and try again")

    def get_template(self, brand_id: str, template_id: str) -> EmailTemplate | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.email_template_sk(template_id))
        return EmailTemplate.model_validate(item) if item is not None else None

    def require_template(self, brand_id: str, template_id: str) -> EmailTemplate:
        return or_not_found(self.get_template(brand_id, template_id), "email template not found")

    def list_templates(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[EmailTemplate], str | None]:
        q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.email_template_sk(""))
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [EmailTemplate.model_validate(i) for i in items], next_cursor

    # --- sender settings -------------------------------------------------------------------

    def put_settings(self, brand_id: str, settings: OutreachSettings) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.outreach_settings_sk(),
                "entity": "outreach_settings",
                **settings.model_dump(mode="json"),
            }
        )

    def get_settings(self, brand_id: str) -> OutreachSettings | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.outreach_settings_sk())
        return OutreachSettings.model_validate(item) if item else None

    # --- sequences and enrollments ---------------------------------------------------------

    def put_sequence(self, brand_id: str, sequence: Sequence) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.sequence_sk(sequence.campaign_id, sequence.id),
                "entity": "sequence",
                **sequence.model_dump(mode="json"),
            }
        )

    def get_sequence(self, brand_id: str, campaign_id: str, sequence_id: str) -> Sequence | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.sequence_sk(campaign_id, sequence_id))
        return Sequence.model_validate(item) if item else None

    def sequences(self, brand_id: str, campaign_id: str) -> list[Sequence]:
        q = Query(
            keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.sequence_sk(campaign_id, "")
        )
        return [Sequence.model_validate(i) for i in self.table.query_all(q)]

    @staticmethod
    def _enrollment_item(brand_id: str, e: Enrollment) -> dict[str, Any]:
        item = {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.enrollment_sk(e.campaign_id, e.creator_id),
            keys.GSI1PK: keys.enrollments_by_creator_pk(brand_id, e.creator_id),
            keys.GSI1SK: e.campaign_id,
            "entity": "enrollment",
            "brand_id": brand_id,
            **e.model_dump(mode="json"),
        }
        if e.status == "active" and e.next_send_at:
            item |= {
                keys.GSI2PK: keys.outreach_due_pk(),
                keys.GSI2SK: f"{e.next_send_at}#{brand_id}#{e.campaign_id}#{e.creator_id}",
            }
        return item

    def enroll(self, brand_id: str, e: Enrollment) -> bool:
        """False when the creator is already in an active outreach of this campaign."""
        old = self.table.put(
            self._enrollment_item(brand_id, e),
            condition="attribute_not_exists(PK) OR #status <> :active",
            names={"#status": "status"},
            values={":active": "active"},
        )
        return old is None

    def get_enrollment(self, brand_id: str, campaign_id: str, creator_id: str) -> Enrollment | None:
        item = self.table.get(
            keys.brand_pk(brand_id), keys.enrollment_sk(campaign_id, creator_id), consistent=True
        )
        return Enrollment.model_validate(item) if item else None

    def save_enrollment(self, brand_id: str, e: Enrollment, *, expected_step: int) -> bool:
        """Writes the enrollment if it is still active at the step the caller read (no lost stop)."""
        old = self.table.put(
            self._enrollment_item(brand_id, e),
            condition="#status = :active AND #step = :step",
            names={"#status": "status", "#step": "step"},
            values={":active": "active", ":step": expected_step},
        )
        return old is None

    def mark(
        self,
        brand_id: str,
        campaign_id: str,
        creator_id: str,
        flags: dict[str, Any],
        *,
        stop: str | None = None,
    ) -> bool:
        """Sets funnel flags; with `stop`, also ends an active sequence (and leaves the due index).
        Returns True if the enrollment existed (and, with `stop`, was active)."""
        names = {f"#{k}": k for k in flags} | {"#updated": "updated_at"}
        values: dict[str, Any] = {f":{k}": v for k, v in flags.items()} | {":now": clock.now_iso()}
        sets = [f"#{k} = :{k}" for k in flags] + ["#updated = :now"]
        remove = ""
        condition = "attribute_exists(PK)"
        if stop:
            names |= {"#status": "status", "#reason": "stop_reason", "#next": "next_send_at"}
            values |= {":stopped": "stopped", ":reason": stop, ":active": "active"}
            sets += ["#status = :stopped", "#reason = :reason"]
            remove = f" REMOVE #next, {keys.GSI2PK}, {keys.GSI2SK}"
            condition += " AND #status = :active"
        old = self.table.update(
            keys.brand_pk(brand_id),
            keys.enrollment_sk(campaign_id, creator_id),
            expression="SET " + ", ".join(sets) + remove,
            condition=condition,
            names=names,
            values=values,
        )
        if old is not None and stop and old:  # not active any more: still record what happened
            self.mark(brand_id, campaign_id, creator_id, flags)
            return False
        return old is None

    def enrollments(
        self, brand_id: str, campaign_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Enrollment], str | None]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.enrollment_sk(campaign_id, ""),
        )
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Enrollment.model_validate(i) for i in items], next_cursor

    def all_enrollments(self, brand_id: str, campaign_id: str) -> list[Enrollment]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.enrollment_sk(campaign_id, ""),
        )
        return [Enrollment.model_validate(i) for i in self.table.query_all(q)]

    def creator_enrollments(self, brand_id: str, creator_id: str) -> list[Enrollment]:
        q = Query(keys.GSI1PK, keys.enrollments_by_creator_pk(brand_id, creator_id), index=keys.GSI1)
        return [Enrollment.model_validate(i) for i in self.table.query_all(q)]

    def due(self, now: str, limit: int = 500) -> list[tuple[str, Enrollment]]:
        """Active enrollments whose next step is due, across brands (the follow-up dispatcher)."""
        # Sort keys are `<next_send_at>#…` in `now`'s format: `<= now + "~"` is "due by now".
        q = Query(
            keys.GSI2PK, keys.outreach_due_pk(), index=keys.GSI2, sort_attr=keys.GSI2SK, sort_max=now + "~"
        )
        items, _ = self.table.query_page(q, limit=limit, cursor=None)
        return [(i["brand_id"], Enrollment.model_validate(i)) for i in items]

    def undue(self, brand_id: str, e: Enrollment) -> bool:
        """Takes the enrollment out of the due index once its step is queued (only once)."""
        old = self.table.update(
            keys.brand_pk(brand_id),
            keys.enrollment_sk(e.campaign_id, e.creator_id),
            expression=f"REMOVE {keys.GSI2PK}, {keys.GSI2SK}",
            condition="#next = :next AND #step = :step",
            names={"#next": "next_send_at", "#step": "step"},
            values={":next": e.next_send_at, ":step": e.step},
        )
        return old is None

    # --- messages ---------------------------------------------------------------------------

    def claim_message(self, brand_id: str, m: OutreachMessage) -> bool:
        """Creates the message record before sending: False if this step was already attempted."""
        old = self.table.put(self._message_item(brand_id, m), condition="attribute_not_exists(PK)")
        return old is None

    @staticmethod
    def _message_item(brand_id: str, m: OutreachMessage) -> dict[str, Any]:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.message_sk(m.id),
            keys.GSI1PK: keys.messages_by_campaign_pk(brand_id, m.campaign_id),
            keys.GSI1SK: f"{m.creator_id}#{m.created_at}#{m.id}",
            "entity": "message",
            **m.model_dump(mode="json"),
        }

    def save_message(self, brand_id: str, m: OutreachMessage) -> None:
        self.table.overwrite(self._message_item(brand_id, m))

    def release_message(self, brand_id: str, message_id: str) -> None:
        """Forgets a claim whose send never happened (throttled), so the retry can send."""
        self.table.delete(keys.brand_pk(brand_id), keys.message_sk(message_id))

    def get_message(self, brand_id: str, message_id: str) -> OutreachMessage | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.message_sk(message_id))
        return OutreachMessage.model_validate(item) if item else None

    def add_message_event(
        self, brand_id: str, message_id: str, event: MessageEvent, status: str | None
    ) -> None:
        names = {"#events": "events"}
        values: dict[str, Any] = {":e": [event.model_dump(mode="json")], ":empty": []}
        expression = "SET #events = list_append(if_not_exists(#events, :empty), :e)"
        if status:
            names["#status"] = "status"
            values[":status"] = status
            expression += ", #status = :status"
        self.table.update(
            keys.brand_pk(brand_id),
            keys.message_sk(message_id),
            expression=expression,
            condition="attribute_exists(PK)",
            names=names,
            values=values,
        )

    def messages(
        self, brand_id: str, campaign_id: str, creator_id: str | None, *, limit: int, cursor: str | None
    ) -> tuple[list[OutreachMessage], str | None]:
        q = Query(
            keys.GSI1PK,
            keys.messages_by_campaign_pk(brand_id, campaign_id),
            index=keys.GSI1,
            sort_attr=keys.GSI1SK,
            sort_prefix=f"{creator_id}#" if creator_id else None,
        )
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [OutreachMessage.model_validate(i) for i in items], next_cursor

    def put_reply_pointer(self, message_id: str, brand_id: str, campaign_id: str, creator_id: str) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.reply_pointer_pk(message_id),
                keys.SK: keys.reply_pointer_sk(),
                "entity": "reply_pointer",
                "brand_id": brand_id,
                "campaign_id": campaign_id,
                "creator_id": creator_id,
            }
        )

    def reply_pointer(self, message_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.reply_pointer_pk(message_id), keys.reply_pointer_sk())

    # --- suppression ------------------------------------------------------------------------

    def suppress(self, brand_id: str, email_hash: str, reason: str) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.suppression_sk(email_hash),
                "entity": "suppression",
                "reason": reason,
                "at": clock.now_iso(),
            }
        )

    def suppression(self, brand_id: str, email_hash: str) -> str | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.suppression_sk(email_hash), consistent=True)
        return str(item["reason"]) if item else None
