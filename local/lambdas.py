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
from typing import Any

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


def load_module(spec: FunctionSpec) -> ModuleType:
    name = f"roster_fn_{spec.logical_id}"
    if name in sys.modules:
        return sys.modules[name]
    path = spec.code_dir / f"{spec.module.replace('.', '/')}.py"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def load_handler(spec: FunctionSpec) -> Handler:
    """The handler, wrapped so it runs one event at a time like a single Lambda instance (resolvers
    keep the current event on themselves, so concurrent calls into one module would mix them up)."""
    handler: Handler = getattr(load_module(spec), spec.attribute)
    lock = threading.Lock()

    def one_at_a_time(event: Any, context: Any) -> Any:
        with lock:
            return handler(event, context)

    return one_at_a_time


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
        self.stop_event.set()
        self.thread.join(timeout=5)

    def poll_once(self) -> int:
        raise NotImplementedError

    def run(self) -> None:
        while not self.stop_event.wait(0.2):
            try:
                while self.poll_once():
                    pass
            except Exception as exc:  # keep polling, as Lambda's event source mapping does
                print(f"{self.name} {self.function}: {type(exc).__name__}: {exc}", flush=True)
