"""Running a handler: on the event loop, in a thread pool, or in a process pool.

Every runner turns "call the handler" into an awaitable :class:`HandlerResult`
(the returned value or the exception, never raised), so the worker decides
the outcome the same way for all strategies.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import pickle
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

import attrs

from camunda_core.errors import ValidationError
from camunda_workers.job_context import JobContext
from camunda_workers.outcome import Decision, JobError, JobFailure

__all__ = [
    "HandlerResult",
    "HandlerRunner",
    "AsyncRunner",
    "ThreadRunner",
    "ProcessRunner",
    "check_picklable",
    "failure_message",
]

Handler = Callable[[JobContext], Any]


@attrs.frozen(kw_only=True)
class HandlerResult:
    """What a handler did: its return value, or its exception, plus a decision a child recorded."""

    value: Any = None
    error: BaseException | None = None
    #: "TypeName: message" of the exception (kept even when the exception itself cannot cross processes).
    error_message: str | None = None
    #: The outcome a process child chose explicitly (threads and async send theirs directly).
    decision: Decision | None = None


def failure_message(error: BaseException) -> str:
    """The failure message sent for a handler exception."""
    return f"{type(error).__name__}: {error}"


class HandlerRunner(Protocol):
    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        """Start the handler; the future resolves to its result (cancelling it cancels async handlers)."""
        ...

    def close(self) -> None: ...


async def _run_async(handler: Callable[[JobContext], Awaitable[Any]], context: JobContext) -> HandlerResult:
    try:
        value = await handler(context)
    except asyncio.CancelledError:
        raise
    except Exception as error:
        return HandlerResult(error=error, error_message=failure_message(error))
    return HandlerResult(value=value)


class AsyncRunner:
    """Coroutines on the worker's event loop."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler

    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        return asyncio.ensure_future(_run_async(self._handler, context))

    def close(self) -> None:
        pass


def _call_sync(handler: Handler, context: JobContext) -> HandlerResult:
    try:
        value = handler(context)
        if asyncio.iscoroutine(value):
            # An async callable forced onto a thread: run it on a private loop.
            value = asyncio.run(cast("Any", value))
    except Exception as error:
        return HandlerResult(error=error, error_message=failure_message(error))
    return HandlerResult(value=value)


class ThreadRunner:
    """A thread pool as large as the worker's concurrency, so no handler waits for a thread."""

    def __init__(self, handler: Handler, max_workers: int, name: str) -> None:
        self._handler = handler
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)

    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._pool, _call_sync, self._handler, context)

    def close(self) -> None:
        # Unfinished handlers keep their threads; their jobs were released already.
        self._pool.shutdown(wait=False, cancel_futures=True)


def _child_run(handler: Handler, context: JobContext) -> HandlerResult:
    """Runs in the child process: call the handler, bring back only picklable facts."""
    from camunda_workers.typed_variables import to_variables_dict

    result = _call_sync(handler, context)
    decision = context.decision
    error = result.error
    if error is not None:
        if not isinstance(error, (JobError, JobFailure)):
            error = None  # the message is enough; arbitrary exceptions may not pickle
        return HandlerResult(error=error, error_message=result.error_message, decision=decision)
    value = result.value
    if value is not None and decision is None:
        try:
            value = to_variables_dict(value, what="the handler's return value")
        except ValidationError as exc:
            return HandlerResult(error_message=failure_message(exc), decision=decision)
    outcome = HandlerResult(value=value if decision is None else None, decision=decision)
    try:
        pickle.dumps(outcome)
    except Exception as exc:
        # The result must travel back to the parent; say why it cannot.
        return HandlerResult(error_message=f"the handler's result cannot be pickled: {failure_message(exc)}")
    return outcome


def _process_context() -> Any:
    # fork is unsafe in a process with an event loop and threads (and Python
    # 3.12+ warns about it); forkserver starts children from a clean process.
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


class ProcessRunner:
    """A process pool for CPU-bound handlers (at most one process per CPU)."""

    def __init__(self, handler: Handler, max_workers: int) -> None:
        self._handler = handler
        workers = max(1, min(max_workers, os.cpu_count() or 1))
        self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=_process_context())

    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._pool, _child_run, self._handler, context)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def check_picklable(job_type: str, callback: Callable[..., Any], variables_type: type[Any] | None) -> None:
    """Fail early, at worker creation, if the process strategy could never ship the handler."""
    for what, value in (("callback", callback), ("variables_type", variables_type)):
        if value is None:
            continue
        try:
            pickle.dumps(value)
        except Exception as exc:
            name = getattr(value, "__qualname__", None) or type(value).__name__
            raise ValidationError(
                f"WorkerConfig.execution_strategy is 'process' for job type {job_type!r}, but the {what} "
                f"{name} cannot be pickled ({type(exc).__name__}: {exc}). Define it at module level "
                "(not a lambda, nested function or closure over unpicklable objects), or use 'thread'."
            ) from exc
