"""`make run`: the whole platform on http://127.0.0.1:$PORT (default 3000), no AWS, no Docker."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from local import outbox
from local.stack import LocalStack


def main() -> int:
    stack = LocalStack(port=int(os.environ.get("PORT", "3000")))
    if os.environ.get("ROSTER_TEMPLATE"):  # tests run the stack on fixture templates too
        stack.template_path = Path(os.environ["ROSTER_TEMPLATE"]).resolve()
    try:
        stack.start(
            api_key=os.environ.get("ROSTER_LOCAL_API_KEY") or None,
            member_email=os.environ.get("ROSTER_LOCAL_USER_EMAIL") or None,
            member_password=os.environ.get("ROSTER_LOCAL_USER_PASSWORD") or None,
            extra_members=os.environ.get("ROSTER_LOCAL_EXTRA_MEMBERS") or None,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    base = f"http://{stack.host}:{stack.port}"
    print(f"Roster local stack on {base}  (AWS emulated by moto on port {stack.moto_port})")
    print(f"Demo brand API key: {stack.api_key}")
    if stack.member_email:
        print(f"Demo member (admin): {stack.member_email}  password: {stack.member_password}")
    for extra in stack.extra_members:
        print(
            f"Member ({extra.role}) of {extra.brand or 'Demo Brand'}: {extra.email}  "
            f"password: {extra.password}"
        )
    print("Routes:")
    for route in sorted(stack.routes, key=lambda r: r.path):
        auth = "" if route.needs_auth else " (no auth)"
        print(f"  {route.method:6} {route.path:24} -> {route.function}{auth}")
    print(f'Try: curl -H "Authorization: Bearer {stack.api_key}" {base}/v1/campaigns')
    print(f"Outbox (every email sent, links work here): {base}{outbox.PATH}")
    print(f"Brand console: {base}/console/")
    print("Senders: PUT /v1/outreach/settings verifies the From domain in local SES (local only)")
    print("Ctrl-C stops.", flush=True)

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=stack.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    # Ctrl-C stops, however the stack was started: a job started in the background by a shell
    # without job control inherits SIGINT ignored, and Python then never raises KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        stack.serve_forever()
    except KeyboardInterrupt:
        stack.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
