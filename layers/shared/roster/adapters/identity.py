"""The Cognito user pool (credentials only: who someone is, never which brand or role) and its
signing keys. Cognito's own errors become Roster's: a wrong email or password is one answer whether
or not the email exists, a password the pool's policy refuses is a 422 on `password`. Throttling is
left as the ClientError it is (the API answers 503 `busy`)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from roster.errors import Conflict, Unauthorized, ValidationFailed

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp.client import CognitoIdentityProviderClient


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


WRONG = "wrong email or password"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")) or _code(exc)


def _translate(exc: ClientError, *, credentials: bool = False) -> Exception:
    """The domain error for a Cognito refusal, or the ClientError itself (throttling, outages)."""
    code = _code(exc)
    if code == "InvalidPasswordException":
        message = _message(exc)
        return ValidationFailed(
            "the password does not meet the policy", details=[{"field": "password", "message": message}]
        )
    if code in ("CodeMismatchException", "ExpiredCodeException"):
        return ValidationFailed(
            "the code is wrong or expired", details=[{"field": "code", "message": _message(exc)}]
        )
    if credentials and code in (
        "NotAuthorizedException",
        "UserNotFoundException",
        "UserNotConfirmedException",
    ):
        return InvalidCredentials(WRONG)
    if code == "UsernameExistsException":
        return Conflict("this email already has a Roster account")
    if code == "InvalidParameterException":
        return ValidationFailed(_message(exc))
    return exc


class Identity:
    """One user pool and its app client (no secret: USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH)."""

    def __init__(
        self, user_pool_id: str, client_id: str, client: CognitoIdentityProviderClient | None = None
    ) -> None:
        self.pool = user_pool_id
        self.client_id = client_id
        self.client: CognitoIdentityProviderClient = client or boto3.client("cognito-idp")

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        """`AuthenticationResult`, or a challenge (`ChallengeName`, `Session`)."""
        try:
            return dict(
                self.client.initiate_auth(
                    ClientId=self.client_id,
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": email, "PASSWORD": password},
                )
            )
        except ClientError as exc:
            raise _translate(exc, credentials=True) from exc

    def new_password(self, email: str, session: str, password: str) -> dict[str, Any]:
        try:
            return dict(
                self.client.respond_to_auth_challenge(
                    ClientId=self.client_id,
                    ChallengeName="NEW_PASSWORD_REQUIRED",
                    Session=session,
                    ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": password},
                )
            )
        except ClientError as exc:
            if _code(exc) in ("ResourceNotFoundException", "CodeMismatchException", "ExpiredCodeException"):
                raise InvalidCredentials("the sign-in session expired; sign in again") from exc
            raise _translate(exc, credentials=True) from exc

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        try:
            return dict(
                self.client.initiate_auth(
                    ClientId=self.client_id,
                    AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": refresh_token},
                )
            )
        except ClientError as exc:
            if _code(exc) in ("NotAuthorizedException", "ResourceNotFoundException", "UserNotFoundException"):
                raise InvalidCredentials("the refresh token is invalid, expired or revoked") from exc
            raise _translate(exc) from exc

    def forgot_password(self, email: str) -> None:
        """Cognito emails a code; an unknown email is silently the same (no enumeration)."""
        try:
            self.client.forgot_password(ClientId=self.client_id, Username=email)
        except ClientError as exc:
            if _code(exc) in (
                "UserNotFoundException",
                "NotAuthorizedException",
                "InvalidParameterException",  # no verified email to send to
                "ResourceNotFoundException",
            ):
                return
            raise _translate(exc) from exc

    def reset_password(self, email: str, code: str, password: str) -> None:
        try:
            self.client.confirm_forgot_password(
                ClientId=self.client_id, Username=email, ConfirmationCode=code, Password=password
            )
        except ClientError as exc:
            if _code(exc) in ("UserNotFoundException", "NotAuthorizedException", "ResourceNotFoundException"):
                raise ValidationFailed(
                    "the code is wrong or expired", details=[{"field": "code", "message": "invalid code"}]
                ) from exc
            raise _translate(exc) from exc

    def sign_out(self, access_token: str) -> None:
        """Revokes the user's refresh tokens everywhere (GlobalSignOut); a dead token is fine."""
        try:
            self.client.global_sign_out(AccessToken=access_token)
        except ClientError as exc:
            if _code(exc) in ("NotAuthorizedException", "UserNotFoundException"):
                return
            raise _translate(exc) from exc

    def invite(self, email: str, name: str) -> str:
        """Creates the user (Cognito emails a temporary password); returns its `sub`."""
        try:
            user = self.client.admin_create_user(
                UserPoolId=self.pool,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "name", "Value": name},
                ],
                DesiredDeliveryMediums=["EMAIL"],
            )["User"]
        except ClientError as exc:
            raise _translate(exc) from exc
        return next(a["Value"] for a in user.get("Attributes", []) if a["Name"] == "sub")

    def status(self, email: str) -> str | None:
        """The user's Cognito status (FORCE_CHANGE_PASSWORD until an invited member's first
        sign-in, then CONFIRMED), or None when there is no such user."""
        try:
            user = self.client.admin_get_user(UserPoolId=self.pool, Username=email)
        except ClientError as exc:
            if _code(exc) == "UserNotFoundException":
                return None
            raise _translate(exc) from exc
        return str(user.get("UserStatus") or "") or None

    def set_password(self, email: str, password: str) -> None:
        """A permanent password (the local stack's demo member; never used by the API)."""
        self.client.admin_set_user_password(
            UserPoolId=self.pool, Username=email, Password=password, Permanent=True
        )

    def disable(self, email: str) -> None:
        """The user can no longer sign in, and its refresh tokens stop working."""
        for call in (self.client.admin_disable_user, self.client.admin_user_global_sign_out):
            try:
                call(UserPoolId=self.pool, Username=email)
            except ClientError as exc:
                if _code(exc) != "UserNotFoundException":
                    raise

    def delete(self, email: str) -> None:
        """Undoes an invitation whose member could not be stored."""
        try:
            self.client.admin_delete_user(UserPoolId=self.pool, Username=email)
        except ClientError as exc:
            if _code(exc) != "UserNotFoundException":
                raise


def _download(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - our own setting
        data: dict[str, Any] = json.loads(response.read())
        return data


class SigningKeys:
    """The pool's JSON Web Keys by `kid`, read once per cold start. An unknown `kid` (Cognito rotated
    its keys) reads them again, at most once every `refresh_seconds`, so forged kids cost nothing."""

    def __init__(
        self,
        url: str,
        *,
        download: Callable[[str], dict[str, Any]] | None = None,
        refresh_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.download = download
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self._keys: dict[str, dict[str, Any]] | None = None
        self._read_at = 0.0

    def get(self, kid: str) -> dict[str, Any] | None:
        if self._keys is None or (
            kid not in self._keys and self.clock() - self._read_at > self.refresh_seconds
        ):
            self._read_at = self.clock()
            found = (self.download or _download)(self.url)  # looked up now: tests serve moto's keys
            # A key without a string `kid` can never be named by a token: left out.
            self._keys = {
                k["kid"]: k for k in found.get("keys", []) if isinstance(k.get("kid"), str) and k["kid"]
            }
        return self._keys.get(kid)
