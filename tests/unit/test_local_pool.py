"""The local stack's pool of execution environments (`local.lambdas.HandlerPool`), on a tiny handler
module written to tmp_path: each module copy records its loads and any re-entry, and its events
block on what the test opens, so every interleaving here is forced, not timed."""

from __future__ import annotations

import io
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from local.lambdas import HandlerPool, WholeLines, load_handler, load_module
from local.stack import concurrency
from local.template import FunctionSpec

WAIT = 10  # seconds: only ever reached when the pool is wrong (a barrier never filled, a gate hung)

MODULE = """
import io
import sys

probe = sys.modules[{probe!r}]
probe.loading(__name__)  # may block or raise, as the test says
inside = 0


def handler(event, context):
    global inside
    inside += 1
    try:
        if inside > 1:
            probe.reentered.append(__name__)
        probe.run(__name__, event)
        return __name__
    finally:
        inside -= 1
"""


@dataclass
class Probe:
    """What every copy of the module reports to, and what its events wait on."""

    name: str = ""  # its name in sys.modules, where the module copies find it
    loads: list[str] = field(default_factory=list)
    reentered: list[str] = field(default_factory=list)
    entered: list[str] = field(default_factory=list)
    copy_of_gate: dict[str, str] = field(default_factory=dict)  # the copy each gated event ran on
    gates: dict[str, threading.Event] = field(default_factory=dict)
    barrier: threading.Barrier | None = None
    hold_load: dict[str, threading.Event] = field(default_factory=dict)  # copy suffix → opened when
    fail_load: set[str] = field(default_factory=set)  # copy suffixes whose import raises
    lock: threading.Lock = field(default_factory=threading.Lock)

    def gate(self, name: str) -> threading.Event:
        with self.lock:
            return self.gates.setdefault(name, threading.Event())

    def loading(self, module: str) -> None:
        suffix = module.rpartition("__")[2] if "__" in module else "0"
        with self.lock:
            self.loads.append(suffix)
        if suffix in self.hold_load:
            assert self.hold_load[suffix].wait(WAIT)
        if suffix in self.fail_load:
            self.fail_load.discard(suffix)
            raise RuntimeError(f"copy {suffix} failed to import")

    def run(self, module: str, event: dict[str, Any]) -> None:
        with self.lock:
            self.entered.append(module)
            if event.get("gate"):
                self.copy_of_gate[event["gate"]] = module
        if event.get("barrier"):
            assert self.barrier is not None
            self.barrier.wait(WAIT)
        if event.get("gate"):
            assert self.gate(event["gate"]).wait(WAIT)
        if event.get("sleep"):
            time.sleep(event["sleep"])


@pytest.fixture
def probe() -> Iterator[Probe]:
    name = f"_pool_probe_{uuid.uuid4().hex}"
    sys.modules[name] = probe = Probe(name=name)  # type: ignore[assignment]
    yield probe
    del sys.modules[name]


@pytest.fixture
def spec(tmp_path: Path, probe: Probe) -> Iterator[FunctionSpec]:
    (tmp_path / "app.py").write_text(MODULE.format(probe=probe.name))
    logical_id = f"PoolProbe{uuid.uuid4().hex[:12]}"
    yield FunctionSpec(logical_id, tmp_path, "app", "handler", {}, [])
    for name in [n for n in sys.modules if n.startswith(f"roster_fn_{logical_id}")]:
        del sys.modules[name]


def in_threads(pool: Any, events: list[dict[str, Any]]) -> tuple[list[threading.Thread], dict[int, Any]]:
    """Starts one thread per event, each calling the pool; results (or exceptions) by index."""
    results: dict[int, Any] = {}

    def call(i: int, event: dict[str, Any]) -> None:
        try:
            results[i] = pool(event, None)
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            results[i] = exc

    threads = [threading.Thread(target=call, args=(i, e), daemon=True) for i, e in enumerate(events)]
    for t in threads:
        t.start()
    return threads, results


def join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(WAIT)
        assert not t.is_alive(), "an event never finished"


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def test_runs_n_events_at_once_each_on_its_own_copy(spec: FunctionSpec, probe: Probe) -> None:
    # The barrier opens only when 4 events are inside the handler at the same time: a pool that
    # ran fewer at once would leave it unfilled, and every wait would break.
    probe.barrier = threading.Barrier(4)
    pool = HandlerPool(spec, 4)
    threads, results = in_threads(pool, [{"barrier": True}] * 4)
    join(threads)
    assert not [r for r in results.values() if isinstance(r, BaseException)], results
    assert len(set(results.values())) == 4  # four module copies: four execution environments
    assert pool.peak == 4 and pool.loaded == 4
    assert probe.reentered == []


def test_never_two_events_on_one_copy(spec: FunctionSpec, probe: Probe) -> None:
    pool = HandlerPool(spec, 3)
    start = threading.Barrier(30)

    def event() -> None:
        start.wait(WAIT)
        pool({"sleep": 0.005}, None)

    threads = [threading.Thread(target=event, daemon=True) for _ in range(30)]
    for t in threads:
        t.start()
    join(threads)
    assert len(probe.entered) == 30
    assert probe.reentered == []
    assert pool.peak <= 3 and pool.loaded <= 3
    assert len(set(probe.entered)) == pool.loaded  # every loaded copy did work; none beyond the size


def test_the_re_entry_check_sees_two_events_in_one_copy(spec: FunctionSpec, probe: Probe) -> None:
    """The control for the test above: the module called without the pool, from two threads held
    inside it together, records the re-entry."""
    probe.barrier = threading.Barrier(2)
    handler = load_module(spec).handler
    threads, results = in_threads(handler, [{"barrier": True}] * 2)
    join(threads)
    assert len(probe.reentered) == 1


def test_a_further_event_waits_for_a_free_copy(spec: FunctionSpec, probe: Probe) -> None:
    pool = HandlerPool(spec, 2)
    busy, results = in_threads(pool, [{"gate": "a"}, {"gate": "b"}])
    wait_for(lambda: len(probe.entered) == 2, "two events inside")
    waiting, third = in_threads(pool, [{}])
    time.sleep(0.2)  # time for a wrong pool to let it in (a right one never does)
    assert len(probe.entered) == 2 and waiting[0].is_alive()
    assert probe.loads == ["0", "1"]  # no third copy beyond the size
    probe.gate("b").set()
    join(waiting)
    assert third[0] == probe.copy_of_gate["b"]  # the copy that came free, reused
    probe.gate("a").set()
    join(busy)
    assert probe.loads == ["0", "1"] and probe.reentered == []
    assert pool.peak == 2


def test_copies_load_lazily_and_are_reused(spec: FunctionSpec, probe: Probe) -> None:
    pool = HandlerPool(spec, 4)
    assert probe.loads == ["0"]  # copy 0 at once: a module that cannot import stops the stack
    names = {pool({}, None) for _ in range(10)}  # one after another: one environment, reused
    assert names == {f"roster_fn_{spec.logical_id}"} and probe.loads == ["0"] and pool.loaded == 1
    # Copy k is loaded only when k copies are busy.
    threads, _ = in_threads(pool, [{"gate": "one"}])
    wait_for(lambda: len(probe.entered) == 11, "the first event inside")
    assert probe.loads == ["0"]
    more, _ = in_threads(pool, [{"gate": "two"}])
    wait_for(lambda: len(probe.entered) == 12, "the second event inside")
    assert probe.loads == ["0", "1"] and pool.loaded == 2
    probe.gate("one").set()
    probe.gate("two").set()
    join(threads + more)
    assert {pool({}, None) for _ in range(5)} <= {
        f"roster_fn_{spec.logical_id}",
        f"roster_fn_{spec.logical_id}__1",
    }
    assert probe.loads == ["0", "1"] and pool.peak == 2


def test_a_copy_whose_import_raises_gives_its_slot_back(spec: FunctionSpec, probe: Probe) -> None:
    pool = HandlerPool(spec, 2)
    probe.fail_load.add("1")
    busy, _ = in_threads(pool, [{"gate": "hold"}])  # copy 0 busy: the next event loads copy 1
    wait_for(lambda: len(probe.entered) == 1, "copy 0 busy")
    with pytest.raises(RuntimeError, match="copy 1 failed to import"):
        pool({}, None)  # a failed cold start fails its event, as on Lambda
    assert pool.loaded == 1 and f"roster_fn_{spec.logical_id}__1" not in sys.modules
    # The slot is free again: the next event (copy 0 still busy) loads copy 1 and runs.
    assert pool({}, None) == f"roster_fn_{spec.logical_id}__1"
    assert probe.loads == ["0", "1", "1"] and pool.loaded == 2
    probe.gate("hold").set()
    join(busy)


def test_a_failed_copy_never_hands_out_a_busy_copy(spec: FunctionSpec, probe: Probe) -> None:
    """Copy 1's import fails while copy 2 is loaded and busy: the next event must get a fresh copy 1,
    not copy 2 (numbering copies by a count did that: two events in one module)."""
    pool = HandlerPool(spec, 3)
    probe.hold_load["1"] = threading.Event()
    probe.fail_load.add("1")
    zero, _ = in_threads(pool, [{"gate": "zero"}])
    wait_for(lambda: len(probe.entered) == 1, "copy 0 busy")
    failing, failed = in_threads(pool, [{}])
    wait_for(lambda: probe.loads == ["0", "1"], "copy 1 loading")
    two, _ = in_threads(pool, [{"gate": "two"}])
    wait_for(lambda: len(probe.entered) == 2, "copy 2 busy")
    assert probe.loads == ["0", "1", "2"]
    probe.hold_load["1"].set()
    join(failing)
    assert isinstance(failed[0], RuntimeError)
    assert pool({}, None) == f"roster_fn_{spec.logical_id}__1"  # copy 0 and copy 2 are both busy
    assert probe.reentered == []
    probe.gate("zero").set()
    probe.gate("two").set()
    join(zero + two)


def test_load_handler_defaults_to_one_event_at_a_time(spec: FunctionSpec, probe: Probe) -> None:
    handler = load_handler(spec)
    threads, _ = in_threads(handler, [{"gate": "only"}, {}])
    wait_for(lambda: len(probe.entered) == 1, "one event inside")
    time.sleep(0.1)
    assert len(probe.entered) == 1 and probe.loads == ["0"]
    probe.gate("only").set()
    join(threads)
    assert len(probe.entered) == 2 and probe.loads == ["0"] and probe.reentered == []


@pytest.mark.parametrize(("raw", "expected"), [(None, 4), ("1", 1), ("64", 64), (" 8 ", 8), ("", 4)])
def test_concurrency_setting(monkeypatch: pytest.MonkeyPatch, raw: str | None, expected: int) -> None:
    if raw is None:
        monkeypatch.delenv("ROSTER_LOCAL_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("ROSTER_LOCAL_CONCURRENCY", raw)
    assert concurrency() == expected


@pytest.mark.parametrize("raw", ["0", "65", "-1", "1.5", "four", "²", "4x", "1e2"])
def test_concurrency_setting_refuses_what_is_not_1_to_64(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("ROSTER_LOCAL_CONCURRENCY", raw)
    with pytest.raises(ValueError, match=r"ROSTER_LOCAL_CONCURRENCY must be a whole number from 1 to 64"):
        concurrency()


def test_whole_lines_keeps_each_threads_line_whole() -> None:
    """`print` writes its text, then its newline: a line begun on one thread and one written whole
    on another ran together. Forced: A writes half a line, B a whole one, then A ends its line."""

    def run(out: Any) -> None:
        half_written, b_done = threading.Event(), threading.Event()

        def a() -> None:
            out.write("a-begins ")
            half_written.set()
            assert b_done.wait(WAIT)
            out.write("a-ends\n")

        def b() -> None:
            assert half_written.wait(WAIT)
            print("b-whole", file=out)
            b_done.set()

        threads = [threading.Thread(target=f, daemon=True) for f in (a, b)]
        for t in threads:
            t.start()
        join(threads)

    plain = io.StringIO()
    run(plain)
    assert plain.getvalue() == "a-begins b-whole\na-ends\n"  # what the stack's log showed
    target = io.StringIO()
    run(WholeLines(target))
    assert target.getvalue() == "b-whole\na-begins a-ends\n"


def test_whole_lines_writes_a_partial_line_on_flush() -> None:
    target = io.StringIO()
    out = WholeLines(target)
    print("prompt> ", end="", file=out, flush=True)
    assert target.getvalue() == "prompt> "
    assert out.getvalue() == "prompt> "  # anything else is the real stream's


RESOLVER_MODULE = """
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

app = APIGatewayHttpResolver()


def handler(event, context):
    return app.resolve(event, context)
"""


def test_a_function_holding_a_powertools_resolver_runs_one_event_at_a_time(tmp_path: Path) -> None:
    """Powertools keeps the current event on its class (`BaseRouter.current_event`), so two copies
    in one process read each other's requests (seen: a campaigns list validated against an alerts
    request's `status=open`, a 422). Such a function gets one environment, whatever is asked."""
    (tmp_path / "app.py").write_text(RESOLVER_MODULE)
    name = f"Resolver{uuid.uuid4().hex[:8]}"
    try:
        pool = HandlerPool(FunctionSpec(name, tmp_path, "app", "handler", {}, []), 4)
        assert (pool.size, pool.process_wide_state) == (1, True)
    finally:
        for key in [k for k in sys.modules if k.startswith(f"roster_fn_{name}")]:
            del sys.modules[key]


def test_the_api_function_is_one_environment_and_others_keep_their_pool(tmp_path: Path) -> None:
    from local import template as tpl

    template = tpl.load(Path(__file__).resolve().parents[2] / "template.yaml")
    names = tpl.Names("roster-pooltest")
    specs = {s.logical_id: s for s in tpl.functions(template, names, tpl.parameters(template))}
    assert HandlerPool(specs["ApiFunction"], 4).size == 1
    assert HandlerPool(specs["RedirectFunction"], 4).size == 4
