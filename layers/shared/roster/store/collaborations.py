"""Collaborations, with their private workflow fields, and each campaign's workflow record."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from roster.errors import Conflict
from roster.models.collaborations import Collaboration
from roster.store import keys
from roster.store.table import Query, Table, or_not_found

# `answer`: the last action taken, which a wait takes when Step Functions never got it
# (roster.workflows.collaborations.act); `uploads`: the creator's draft files not yet in a proposal
# (roster.portal.drafts).
PRIVATE = ("task_token", "execution_arn", "version", "brand_id", "due", "answer", "uploads")


class CollaborationStore:
    """Collaborations (one creator in one campaign), with the task token of the step that waits;
    the token and execution never leave the store in API answers."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _item(brand_id: str, c: Collaboration, private: dict[str, Any]) -> dict[str, Any]:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.collaboration_sk(c.id),
            keys.GSI1PK: keys.collaborations_by_campaign_pk(brand_id, c.campaign_id),
            keys.GSI1SK: f"{c.creator_id}#{c.id}",
            keys.GSI2PK: keys.collaborations_by_creator_pk(brand_id, c.creator_id),
            keys.GSI2SK: f"{c.created_at}#{c.id}",
            "entity": "collaboration",
            **c.model_dump(mode="json"),
            **{k: v for k, v in private.items() if k in PRIVATE},
        }

    def create(self, brand_id: str, c: Collaboration, execution_arn: str) -> bool:
        """False when this creator already has a collaboration in this campaign (same id)."""
        item = self._item(brand_id, c, {"execution_arn": execution_arn, "version": 1, "brand_id": brand_id})
        return self.table.put(item, condition="attribute_not_exists(PK)") is None

    def get_raw(self, brand_id: str, collaboration_id: str) -> dict[str, Any] | None:
        """The item with its private fields (task token, execution, version), read consistently."""
        return self.table.get(
            keys.brand_pk(brand_id), keys.collaboration_sk(collaboration_id), consistent=True
        )

    def require_raw(self, brand_id: str, collaboration_id: str) -> dict[str, Any]:
        return or_not_found(self.get_raw(brand_id, collaboration_id), "collaboration not found")

    def get(self, brand_id: str, collaboration_id: str) -> Collaboration | None:
        item = self.get_raw(brand_id, collaboration_id)
        return Collaboration.model_validate(item) if item is not None else None

    def require(self, brand_id: str, collaboration_id: str) -> Collaboration:
        return Collaboration.model_validate(self.require_raw(brand_id, collaboration_id))

    def mutate(
        self,
        brand_id: str,
        collaboration_id: str,
        change: Callable[[Collaboration, dict[str, Any]], None],
        *,
        attempts: int = 5,
    ) -> tuple[Collaboration, dict[str, Any]]:
        """Read, change (the model and the private fields), write if nobody wrote in between;
        retries a few times on a concurrent write (a workflow task and an API call, say)."""
        for _ in range(attempts):
            raw = self.require_raw(brand_id, collaboration_id)
            model = Collaboration.model_validate(raw)
            private = {k: raw.get(k) for k in PRIVATE}
            change(model, private)
            version = int(raw.get("version", 0))
            private["version"] = version + 1
            old = self.table.put(
                self._item(brand_id, model, private),
                condition="#v = :v",
                names={"#v": "version"},
                values={":v": version},
            )
            if old is None:
                return model, private
        raise Conflict("the collaboration is changing right now; retry")

    def list(
        self, brand_id: str, campaign_id: str, *, stage: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Collaboration], str | None]:
        q = Query(
            keys.GSI1PK,
            keys.collaborations_by_campaign_pk(brand_id, campaign_id),
            index=keys.GSI1,
            filter_expression="#stage = :stage" if stage else None,
            names={"#stage": "stage"} if stage else {},
            values={":stage": stage} if stage else {},
        )
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Collaboration.model_validate(i) for i in items], next_cursor

    def history(
        self, brand_id: str, creator_id: str, *, limit: int, cursor: str | None
    ) -> tuple[builtins.list[Collaboration], str | None]:
        q = Query(keys.GSI2PK, keys.collaborations_by_creator_pk(brand_id, creator_id), index=keys.GSI2)
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Collaboration.model_validate(i) for i in items], next_cursor

    def all_raw(self, brand_id: str, campaign_id: str) -> builtins.list[dict[str, Any]]:
        q = Query(keys.GSI1PK, keys.collaborations_by_campaign_pk(brand_id, campaign_id), index=keys.GSI1)
        return self.table.query_all(q)

    def open_for_creator(self, brand_id: str, campaign_id: str, creator_id: str) -> dict[str, Any] | None:
        q = Query(
            keys.GSI1PK,
            keys.collaborations_by_campaign_pk(brand_id, campaign_id),
            index=keys.GSI1,
            sort_attr=keys.GSI1SK,
            sort_prefix=f"{creator_id}#",
        )
        items = [i for i in self.table.query_all(q) if i.get("status") == "open"]
        return items[0] if items else None

    # --- the campaign's own workflow --------------------------------------------------------

    def get_campaign_workflow(self, brand_id: str, campaign_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.brand_pk(brand_id), keys.campaign_workflow_sk(campaign_id))

    def claim_campaign_workflow(self, brand_id: str, campaign_id: str, data: dict[str, Any]) -> bool:
        """True for the one caller that gets to launch the campaign execution."""
        item = {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.campaign_workflow_sk(campaign_id),
            "entity": "campaign_workflow",
            **data,
        }
        return self.table.put(item, condition="attribute_not_exists(PK)") is None

    def drop_campaign_workflow(self, brand_id: str, campaign_id: str) -> None:
        self.table.delete(keys.brand_pk(brand_id), keys.campaign_workflow_sk(campaign_id))

    def record_campaign_report(self, brand_id: str, campaign_id: str, reports: builtins.list[Any]) -> None:
        """Sets the periodic reports only: a report racing the wrap-up never undoes it."""
        self.table.update(
            keys.brand_pk(brand_id),
            keys.campaign_workflow_sk(campaign_id),
            expression="SET #reports = :reports",
            condition="attribute_exists(PK)",  # the execution's own record, claimed at its launch
            names={"#reports": "reports"},
            values={":reports": reports},
        )

    def close_campaign_workflow(
        self, brand_id: str, campaign_id: str, fields: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The wrap-up, once: None for the one caller whose fields (`closed_at` among them) were
        written; else the record as the refusing write found it (read from the failure itself, so
        as fresh as the condition: {} when there is no record, which a wrap-up never creates)."""
        return self.table.update(
            keys.brand_pk(brand_id),
            keys.campaign_workflow_sk(campaign_id),
            expression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
            condition="attribute_exists(PK) AND attribute_not_exists(#closed_at)",
            names={f"#{k}": k for k in fields} | {"#closed_at": "closed_at"},
            values={f":{k}": v for k, v in fields.items()},
        )

    def mark_campaign_workflow_cancelled(
        self, brand_id: str, campaign_id: str, open_items: builtins.list[Any] | None = None
    ) -> None:
        """A cancellation after the wrap-up: the wrap-up stands and its status says cancelled;
        with `open_items`, those replace the wrap-up's (it raced the cancellation)."""
        names = {"#status": "status", "#closed": "closed_at"}
        values: dict[str, Any] = {":status": "cancelled"}
        expression = "SET #status = :status"
        if open_items is not None:
            names["#open"] = "open_items"
            values[":open"] = open_items
            expression += ", #open = :open"
        self.table.update(
            keys.brand_pk(brand_id),
            keys.campaign_workflow_sk(campaign_id),
            expression=expression,
            condition="attribute_exists(#closed)",
            names=names,
            values=values,
        )
