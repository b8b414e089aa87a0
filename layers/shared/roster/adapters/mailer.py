"""Sending through SESv2 (`SendEmail` with raw content Roster rendered: moto implements no SESv2
templates, and raw content lets us set List-Unsubscribe and Reply-To ourselves). Throttling
("Maximum sending rate exceeded") is retried with exponential backoff, and sends are paced to the
configured rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_sesv2.client import SESV2Client

THROTTLED = {"TooManyRequestsException", "Throttling", "ThrottlingException", "LimitExceededException"}
ATTEMPTS = 6


class Throttled(Exception):
    """SES kept throttling: the caller should retry later (the queue does)."""


class Unavailable(Exception):
    """SES cannot send for this account right now (paused, suspended, misconfigured)."""


class Rejected(Exception):
    """SES refused this message for good (e.g. MessageRejected, unverified sender)."""


@dataclass
class Pacer:
    """At most `rate` sends per second from this container."""

    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            if self._next > now:
                self.sleep(self._next - now)
                now = self._next
            self._next = now + 1.0 / self.rate


class Mailer:
    def __init__(
        self,
        configuration_set: str | None,
        rate: float,
        client: SESV2Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client: SESV2Client = client or boto3.client(
            "sesv2", config=Config(retries={"mode": "standard", "max_attempts": 1})
        )
        self.configuration_set = configuration_set
        self.pacer = Pacer(rate, sleep=sleep)
        self.sleep = sleep

    def verified(self, address: str) -> bool:
        """Is the address, or its domain, an SES identity verified for sending?"""
        for identity in (address, address.split("@", 1)[-1]):
            try:
                info = self.client.get_email_identity(EmailIdentity=identity)
            except self.client.exceptions.NotFoundException:
                continue
            if info.get("VerifiedForSendingStatus") or info.get("VerificationStatus") == "SUCCESS":
                return True
        return False

    def send(self, from_email: str, to: str, raw: bytes, tags: dict[str, str]) -> str:
        """Sends one message; returns SES's message id."""
        kwargs: dict[str, object] = {
            "FromEmailAddress": from_email,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": raw}},
            "EmailTags": [{"Name": k, "Value": v} for k, v in tags.items()],
        }
        if self.configuration_set:
            kwargs["ConfigurationSetName"] = self.configuration_set
        for attempt in range(ATTEMPTS):
            self.pacer.wait()
            try:
                return str(self.client.send_email(**kwargs)["MessageId"])  # type: ignore[arg-type]
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                message = exc.response.get("Error", {}).get("Message", "")
                if code in THROTTLED or "Maximum sending rate exceeded" in message:
                    self.sleep(min(0.1 * 2**attempt, 5.0))
                    continue
                if code in ("MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException"):
                    raise Rejected(f"{code}: {message}") from exc
                if code in ("SendingPausedException", "AccountSuspendedException", "NotFoundException"):
                    # About the account (or a missing configuration set), not this message: the
                    # queue retries it and then parks it; no creator is stopped for it.
                    raise Unavailable(f"{code}: {message}") from exc
                raise
        raise Throttled(f"SES still throttling after {ATTEMPTS} attempts")
