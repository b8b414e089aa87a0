"""Fixes to moto that the local stack and the tests need.

`TransactWriteItems`: moto 5.2 deep-copies every table a transaction touches, whole, before each
transaction (to roll back on failure), so each transaction costs time in proportion to the size of
the table — seconds per hundred order webhooks once the table holds a few thousand items, since
every stored order event is a transaction. This version keeps DynamoDB's semantics (every
condition holds or nothing is written; a failed one is reported per operation, with the old item
when asked) but checks every condition before writing anything and backs up only the items it
touches. Operations of one transaction touch distinct items (moto and DynamoDB refuse two on the
same item), so checking all conditions first is the same as checking each before its write.

Step Functions: a task state that timed out raises the timeout, never an error of the work it
abandoned, as on AWS (`_evaluate_with_timeout`).

`Query` on a table (not an index): moto 5.2 walks every item of the table to find the partition's,
for every page, so paging through one brand's orders costs the whole table once per page — the
brand console's reports took seconds on a few thousand orders. DynamoDB reads only the partition.
This version hands moto's own query the partition alone (its items, as moto keeps them by hash
key), less the items the sort key condition rules out; sorting, conditions, filters, paging and
limits stay moto's.

Writes: moto checks a write's condition and then writes, in Python, on whichever thread the request
came in on — two conditional writes racing on one item can both pass their check, a lost update
DynamoDB never allows (its conditional writes are atomic per item). Every write (put, update,
delete, transaction, batch) therefore runs under one lock: stronger than DynamoDB (writes to
different items serialize too), which changes no outcome, only the order of unrelated writes.

S3: moto closes an object's bytes the moment it is deleted or replaced, while a copy on another
thread may still be reading them as its source ("I/O operation on closed file" — two attaches of
one upload racing, one deleting the incoming object the other was copying). S3 copies a consistent
object or answers NoSuchKey. A copy, and every delete or put, therefore runs under one lock: the
copy finds its source whole, or gone (NoSuchKey).
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

_installed = False


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[Any, Any, Any]] = []
    planned: list[tuple[str, dict[str, Any], str, dict[str, Any], Any]] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        table_name = op["TableName"]
        table = self.get_table(table_name)
        if op_type == "Put":
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        marker = (str(table_name), str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        current = self.get_item(table_name, key)
        condition = op.get("ConditionExpression")
        if condition is not None:
            check = get_filter_expression(
                condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            )
            if not check.expr(current):
                old = None
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    old = current.to_json()["Attributes"]
                errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
                continue
        errors.append((None, None, None))
        if op_type != "ConditionCheck":  # a check writes nothing: nothing to apply or restore
            planned.append((op_type, op, table_name, key, copy.deepcopy(current)))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    done: list[tuple[str, dict[str, Any], Any]] = []
    try:
        for op_type, op, table_name, key, before in planned:
            if op_type == "Put":
                self.put_item(table_name, op["Item"])
            elif op_type == "Delete":
                self.delete_item(table_name, key)
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=op.get("ExpressionAttributeNames") or {},
                    expression_attribute_values=op.get("ExpressionAttributeValues") or {},
                )
            done.append((table_name, key, before))
    except Exception:
        for table_name, key, before in reversed(done):  # put back what this transaction wrote
            if before is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, before.to_json()["Attributes"])
        raise


_query = Table.query
_all_items = Table.all_items
_only = threading.local()  # moto's server answers each request on its own thread


def _partition_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name") if len(args) < 7 else args[6]
    if index_name or not self.range_key_attr or hash_key is None:
        return _query(self, hash_key, *args, **kwargs)
    items = list(self.items.get(hash_key, {}).values())
    comparison = args[0] if args else kwargs.get("range_comparison")
    if comparison:  # moto applies the sort key condition after sorting; the same, before
        values = args[1] if len(args) > 1 else kwargs["range_objs"]
        items = [i for i in items if i.range_key is not None and i.range_key.compare(comparison, values)]
    _only.scope = (self, items)
    try:
        return _query(self, hash_key, *args, **kwargs)
    finally:
        _only.scope = None


def _items_in_scope(self: Table) -> list[Any]:
    scope = getattr(_only, "scope", None)
    if scope is not None and scope[0] is self:
        return list(scope[1])  # the query sorts them itself
    return _all_items(self)


class AbandonedWork(Exception):
    """Raised by the work of a task state whose frame ended (the state timed out): read as the
    timeout if it is read at all."""


def _evaluate_with_timeout(self: Any, env: Any) -> None:
    """Step Functions: moto 5.2's `ExecutionState._evaluate_with_timeout`, with one change. A task
    state with `TimeoutSeconds` runs its work on a thread; when the timeout fires first, moto ends
    that thread's frame, whose remaining steps then evaluate to nothing (a component evaluates
    only while its frame runs), so the abandoned work pops wrong values off its stack (a
    `waitForTaskToken` Lambda task still invoking at its timeout took its input as its timeout:
    "'>' not supported between instances of 'dict' and 'int'"). moto read the thread's error
    before the timeout, so when that error landed first it was reported: `States.Runtime`, which
    only a `States.ALL` catch takes, and the execution failed where AWS takes the timeout's catch.
    Here a state that timed out always raises the timeout; its abandoned work's outcome is
    dropped. (The thread sets `terminated_event` on success and on error alike, so a state that
    did not time out still reports its work's own error.)"""
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
    from moto.stepfunctions.parser.utils import TMP_THREADS

    if not env.is_running():  # the execution ended meanwhile: nothing to evaluate, as components do
        return
    self.timeout.eval(env=env)
    timeout_seconds = env.stack.pop()
    frame = env.open_frame()
    frame.states.reset(input_value=env.states.get_input())
    frame.stack = copy.deepcopy(env.stack)
    execution_outputs: list[Any] = []
    execution_exceptions: list[Exception | None] = [None]
    terminated_event = threading.Event()

    def _exec_and_notify() -> None:
        try:
            self._eval_execution(frame)
            execution_outputs.extend(frame.stack)
        except Exception as ex:
            execution_exceptions.append(ex)
        terminated_event.set()

    thread = threading.Thread(target=_exec_and_notify, daemon=True)
    TMP_THREADS.append(thread)
    thread.start()
    finished_on_time = terminated_event.wait(timeout_seconds)
    frame.set_ended()
    env.close_frame(frame)
    if not finished_on_time:  # the one change: moto checked the thread's error first
        raise EvalTimeoutError()
    execution_exception = execution_exceptions.pop()
    if isinstance(execution_exception, AbandonedWork):  # its frame ended: the state timed out
        raise EvalTimeoutError()
    if execution_exception:
        raise execution_exception
    execution_output = execution_outputs.pop()
    env.stack.append(execution_output)
    if not self._is_language_query_jsonpath():
        env.states.set_result(execution_output)
    if self.assign_decl:
        self.assign_decl.eval(env=env)
    if self.result_selector:
        self.result_selector.eval(env=env)
    if self.result_path:
        self.result_path.eval(env)
    else:
        res = env.stack.pop()
        env.states.reset(input_value=res)


def _stops_when_abandoned(integration_pattern: Any) -> Any:
    """Step Functions: a callback task's `_eval_integration_pattern`, run by the thread of a state
    that may have timed out while its Lambda was invoking. On an ended frame its own timeout
    evaluates to nothing, so moto popped the state's input as the timeout and waited on it
    ("'>' not supported between instances of 'dict' and 'int'"). Abandoned work stops here."""

    def pattern(self: Any, env: Any, *args: Any, **kwargs: Any) -> Any:
        if not env.is_running():
            raise AbandonedWork(self.name)
        return integration_pattern(self, env, *args, **kwargs)

    pattern.__wrapped__ = integration_pattern  # type: ignore[attr-defined]
    return pattern


_WRITE_LOCK = threading.RLock()
WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")


def _under(lock: threading.RLock, call: Any) -> Any:
    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return call(*args, **kwargs)

    locked.__wrapped__ = call  # type: ignore[attr-defined]
    return locked


_S3_LOCK = threading.RLock()
S3_WRITES = ("put_object", "delete_object", "delete_objects")


def install() -> None:
    """Idempotent; call before moto handles a request."""
    global _installed
    if not _installed:
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        for name in WRITES:
            setattr(DynamoDBBackend, name, _under(_WRITE_LOCK, getattr(DynamoDBBackend, name)))
        from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
        from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (  # noqa: E501
            StateTaskServiceCallback,
        )

        ExecutionState._evaluate_with_timeout = _evaluate_with_timeout  # type: ignore[method-assign]
        StateTaskServiceCallback._eval_integration_pattern = _stops_when_abandoned(  # type: ignore[method-assign]
            StateTaskServiceCallback._eval_integration_pattern
        )
        from moto.s3.models import S3Backend
        from moto.s3.responses import S3Response

        S3Response.copy_object = _under(_S3_LOCK, S3Response.copy_object)  # type: ignore[method-assign]
        for name in S3_WRITES:
            setattr(S3Backend, name, _under(_S3_LOCK, getattr(S3Backend, name)))
        Table.query = _partition_query  # type: ignore[method-assign]
        Table.all_items = _items_in_scope  # type: ignore[method-assign]
        _installed = True
