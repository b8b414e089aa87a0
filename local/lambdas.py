"""Runs the real Lambda handlers in-process: loads them from their CodeUri and routes moto's
Lambda `Invoke` (what Step Functions tasks call) to them."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TextIO, cast

from local.template import FunctionSpec

Handler = Callable[[Any, Any], Any]


@dataclass
class FakeLambdaContext:
    """What Powertools reads from a Lambda context."""

    function_name: str = "roster-local"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def load_module(spec: FunctionSpec, instance: int = 0) -> ModuleType:
    """The function's module; `instance` > 0 loads another copy (its own globals: its resolver,
    its clients, its caches), as another Lambda execution environment would."""
    name = f"roster_fn_{spec.logical_id}" + (f"__{instance}" if instance else "")
    if name in sys.modules:
        return sys.modules[name]
    path = spec.code_dir / f"{spec.module.replace('.', '/')}.py"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


class HandlerPool:
    """A function as Lambda runs it: up to `size` execution environments, each running one event
    at a time (resolvers keep the current event on themselves, so one module copy never takes two
    events at once). An event goes to an idle environment, else a new one is loaded (a cold
    start, in the event's own time, as on Lambda) while fewer than `size` exist, else it waits
    for one to be free (Lambda would throttle; the local stack queues instead). Copy 0 is loaded
    at once, so a module that cannot be imported stops the stack at start; a later copy whose
    import raises gives its slot back, and that event fails as a failed cold start would."""

    def __init__(self, spec: FunctionSpec, size: int) -> None:
        first = load_module(spec)
        self.spec = spec
        # Powertools' event handler keeps the current event on its class (`BaseRouter.current_event`),
        # not on the resolver: two copies in one process would read each other's requests (a
        # request validated against another's query string). On Lambda each environment is its own
        # process; here a function holding a resolver runs one event at a time.
        self.process_wide_state = _holds_powertools_resolver(first)
        self.size = 1 if self.process_wide_state else max(1, size)
        self._idle: list[tuple[int, Handler]] = [(0, getattr(first, spec.attribute))]
        self._taken = {0}  # copies loaded or loading: each number names one module, never shared
        self._free = threading.Condition()
        self._busy = 0
        self.peak = 0  # the most environments busy at once (tests read it)

    @property
    def loaded(self) -> int:
        """How many environments exist (or are being loaded) now."""
        with self._free:
            return len(self._taken)

    def _acquire(self) -> tuple[int, Handler]:
        with self._free:
            while not self._idle and len(self._taken) >= self.size:
                self._free.wait()
            self._busy += 1
            self.peak = max(self.peak, self._busy)
            if self._idle:
                return self._idle.pop()
            # The lowest free number: a copy whose load failed leaves its number free, and a
            # number in use is never handed out again (its module is in sys.modules, busy).
            instance = min(set(range(self.size)) - self._taken)
            self._taken.add(instance)
        try:
            return instance, cast(Handler, getattr(load_module(self.spec, instance), self.spec.attribute))
        except BaseException:
            with self._free:
                self._taken.discard(instance)
                self._busy -= 1
                self._free.notify()
            raise

    def _release(self, entry: tuple[int, Handler]) -> None:
        with self._free:
            self._idle.append(entry)
            self._busy -= 1
            self._free.notify()

    def __call__(self, event: Any, context: Any) -> Any:
        entry = self._acquire()
        try:
            return entry[1](event, context)
        finally:
            self._release(entry)


def _holds_powertools_resolver(module: ModuleType) -> bool:
    """Does the module hold a Powertools event handler (whose current event is process-wide),
    itself or on an object of its own (the API's `LazyApi` holds its resolver)?"""
    routers = sys.modules.get("aws_lambda_powertools.event_handler.api_gateway")
    if routers is None:
        return False
    base = routers.BaseRouter
    for value in vars(module).values():
        inner = vars(value).values() if hasattr(value, "__dict__") and not isinstance(value, type) else ()
        if isinstance(value, base) or any(isinstance(v, base) for v in inner):
            return True
    return False


def load_handler(spec: FunctionSpec, instances: int = 1) -> Handler:
    """The handler, run by a pool of up to `instances` environments (one: one event at a time, as
    a function with reserved concurrency 1)."""
    return HandlerPool(spec, instances)


class WholeLines:
    """Standard output shared by every execution environment of the process. On Lambda each has its
    own log stream; here they share one, and `print` writes its text and its newline in two calls,
    so lines from concurrent events ran together (`{...}{...}` on one line, which no log reader,
    `make replay-clicks` included, can parse). Each thread's text is held until its line ends and
    then written whole, under a lock."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self._pending = threading.local()

    def write(self, text: str) -> int:
        held: str = getattr(self._pending, "text", "") + text
        lines, newline, rest = held.rpartition("\n")
        self._pending.text = rest
        if newline:
            with self._lock:
                self.stream.write(lines + newline)
        return len(text)

    def flush(self) -> None:
        held: str = getattr(self._pending, "text", "")
        self._pending.text = ""
        with self._lock:
            if held:
                self.stream.write(held)
            self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty, …: the real stream's
        return getattr(self.stream, name)


def whole_lines() -> None:
    """Makes `sys.stdout` a `WholeLines` (once)."""
    if not isinstance(sys.stdout, WholeLines):
        sys.stdout = cast(TextIO, WholeLines(sys.stdout))


def invoke(handler: Handler, function_name: str, event: Any) -> Any:
    return handler(event, FakeLambdaContext(function_name=function_name))


class Registry:
    """Function name (as moto knows it) → handler."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def register(self, function_name: str, handler: Handler) -> None:
        self.handlers[function_name] = handler

    def install(self) -> None:
        """Replaces the simple (no-Docker) Lambda backend's `invoke` with a call to our handler."""
        from moto.awslambda_simple.models import LambdaSimpleBackend

        registry = self

        def _invoke(
            backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
        ) -> bytes:
            name = function_name.rsplit(":function:", 1)[-1].split(":")[0]
            handler = registry.handlers.get(name)
            if handler is None:
                response_headers["x-amz-function-error"] = "Unhandled"
                return json.dumps({"errorType": "ResourceNotFound", "errorMessage": name}).encode()
            event = json.loads(body) if body else {}
            try:
                result = invoke(handler, name, event)
            except Exception as exc:  # reported to the caller the way Lambda does, never swallowed
                response_headers["x-amz-function-error"] = "Unhandled"
                return json.dumps(
                    {
                        "errorType": type(exc).__name__,
                        "errorMessage": str(exc),
                        "stackTrace": traceback.format_exception(exc),
                    }
                ).encode()
            return json.dumps(result).encode()

        LambdaSimpleBackend.invoke = _invoke  # type: ignore[method-assign,assignment]


class Poller:
    """A background thread that polls an event source (a stream, a queue) like Lambda's event
    source mapping: `poll_once` delivers one round; errors are printed and polling goes on."""

    name = "poller"

    def __init__(self, function: str) -> None:
        self.function = function
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"{self.name}-{function}")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.request_stop()
        self.thread.join(timeout=5)

    def request_stop(self) -> None:
        """Asks the poller to stop after its current batch, without waiting (a stack stops all of
        its pollers at once, then waits for them together)."""
        self.stop_event.set()

    def poll_once(self) -> int:
        raise NotImplementedError

    def run(self) -> None:
        while not self.stop_event.wait(0.2):
            try:
                while self.poll_once() and not self.stop_event.is_set():
                    pass
            except Exception as exc:  # keep polling, as Lambda's event source mapping does
                print(f"{self.name} {self.function}: {type(exc).__name__}: {exc}", flush=True)
