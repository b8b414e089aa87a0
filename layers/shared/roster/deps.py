"""The one wiring of a function: every adapter the domain may use, built from the settings on first
use, and the per-cold-start instance that handlers and routes pass on.

    d = deps()                        # in a handler or route: one instance per cold start
    collaborations.act(d, ...)        # the domain receives it
    Deps(stores=..., events=...)      # tests and tools: any part replaced, the rest built lazily
    reset()                           # tests: the one thing to clear between deployments

The rule the domain follows: a function that reaches anything besides the table (events, workflows,
queues, mail, fetching, secrets, the archive) or needs deployment settings takes `deps` as its first
argument; a function that only reads and writes the table takes `stores` (or the one store it uses);
everything else is a plain value.

This is the composition root, above every capability: it may import any of them (lazily, so that
importing it costs little and no capability module imports it at run time). The redirect does not
use it: its function imports neither pydantic nor Powertools (see `functions/redirect/app.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from roster.settings import Settings, get_settings

if TYPE_CHECKING:
    from roster.adapters.archive import WebhookArchive
    from roster.adapters.events import EventPublisher
    from roster.adapters.identity import Identity
    from roster.adapters.inbound import InboundMail
    from roster.adapters.mailer import Mailer
    from roster.adapters.queue import WorkQueue
    from roster.adapters.secrets import PlatformKeys, WebhookSecrets
    from roster.adapters.uploads import Uploads
    from roster.adapters.workflows import Workflows
    from roster.discovery.sources import Backoff, ProfileSource, Quota
    from roster.models.creators import Platform
    from roster.monitoring.monitor import PostFound
    from roster.monitoring.sources import YouTubeApi
    from roster.outreach.sequences import MailConfig
    from roster.store.registry import Stores
    from roster.web.fetch import Fetcher


class Deps:
    """Every part is built on first use and kept; `Deps(part=value, ...)` replaces any part."""

    def __init__(self, **parts: Any) -> None:
        unknown = parts.keys() - PARTS
        if unknown:
            raise TypeError(f"Deps has no part named {', '.join(sorted(unknown))}")
        # A cached_property reads the instance's own value first: a given part is never built.
        self.__dict__.update(parts)

    @cached_property
    def settings(self) -> Settings:
        return get_settings()

    @cached_property
    def stores(self) -> Stores:
        from roster.store.registry import Stores
        from roster.store.table import Table

        return Stores.for_table(Table(self.settings.table_name))

    @cached_property
    def identity(self) -> Identity:
        """The Cognito user pool (sign-in, invitations); only the API function uses it."""
        from roster.adapters.identity import Identity

        s = self.settings
        return Identity(
            _required(s.user_pool_id, "USER_POOL_ID is not configured"),
            _required(s.user_pool_client_id, "USER_POOL_CLIENT_ID is not configured"),
        )

    @cached_property
    def events(self) -> EventPublisher:
        from roster.adapters.events import EventPublisher

        return EventPublisher()

    @cached_property
    def workflows(self) -> Workflows:
        from roster.adapters.workflows import Workflows

        return Workflows()

    @cached_property
    def mailer(self) -> Mailer:
        from roster.adapters.mailer import Mailer

        return Mailer(self.settings.ses_configuration_set, self.settings.ses_max_send_rate)

    @cached_property
    def monitor_queue(self) -> WorkQueue:
        from roster.adapters.queue import WorkQueue

        return WorkQueue(_required(self.settings.monitor_queue_url, "MONITOR_QUEUE_URL is not configured"))

    @cached_property
    def outreach_queue(self) -> WorkQueue:
        from roster.adapters.queue import WorkQueue

        return WorkQueue(_required(self.settings.outreach_queue_url, "OUTREACH_QUEUE_URL is not configured"))

    @cached_property
    def enrichment_queue(self) -> WorkQueue:
        from roster.adapters.queue import WorkQueue

        return WorkQueue(
            _required(self.settings.enrichment_queue_url, "ENRICHMENT_QUEUE_URL is not configured")
        )

    @cached_property
    def archive(self) -> WebhookArchive:
        from roster.adapters.archive import WebhookArchive

        return WebhookArchive(_required(self.settings.archive_bucket, "ARCHIVE_BUCKET is not set"))

    @cached_property
    def uploads(self) -> Uploads | None:
        """Creators' draft files (presigned POST in, signed URLs out); None without UPLOADS_BUCKET."""
        from roster.adapters.uploads import Uploads

        s = self.settings
        return Uploads(s.uploads_bucket, endpoint_url=s.uploads_endpoint_url) if s.uploads_bucket else None

    @cached_property
    def inbound(self) -> InboundMail:
        from roster.adapters.inbound import InboundMail

        return InboundMail()

    @cached_property
    def secrets(self) -> WebhookSecrets:
        from roster.adapters.secrets import WebhookSecrets

        return WebhookSecrets(self.settings.secrets_prefix)

    @cached_property
    def platform_keys(self) -> PlatformKeys:
        from roster.adapters.secrets import PlatformKeys

        return PlatformKeys(self.settings.secrets_prefix)

    @cached_property
    def fetcher(self) -> Fetcher:
        from roster.web.fetch import Fetcher

        s = self.settings
        return Fetcher(
            timeout=s.fetch_timeout_seconds,
            max_bytes=s.fetch_max_bytes,
            allow_loopback=s.monitor_allow_loopback,
        )

    @property
    def youtube(self) -> YouTubeApi | None:
        """The YouTube Data API when its key is in SSM (`<prefix>/platforms/youtube/api-key`).
        Looked up on each use, not once: through the keys' one-minute cache, a key put in SSM is
        used within a minute by warm functions too."""
        if "youtube" in self.__dict__:  # given: a property ignores the instance's own value
            given: YouTubeApi | None = self.__dict__["youtube"]
            return given
        from roster.monitoring.sources import YouTubeApi

        key = self.platform_keys.get("youtube")
        return YouTubeApi(self.fetcher, key, self.settings.youtube_api_base) if key else None

    @cached_property
    def commenter_salt(self) -> bytes:
        """The key of discovery's commenter hashes (`discovery.sources.author_hash`): an HMAC of a
        label of its own under OUTREACH_SIGNING_KEY, so there is no new secret to deploy and the
        salt equals no value the key signs elsewhere. Rotating the key changes it; repeat commenters
        are counted within one snapshot, so nothing kept needs it again."""
        key = _required(
            self.settings.outreach_signing_key,
            "OUTREACH_SIGNING_KEY is not configured (discovery derives its commenter salt from it)",
        )
        return hmac.new(key.encode(), b"discovery-commenter-salt", hashlib.sha256).digest()

    def discovery_sources(
        self, *, backoff: Backoff | None = None, quota: Quota | None = None
    ) -> dict[Platform, ProfileSource]:
        """The platforms discovery reads, through the safe fetcher. By default for a person waiting
        on the answer (the API): one retry of a rate-limited call, at most 2 s of waiting, and a
        fresh quota count (it caps one request, not the day); a worker passes its own. YouTube only
        with its key in SSM, looked up on each use as `youtube` is."""
        from roster.discovery.sources import Backoff, BlueskySource, MastodonSource, Quota, YouTubeSource
        from roster.models.creators import Platform

        s = self.settings
        backoff = backoff or Backoff(retries=1, first_wait=1.0, max_wait=2.0)
        sources: dict[Platform, ProfileSource] = {
            Platform.BLUESKY: BlueskySource(self.fetcher, base=s.bluesky_api_base, backoff=backoff),
            Platform.MASTODON: MastodonSource(self.fetcher, backoff=backoff),
        }
        if key := self.platform_keys.get("youtube"):
            sources[Platform.YOUTUBE] = YouTubeSource(
                self.fetcher,
                key,
                self.commenter_salt,
                quota=quota or Quota(),
                base=s.youtube_api_base,
                backoff=backoff,
            )
        return sources

    @cached_property
    def mail(self) -> MailConfig | None:
        """What outreach addresses and tokens are built from; None unless all three are set."""
        from roster.outreach.sequences import MailConfig

        s = self.settings
        if not (s.outreach_signing_key and s.mail_domain and s.link_base_url):
            return None
        return MailConfig(s.outreach_signing_key, s.mail_domain, s.link_base_url)

    def require_mail(self) -> MailConfig:
        """`mail`, or the error a function that sends or reads outreach mail fails with."""
        if self.mail is None:
            raise RuntimeError("OUTREACH_SIGNING_KEY, MAIL_DOMAIN and LINK_BASE_URL must be set")
        return self.mail

    @cached_property
    def on_post_found(self) -> PostFound:
        """Monitoring's port for a post it saw: the workflow side reacts (synchronously, so a
        failure fails the check as before). Bound here so monitoring never imports workflows."""
        from roster.workflows import collaborations

        return lambda brand_id, post: collaborations.post_found(self, brand_id, post)

    @cached_property
    def clock(self) -> Callable[[], float]:
        """Epoch seconds, for webhook signature windows and leases (tests pin it)."""
        return time.time


def _required(value: str | None, missing: str) -> str:
    """A setting a part cannot be built without: a function that uses the part fails on first use,
    one that never does (most of them) needs no such setting."""
    if not value:
        raise RuntimeError(missing)
    return value


PARTS = frozenset(name for name, value in vars(Deps).items() if isinstance(value, cached_property | property))


@cache
def deps() -> Deps:
    """The function's instance, one per cold start (boto3 clients are reused across invocations)."""
    return Deps()


def reset() -> None:
    """A new deployment, for tests and the local stack: settings are read again, parts rebuilt."""
    deps.cache_clear()
    get_settings.cache_clear()
