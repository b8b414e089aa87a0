"""The click write's time budget (issue 16), as the redirect's wiring builds its clients (no
network: tests/integration/test_redirect_budget.py counts the attempts on the wire)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from roster.links.redirect import CLICK_WRITE, LINK_READ, RedirectSettings

ROOT = Path(__file__).resolve().parents[2]


def app() -> ModuleType:
    """functions/redirect/app.py, freshly imported: its cached Redirector is built on first use."""
    spec = importlib.util.spec_from_file_location("redirect_app_budget", ROOT / "functions/redirect/app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_click_write_has_one_attempt_and_the_tight_timeouts() -> None:
    r = app().redirector()
    writes, reads = r.store.visits.client.meta.config, r.store.table.client.meta.config
    assert r.store.visits is not r.store.table  # botocore sets timeouts and retries per client
    assert (writes.connect_timeout, writes.read_timeout) == (0.1, 0.04)
    assert writes.retries == {"mode": "standard", "total_max_attempts": 1}
    assert (reads.connect_timeout, reads.read_timeout) == (0.25, 0.25)
    assert reads.retries == {"mode": "standard", "total_max_attempts": 2}
    # The budget: a failing click may cost at most 50 ms more than a healthy one.
    assert CLICK_WRITE.attempts == 1 and CLICK_WRITE.read_timeout < 0.05
    assert LINK_READ.attempts >= 2  # a failed read with nothing cached is a 503, so it gets a retry


def test_only_the_local_stack_waits_longer_for_its_moto_table() -> None:
    base = {"TABLE_NAME": "t", "VISITOR_SALT": "s"}
    for stage in ("dev", "prod", "test", None):
        env = base | ({"STAGE": stage} if stage else {})
        assert RedirectSettings.from_env(env).click_write == CLICK_WRITE
    local = RedirectSettings.from_env(base | {"STAGE": "local"})
    assert local.click_write.attempts == 1  # still never a retry inside the request
    assert local.click_write.read_timeout > CLICK_WRITE.read_timeout and local.link_read == LINK_READ
