"""Team members (a brand's people, signed in through the Cognito user pool) and the sign-in bodies.

Cognito holds only credentials; the brand and role of a member live here, in Roster's table.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, EmailStr, Field, SecretStr

from roster.models.auth import Role
from roster.models.common import PatchModel, RequestModel

PASSWORD_MIN = 12  # the user pool's policy (template.yaml); Cognito enforces the rest
EMAIL_MAX = 128  # Cognito's username limit


def _email(value: str) -> str:
    if len(value) > EMAIL_MAX:
        raise ValueError(f"an email of at most {EMAIL_MAX} characters")
    return value.lower()


Email = Annotated[EmailStr, AfterValidator(_email)]
Password = Annotated[SecretStr, Field(min_length=PASSWORD_MIN, max_length=256)]


class MemberRecord(BaseModel):
    """What is stored for a member, under the brand and in the global lookup by Cognito `sub`."""

    id: str
    brand_id: str
    sub: str = Field(description="The Cognito user's `sub`")
    email: str
    name: str
    role: Role
    created_at: str
    updated_at: str
    version: int = 1


# invited: has not signed in yet (still on the temporary password Cognito emailed); active: has.
MemberStatus = Literal["invited", "active"]


class Member(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    status: MemberStatus | None = Field(
        default=None,
        description="invited (has not signed in yet: still on the emailed temporary password) or "
        "active; absent on a removed member",
    )
    created_at: str
    updated_at: str


class MemberList(BaseModel):
    items: list[Member]


class MemberCreate(RequestModel):
    """An invitation: Cognito emails the person a temporary password, changed at the first sign-in."""

    email: Email
    name: str = Field(min_length=1, max_length=100)
    role: Role = "member"


class MemberPatch(PatchModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    role: Role | None = None


class Me(BaseModel):
    """Who is calling: a member, or an API key (which acts as admin)."""

    brand_id: str
    brand_name: str
    member_id: str | None
    key_id: str | None
    name: str
    email: str | None
    role: Role


class SignIn(RequestModel):
    email: Email
    password: SecretStr = Field(min_length=1, max_length=256)


class NewPassword(RequestModel):
    """The first sign-in of an invited member: the temporary password is replaced."""

    email: Email
    session: str = Field(min_length=20, max_length=4096, description="The `session` of the challenge")
    password: Password


class Refresh(RequestModel):
    refresh_token: SecretStr = Field(min_length=1, max_length=8192)


class ForgotPassword(RequestModel):
    email: Email


class ResetPassword(RequestModel):
    email: Email
    code: str = Field(min_length=1, max_length=64, pattern=r"^\S+$", description="The code Cognito emailed")
    password: Password


class SignOut(RequestModel):
    access_token: SecretStr = Field(min_length=1, max_length=8192)


class Tokens(BaseModel):
    """Send `id_token` as `Authorization: Bearer <id_token>`; refresh it before `expires_in` seconds."""

    id_token: str
    access_token: str
    refresh_token: str
    expires_in: int


class Refreshed(BaseModel):
    id_token: str
    access_token: str
    expires_in: int


class Challenge(BaseModel):
    """An invited member's first sign-in: answer with POST /auth/new-password and this `session`."""

    challenge: Literal["NEW_PASSWORD_REQUIRED"]
    session: str
