"""`Idempotency-Key` for POSTs: a client that retries a create after a timeout gets the first
response again instead of a second campaign. Keys are per brand and live 24 hours.

- same key, same request, finished  → the stored response, with `Idempotent-Replayed: true`
- same key, same request, running   → 409 (retry shortly)
- same key, different request       → 422
- a 5xx (or a response too large to keep) is not stored: the claim is released so a retry runs
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from roster.errors import BadRequest, Conflict, ValidationFailed
from roster.store.idempotency import IdempotencyStore

HEADER = "idempotency-key"
TTL_SECONDS = 24 * 3600
# DynamoDB items stop at 400 KB; a larger response is returned but not kept for replay.
MAX_STORED_BODY = 300_000
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

Response = dict[str, Any]


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}?{query}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def run(
    store: IdempotencyStore,
    brand_id: str,
    key: str,
    request_hash: str,
    call: Callable[[], Response],
    *,
    now: Callable[[], float] = time.time,
) -> Response:
    if not _KEY.match(key):
        raise BadRequest("Idempotency-Key must be 1-255 visible ASCII characters")
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    started = int(now())
    existing = store.claim(brand_id, key_hash, request_hash, started, TTL_SECONDS)
    if existing is not None:
        if existing.get("request_hash") != request_hash:
            raise ValidationFailed("this Idempotency-Key was already used for a different request")
        if existing.get("status") != "done":
            raise Conflict("a request with this Idempotency-Key is still running; retry shortly")
        replay: Response = dict(existing["response"])
        replay["headers"] = {**replay.get("headers", {}), "Idempotent-Replayed": "true"}
        return replay
    try:
        response = call()
    except BaseException:
        store.release(brand_id, key_hash)
        raise
    if int(response.get("statusCode", 500)) >= 500 or len(str(response.get("body", ""))) > MAX_STORED_BODY:
        store.release(brand_id, key_hash)
    else:
        store.complete(brand_id, key_hash, request_hash, started + TTL_SECONDS, response)
    return response
