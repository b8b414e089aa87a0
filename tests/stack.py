"""The local stack as the over-HTTP suites use it (tests/e2e, tests/browser): each suite starts
`python -m local` (what `make run` runs) once, waits for it, and talks HTTP to it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local.stack import free_port

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "rk_live_" + "E2e" * 13 + "X"


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    base_url: str
    output: list[str]
    reader: threading.Thread | None = None

    @property
    def moto_port(self) -> int:
        for line in self.output:
            if m := re.search(r"moto on port (\d+)", line):
                return int(m.group(1))
        raise AssertionError("moto port not printed")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.reader is not None:
            self.reader.join(timeout=10)
        return self.process.returncode

    def drain(self) -> None:
        """Reads the stack's output as it comes, for as long as it runs: a pipe nobody reads fills
        (64 KiB) and the stack's next log line then blocks whatever request is writing it."""
        assert self.process.stdout is not None
        stream = self.process.stdout

        def read() -> None:
            for line in stream:
                self.output.append(line.rstrip())

        self.reader = threading.Thread(target=read, name="stack-output", daemon=True)
        self.reader.start()


def start_stack(extra_env: dict[str, str] | None = None, timeout: float = 90) -> RunningStack:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "ROSTER_LOCAL_API_KEY": API_KEY,
        "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "local"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line.rstrip())
        if "Ctrl-C stops." in line:
            running = RunningStack(process, f"http://127.0.0.1:{port}", output)
            running.drain()
            return running
    process.kill()
    raise AssertionError("local stack did not start:\n" + "\n".join(output))


@pytest.fixture(scope="package")
def stack() -> Iterator[RunningStack]:
    """One stack per suite that imports this fixture into its conftest, stopped when the suite's
    last test is done: the suites do not see each other's data, and the unit and integration tests
    that run after them do not share the two cores with an idle stack."""
    running = start_stack()
    yield running
    running.stop()


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    req = urllib.request.Request(base_url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw, status, hdrs = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        raw, status, hdrs = err.read(), err.code, dict(err.headers)
    headers_out = {k.lower(): v for k, v in hdrs.items()}
    is_json = "json" in headers_out.get("content-type", "")
    return status, headers_out, (json.loads(raw) if is_json else raw.decode()) if raw else None
