"""Routes for the brand's team: who is calling (`/v1/me`), and members (admin only): invite, list,
change a name or role, remove."""

from __future__ import annotations

from http import HTTPStatus as H

from aws_lambda_powertools.event_handler.api_gateway import Router

from roster.api.deps import WRITE_ERRORS, admin, principal, responses
from roster.deps import deps
from roster.models.members import Me, Member, MemberCreate, MemberList, MemberPatch


def build_router() -> Router:
    router = Router()

    @router.get(
        "/v1/me",
        tags=["members"],
        summary="Who is calling: the brand, and the member (or API key) with its role",
        responses=responses(200, Me),
    )
    def get_me() -> Me:
        from roster.program import members

        return members.me(deps().stores, principal(router))

    @router.get(
        "/v1/members",
        tags=["members"],
        summary="The brand's team members (admin only)",
        responses=responses(200, MemberList, H.FORBIDDEN),
    )
    def list_members() -> MemberList:
        from roster.program import members

        return MemberList(items=members.list_members(deps(), admin(router).brand_id))

    @router.post(
        "/v1/members",
        tags=["members"],
        status_code=201,
        summary="Invite a teammate by email (admin only): Cognito emails a temporary password, changed at "
        "the first sign-in; 409 when the email already has a Roster account",
        responses=responses(201, Member, H.FORBIDDEN, H.CONFLICT, *WRITE_ERRORS),
    )
    def invite_member(body: MemberCreate) -> Member:
        from roster.program import members

        return members.invite(deps(), admin(router).brand_id, body)

    @router.patch(
        "/v1/members/<member_id>",
        tags=["members"],
        summary="Change a member's name or role (admin only); 409 when it would leave the brand without "
        "an admin member",
        responses=responses(200, Member, H.FORBIDDEN, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def update_member(member_id: str, body: MemberPatch) -> Member:
        from roster.program import members

        return members.update(deps(), admin(router).brand_id, member_id, body)

    @router.delete(
        "/v1/members/<member_id>",
        tags=["members"],
        summary="Remove a member (admin only): the membership ends and the person can no longer sign in "
        "(within 60 s); 409 for the brand's last admin",
        responses=responses(200, Member, H.FORBIDDEN, H.NOT_FOUND, H.CONFLICT),
    )
    def remove_member(member_id: str) -> Member:
        from roster.program import members

        return members.remove(deps(), admin(router).brand_id, member_id)

    return router
