"""Sign-in for team members (public: no authorizer). Credentials go to the Cognito user pool; the
ID token it returns is then sent as `Authorization: Bearer <id_token>` on `/v1`."""

from __future__ import annotations

from http import HTTPStatus as H

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import RootModel

from roster.api.deps import WRITE_ERRORS, responses
from roster.deps import deps
from roster.models.members import (
    Challenge,
    ForgotPassword,
    NewPassword,
    Refresh,
    Refreshed,
    ResetPassword,
    SignIn,
    SignOut,
    Tokens,
)

NO_AUTH: list[dict[str, list[str]]] = [{}]


class SignInResult(RootModel[Tokens | Challenge]):
    """Tokens, or (an invited member's first sign-in) the new-password challenge."""


def build_router() -> Router:
    router = Router()

    @router.post(
        "/auth/sign-in",
        tags=["sign-in"],
        summary="Sign in with email and password: tokens, or the NEW_PASSWORD_REQUIRED challenge at an "
        "invited member's first sign-in. A wrong password and an unknown email get the same 401",
        security=NO_AUTH,
        responses=responses(200, SignInResult, *WRITE_ERRORS, public=True),
    )
    def sign_in(body: SignIn) -> Tokens | Challenge:
        from roster.program import members

        return members.sign_in(deps(), body.email, body.password.get_secret_value())

    @router.post(
        "/auth/new-password",
        tags=["sign-in"],
        summary="Answer the NEW_PASSWORD_REQUIRED challenge with a password of at least 12 characters",
        security=NO_AUTH,
        responses=responses(200, SignInResult, *WRITE_ERRORS, public=True),
    )
    def new_password(body: NewPassword) -> Tokens | Challenge:
        from roster.program import members

        return members.new_password(deps(), body.email, body.session, body.password.get_secret_value())

    @router.post(
        "/auth/refresh",
        tags=["sign-in"],
        summary="New ID and access tokens from the refresh token",
        security=NO_AUTH,
        responses=responses(200, Refreshed, *WRITE_ERRORS, public=True),
    )
    def refresh(body: Refresh) -> Refreshed:
        from roster.program import members

        return members.refresh(deps(), body.refresh_token.get_secret_value())

    @router.post(
        "/auth/forgot-password",
        tags=["sign-in"],
        status_code=202,
        summary="Email a reset code (202 whether or not the email has an account)",
        security=NO_AUTH,
        responses=responses(202, None, *WRITE_ERRORS, public=True),
    )
    def forgot_password(body: ForgotPassword) -> Response[None]:
        from roster.program import members

        members.forgot_password(deps(), body.email)
        return Response(status_code=H.ACCEPTED)

    @router.post(
        "/auth/reset-password",
        tags=["sign-in"],
        status_code=204,
        summary="Set a new password with the emailed code (422 on `code` or `password`)",
        security=NO_AUTH,
        responses=responses(204, None, *WRITE_ERRORS, public=True),
    )
    def reset_password(body: ResetPassword) -> Response[None]:
        from roster.program import members

        members.reset_password(deps(), body.email, body.code, body.password.get_secret_value())
        return Response(status_code=H.NO_CONTENT)

    @router.post(
        "/auth/sign-out",
        tags=["sign-in"],
        status_code=204,
        summary="Sign out everywhere: the member's refresh tokens are revoked (ID tokens run out within "
        "the hour; the console forgets its own at once)",
        security=NO_AUTH,
        responses=responses(204, None, *WRITE_ERRORS, public=True),
    )
    def sign_out(body: SignOut) -> Response[None]:
        from roster.program import members

        members.sign_out(deps(), body.access_token.get_secret_value())
        return Response(status_code=H.NO_CONTENT)

    return router
