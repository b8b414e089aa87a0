from __future__ import annotations

from typing import Any

from roster.errors import Conflict, NotFound
from roster.models.outreach import EmailTemplate
from roster.store import keys
from roster.store.table import Query, Table


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

    def get_template(self, brand_id: str, template_id: str) -> EmailTemplate:
        item = self.table.get(keys.brand_pk(brand_id), keys.email_template_sk(template_id))
        if item is None:
            raise NotFound("email template not found")
        return EmailTemplate.model_validate(item)

    def list_templates(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[EmailTemplate], str | None]:
        q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.email_template_sk(""))
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [EmailTemplate.model_validate(i) for i in items], next_cursor
