"""The brand's application page (with its global slug lookup) and the applications sent through it."""

from __future__ import annotations

import time
from typing import Any

from roster.errors import Conflict
from roster.models.applications import Application, ApplicationPage, ApplicationStatus
from roster.store import keys
from roster.store.table import Query, Table, or_not_found


class ApplicationStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- the page

    def get_page(self, brand_id: str) -> ApplicationPage | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.application_page_sk())
        return ApplicationPage.model_validate(item) if item else None

    def put_page(self, brand_id: str, new: ApplicationPage, old: ApplicationPage | None) -> None:
        """Saves the page and claims its slug in one transaction; a new slug frees the old one in the
        same transaction, so a slug is never held by two brands nor lost between them."""
        item = {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.application_page_sk(),
            "entity": "application_page",
            **new.model_dump(mode="json", exclude={"url"}),
        }
        if old is None:
            ops = [self.table.put_op(item, condition="attribute_not_exists(PK)")]
        else:
            ops = [self.table.put_op(item, condition="version = :v", values={":v": old.version})]
        ops.append(
            self.table.put_op(
                {
                    keys.PK: keys.application_slug_pk(new.slug),
                    keys.SK: keys.application_slug_sk(),
                    "entity": "application_slug",
                    "brand_id": brand_id,
                },
                condition="attribute_not_exists(PK) OR brand_id = :b",
                values={":b": brand_id},
            )
        )
        if old is not None and old.slug != new.slug:
            ops.append(
                self.table.delete_op(
                    keys.application_slug_pk(old.slug),
                    keys.application_slug_sk(),
                    condition="brand_id = :b",
                    values={":b": brand_id},
                )
            )
        failed = self.table.transact(ops)
        if failed is None:
            return
        if failed[1] is not None:
            raise Conflict(
                "this address is taken",
                details=[{"field": "slug", "message": f"/apply/{new.slug} is used by another brand"}],
            )
        raise Conflict("the application page was changed by another request; fetch it and try again")

    def brand_for_slug(self, slug: str) -> str | None:
        item = self.table.get(keys.application_slug_pk(slug), keys.application_slug_sk())
        return str(item["brand_id"]) if item else None

    # ---- applications

    @staticmethod
    def _item(brand_id: str, app: Application, expires_at: int | None) -> dict[str, Any]:
        item: dict[str, Any] = {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.application_sk(app.id),
            "entity": "application",
            **app.model_dump(mode="json", exclude_none=True),
        }
        if app.status == ApplicationStatus.UNCONFIRMED:
            if expires_at is not None:
                item[keys.TTL_ATTRIBUTE] = expires_at
        else:  # only a confirmed application is listed
            item[keys.GSI1PK] = keys.applications_by_status_pk(brand_id, app.status)
            item[keys.GSI1SK] = f"{app.applied_at or app.created_at}#{app.id}"
        return item

    def create(self, brand_id: str, app: Application, *, ttl: int) -> None:
        """An unconfirmed application, gone after `ttl` seconds unless confirmed."""
        item = self._item(brand_id, app, int(time.time()) + ttl)
        if self.table.put(item, condition="attribute_not_exists(PK)") is not None:
            raise Conflict("application id already exists")

    def get(self, brand_id: str, application_id: str, *, consistent: bool = False) -> Application | None:
        """The application; an unconfirmed one whose time ran out is gone (TTL deletion lags)."""
        item = self.table.get(
            keys.brand_pk(brand_id), keys.application_sk(application_id), consistent=consistent
        )
        if not item:
            return None
        expires = item.get(keys.TTL_ATTRIBUTE)
        if expires is not None and int(expires) <= int(time.time()):
            return None
        return Application.model_validate(item)

    def require_confirmed(self, brand_id: str, application_id: str) -> Application:
        """What the brand may see: a confirmed application (an unconfirmed one is not found)."""
        app = self.get(brand_id, application_id, consistent=True)
        if app is not None and app.status == ApplicationStatus.UNCONFIRMED:
            app = None
        return or_not_found(app, "application not found")

    def replace(self, brand_id: str, old: Application, new: Application) -> None:
        """Writes `new` if the stored application is still `old` (same version and status): a
        confirmation or a decision happens once, however many race."""
        failed = self.table.put(
            self._item(brand_id, new, None),
            condition="version = :v AND #status = :s",
            names={"#status": "status"},
            values={":v": old.version, ":s": old.status.value},
        )
        if failed is not None:
            now = failed.get("status") or "gone"
            raise Conflict(f"the application is already {now}")

    def discard(self, brand_id: str, application_id: str) -> bool:
        """Deletes an application that was never confirmed ("this wasn't me"); False otherwise."""
        return self.table.delete(
            keys.brand_pk(brand_id),
            keys.application_sk(application_id),
            condition="#status = :s",
            names={"#status": "status"},
            values={":s": ApplicationStatus.UNCONFIRMED.value},
        )

    def list(
        self, brand_id: str, status: ApplicationStatus, *, limit: int, cursor: str | None
    ) -> tuple[list[Application], str | None]:
        """Pending ones oldest first (a queue); decided ones newest first."""
        q = Query(
            keys.GSI1PK,
            keys.applications_by_status_pk(brand_id, status),
            index=keys.GSI1,
            descending=status != ApplicationStatus.PENDING,
        )
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Application.model_validate(i) for i in items], next_cursor
