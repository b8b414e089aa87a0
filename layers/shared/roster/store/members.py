"""A brand's team members: the brand's listing (`MEMBER#<id>`) and a global lookup by the Cognito
`sub` (what the authorizer reads), written together with the same record, as API keys are."""

from __future__ import annotations

from typing import Any

from roster.errors import Conflict
from roster.models.members import MemberRecord
from roster.store import keys
from roster.store.table import Query, Table, or_not_found


class MemberStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def _ops(
        self, record: MemberRecord, condition: str, values: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return self.table.mirrored_put_ops(
            record.model_dump(mode="json"),
            [
                (keys.member_lookup_pk(record.sub), keys.member_lookup_sk(), "member_lookup"),
                (keys.brand_pk(record.brand_id), keys.member_sk(record.id), "member"),
            ],
            condition=condition,
            values=values,
        )

    def create(self, record: MemberRecord) -> None:
        if self.table.transact(self._ops(record, "attribute_not_exists(PK)")) is not None:
            raise Conflict("this person is already a member")

    def get(self, brand_id: str, member_id: str) -> MemberRecord | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.member_sk(member_id), consistent=True)
        return MemberRecord.model_validate(item) if item else None

    def require(self, brand_id: str, member_id: str) -> MemberRecord:
        return or_not_found(self.get(brand_id, member_id), "member not found")

    def list(self, brand_id: str) -> list[MemberRecord]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.MEMBER_PREFIX,
            consistent=True,
        )
        return [MemberRecord.model_validate(i) for i in self.table.query_all(q)]

    def replace(self, old: MemberRecord, new: MemberRecord) -> None:
        """Writes `new` over both items, on condition that they still hold `old` (409 otherwise)."""
        ops = self._ops(new, "attribute_exists(PK) AND version = :v", {":v": old.version})
        if self.table.transact(ops) is not None:
            raise Conflict("the member changed meanwhile; read it again")

    def delete(self, record: MemberRecord) -> None:
        values = {":v": record.version}
        ops = [
            self.table.delete_op(
                keys.member_lookup_pk(record.sub),
                keys.member_lookup_sk(),
                condition="version = :v",
                values=values,
            ),
            self.table.delete_op(
                keys.brand_pk(record.brand_id),
                keys.member_sk(record.id),
                condition="version = :v",
                values=values,
            ),
        ]
        if self.table.transact(ops) is not None:
            raise Conflict("the member changed meanwhile; read it again")
