"""Starts the whole platform in one process: moto in server mode + template resources + the HTTP API."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
import warnings
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import boto3

from local import outbox, senders, uploads
from local import template as tpl
from local.gateway import Gateway, Route, serve
from local.lambdas import Registry, load_handler, whole_lines
from local.queues import QueuePoller, queue_sources
from local.streams import StreamPoller, stream_sources

if TYPE_CHECKING:
    from roster.models.auth import Role

STOP_WAIT_SECONDS = 5.0  # how long a stop waits for busy pollers, and then for moto
DEMO_EMAIL = "demo@roster.example"  # a reserved domain (RFC 2606) that email validators accept
ROLES = ("admin", "member")  # roster.models.auth.Role


@dataclass(frozen=True)
class ExtraMember:
    role: Role
    email: str
    password: str
    brand: str | None = None  # None: the demo brand

    @property
    def name(self) -> str:
        local = self.email.split("@", 1)[0].replace(".", " ").replace("-", " ")
        return local.title() or self.email


def parse_extra_members(text: str) -> list[ExtraMember]:
    """ROSTER_LOCAL_EXTRA_MEMBERS: `role:email:password[:brand name]`, separated by `;` — e.g.
    `member:sam@roster.example:a-long-password-1;admin:olga@other.example:a-long-password-2:Other Brand`.
    A password cannot hold `:` (the brand's name, last, can). A malformed entry is a ValueError
    naming it (the stack does not start), never silently skipped."""
    out = []
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        parts = entry.split(":", 3)
        if len(parts) < 3 or parts[0] not in ROLES or "@" not in parts[1] or not parts[2]:
            raise ValueError(
                f"ROSTER_LOCAL_EXTRA_MEMBERS: {entry.split(':', 1)[0]!r}… is not role:email:password[:brand]"
                f" with role one of {', '.join(ROLES)}"
            )
        brand = parts[3].strip() if len(parts) == 4 and parts[3].strip() else None
        out.append(ExtraMember(cast("Role", parts[0]), parts[1].strip().lower(), parts[2], brand))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def concurrency() -> int:
    """ROSTER_LOCAL_CONCURRENCY: how many events each function runs at once (default 4), as Lambda
    runs one event per execution environment and several environments per function."""
    raw = os.environ.get("ROSTER_LOCAL_CONCURRENCY", "4").strip() or "4"
    # ASCII digits only: str.isdigit() also takes "²", which int() then refuses with another message.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 64:
        raise ValueError(f"ROSTER_LOCAL_CONCURRENCY must be a whole number from 1 to 64, not {raw!r}")
    return int(raw)


def configure_environment(moto_port: int) -> None:
    """Points every boto3 client in this process at moto; no real AWS credentials are ever used."""
    os.environ.update(
        {
            "MOTO_PORT": str(moto_port),  # moto's threaded server and its Step Functions need it
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": tpl.REGION,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(var, None)


@dataclass
class LocalStack:
    port: int = 3000
    host: str = "127.0.0.1"
    template_path: Path = tpl.TEMPLATE
    moto_port: int = field(default_factory=free_port)
    names: tpl.Names = field(default_factory=tpl.Names)
    routes: list[Route] = field(default_factory=list)
    api_key: str | None = None
    brand_id: str | None = None
    member_email: str | None = None
    member_password: str | None = None
    extra_members: list[ExtraMember] = field(default_factory=list)
    _other_brands: dict[str, str] = field(default_factory=dict)
    _moto: Any = None
    _http: ThreadingHTTPServer | None = None
    _pollers: list[StreamPoller | QueuePoller] = field(default_factory=list)

    def start(
        self,
        *,
        api_key: str | None = None,
        member_email: str | None = None,
        member_password: str | None = None,
        extra_members: str | None = None,
    ) -> None:
        from moto.core.config import default_user_config
        from moto.server import ThreadedMotoServer

        from local import moto_patches

        instances = concurrency()  # a bad value stops the stack before anything starts
        whole_lines()  # concurrent events print too: each line is written whole
        moto_patches.install()
        configure_environment(self.moto_port)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # Metrics are disabled locally; Powertools would still warn on every request.
        warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
        default_user_config["stepfunctions"] = {"execute_state_machine": True}
        default_user_config["lambda"] = {"use_docker": False}
        registry = Registry()
        registry.install()
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self._moto.start()

        template = tpl.load(self.template_path)
        params = tpl.parameters(template)
        clients = {
            s: boto3.client(s)
            for s in ("dynamodb", "lambda", "iam", "stepfunctions", "ses", "s3", "sqs", "cognito-idp")
        }
        pools = tpl.create_user_pools(clients["cognito-idp"], template, self.names, params)
        tpl.create_tables(clients["dynamodb"], template, self.names)
        tpl.create_buckets(clients["s3"], template, self.names)
        tpl.create_queues(clients["sqs"], template, self.names)
        tpl.create_functions(clients["lambda"], clients["iam"], template, self.names)
        tpl.create_state_machines(clients["stepfunctions"], clients["iam"], template, self.names, params)
        tpl.create_email_identities(clients["ses"], template, self.names, params)

        specs = tpl.functions(template, self.names, params)
        for spec in specs:
            os.environ.update(spec.environment)
        os.environ["STAGE"] = "local"
        if "UserPool" in pools:  # moto serves the pool's keys, unsigned, at the issuer's path
            os.environ["USER_POOL_JWKS_URL"] = (
                f"http://127.0.0.1:{self.moto_port}/{pools['UserPool']}/.well-known/jwks.json"
            )
        authorizer_id = tpl.authorizer_function(template)
        authorizer = None
        # One pool of execution environments per function, whichever way it is invoked.
        handlers = {}
        for spec in specs:
            handler = handlers[spec.logical_id] = load_handler(spec, instances)
            registry.register(self.names.physical(spec.logical_id), handler)
            if spec.logical_id == authorizer_id:
                authorizer = handler
            # Any sender a brand sets is verified in (moto's) SES first: see local.senders.
            routed = senders.verifying(handler, clients["ses"])
            for method, path, needs_auth in spec.routes:
                self.routes.append(Route(method, path, spec.logical_id, routed, needs_auth))
        self.routes += outbox.routes()  # local only: every email sent, GET /_local/outbox
        self.routes += uploads.routes()  # local only: S3's browser uploads, checked as S3 does

        streams, dynamodb = boto3.client("dynamodbstreams"), boto3.client("dynamodb")
        for source in stream_sources(template):
            table = dynamodb.describe_table(TableName=self.names.physical(source.table))["Table"]
            poller = StreamPoller(streams, table["LatestStreamArn"], handlers[source.function], source)
            poller.start()
            self._pollers.append(poller)

        for queue in queue_sources(template):
            queue_poller = QueuePoller(
                clients["sqs"],
                tpl.queue_url(self.names.physical(queue.queue)),
                self.names.arn(template, queue.queue),
                handlers[queue.function],
                queue,
            )
            queue_poller.start()
            self._pollers.append(queue_poller)

        self.api_key = self.seed(api_key)
        if "UserPool" in pools:
            self.seed_member(member_email or DEMO_EMAIL, member_password or secrets.token_urlsafe(12))
            for extra in parse_extra_members(extra_members or ""):
                self.seed_extra_member(extra)
        self._http = serve(Gateway(self.routes, authorizer), self.host, self.port)
        self.port = self._http.server_address[1]
        # Links handed out and links found in posts are on this server: every function agrees.
        os.environ["LINK_BASE_URL"] = f"http://{self.host}:{self.port}"
        os.environ["MONITOR_ALLOW_LOOPBACK"] = "true"
        uploads.configure(self.host, self.port)  # drafts go to this server's S3 front
        from roster.deps import reset

        reset()  # every function reads the settings again, and rebuilds its parts, with these

    def seed(self, api_key: str | None) -> str:
        """A demo brand with one API key (the given one, or a new one)."""
        from roster import auth
        from roster.deps import deps, reset

        reset()
        brand, key = auth.create_brand(deps().stores.brands, "Demo Brand", key=api_key)
        self.brand_id = brand.id
        return key

    def seed_member(self, email: str, password: str) -> None:
        """The demo brand's admin member, with a permanent password (no first-sign-in challenge)."""
        from roster.deps import deps, reset
        from roster.models.members import PASSWORD_MIN
        from roster.program import members

        assert self.brand_id is not None
        if len(password) < PASSWORD_MIN:
            raise ValueError(f"ROSTER_LOCAL_USER_PASSWORD must be at least {PASSWORD_MIN} characters")
        reset()
        d = deps()
        members.add(d, self.brand_id, email.strip().lower(), "Demo Admin", "admin")
        d.identity.set_password(email.strip().lower(), password)
        self.member_email, self.member_password = email.strip().lower(), password

    def seed_extra_member(self, extra: ExtraMember) -> None:
        """Another member with a permanent password: of the demo brand, or the admin of another brand
        (created once per name) — what trying the console as a plain member, or as a second brand,
        needs. The brand's API key is kept, not printed: the member signs in."""
        from roster import auth
        from roster.deps import deps, reset
        from roster.models.members import PASSWORD_MIN
        from roster.program import members

        assert self.brand_id is not None
        if len(extra.password) < PASSWORD_MIN:
            raise ValueError(
                f"ROSTER_LOCAL_EXTRA_MEMBERS: passwords must be at least {PASSWORD_MIN} characters"
            )
        reset()
        d = deps()
        brand_id = self.brand_id
        if extra.brand and extra.brand != "Demo Brand":
            if extra.brand not in self._other_brands:
                self._other_brands[extra.brand] = auth.create_brand(d.stores.brands, extra.brand)[0].id
            brand_id = self._other_brands[extra.brand]
        members.add(d, brand_id, extra.email, extra.name, extra.role)
        d.identity.set_password(extra.email, extra.password)
        self.extra_members.append(extra)

    def serve_forever(self) -> None:
        assert self._http is not None
        self._http.serve_forever()

    def stop(self, wait: float = STOP_WAIT_SECONDS) -> None:
        """Stops the pollers (all at once, each after its current batch), the gateway and moto,
        waiting at most `wait` seconds for the pollers together and as long for moto: a stop never
        hangs on a thread busy in a handler (the process exits; its threads are daemons). Each
        phase that runs out says so."""
        for poller in self._pollers:
            poller.request_stop()
        deadline = time.monotonic() + wait
        for poller in self._pollers:
            poller.thread.join(timeout=max(0.0, deadline - time.monotonic()))
        busy = [f"{p.name} {p.function}" for p in self._pollers if p.thread.is_alive()]
        if busy:
            print(f"stopping: pollers still busy after {wait:.0f} s: {', '.join(busy)}", flush=True)
        if self._http:
            self._http.shutdown()
            self._http.server_close()
        if self._moto:
            moto = threading.Thread(target=self._moto.stop, daemon=True, name="moto-stop")
            moto.start()
            moto.join(timeout=wait)
            if moto.is_alive():
                print(f"stopping: moto still stopping after {wait:.0f} s", flush=True)
