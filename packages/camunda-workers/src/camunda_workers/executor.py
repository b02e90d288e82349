"""Running a handler: on the event loop, in a thread pool, or in a process pool.

Every runner turns "call the handler" into an awaitable :class:`HandlerResult`
(the returned value or the exception, never raised), so the worker decides
the outcome the same way for all strategies.

Handlers may raise any ``BaseException``: it is captured like an exception
(never allowed to reach the event loop, where ``SystemExit`` and
``KeyboardInterrupt`` would end the program with jobs in flight). Interrupts
are marked in :attr:`HandlerResult.interrupt` so the worker can release the job
and stop instead of failing it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import multiprocessing
import os
import pickle
import queue
import sys
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, cast

import attrs

from camunda_core.errors import ValidationError
from camunda_workers.decisions import (
    Decision,
    JobError,
    JobFailure,
    decision_for_request_model,
    failure_message,
)
from camunda_workers.job_context import JobContext

__all__ = [
    "DEAD_CHILD_MESSAGE",
    "HandlerResult",
    "HandlerRunner",
    "AsyncRunner",
    "DaemonThreadPool",
    "LingeringHandlerWarning",
    "ThreadRunner",
    "ProcessRunner",
    "check_picklable",
    "failure_message",
    "interrupt_name",
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
    #: The type name of an interrupt the handler raised (``KeyboardInterrupt``, ``SystemExit``,
    #: or an async handler's own ``CancelledError``): release the job and stop, do not fail it.
    interrupt: str | None = None
    #: The handler's own run time in seconds (its call to its return or raise; for a process
    #: handler measured in the child); None when the handler did not run to an end here.
    handler_seconds: float | None = None


def interrupt_name(error: BaseException, *, async_handler: bool = False) -> str | None:
    """The type name if ``error`` asks the program to stop rather than saying the job failed."""
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        return type(error).__name__
    if async_handler and isinstance(error, asyncio.CancelledError):
        return type(error).__name__
    return None


def _error_result(
    error: BaseException, *, async_handler: bool = False, handler_seconds: float | None = None
) -> HandlerResult:
    return HandlerResult(
        error=error,
        error_message=failure_message(error),
        interrupt=interrupt_name(error, async_handler=async_handler),
        handler_seconds=handler_seconds,
    )


class HandlerRunner(Protocol):
    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        """Start the handler; the future resolves to its result (cancelling it cancels async handlers)."""
        ...

    def close(self) -> None: ...


class _HandlerTask(asyncio.Task[HandlerResult]):
    """The task of one async handler; remembers whether anyone asked to cancel it.

    A ``CancelledError`` out of a handler is ours (job timeout, shutdown, the loop
    closing) only if ``cancel()`` was called on this task; otherwise the handler
    raised it itself, which is an interrupt. (``Task.cancelling()`` would say the
    same but needs Python 3.11.)
    """

    cancel_requested = False

    def cancel(self, msg: Any | None = None) -> bool:
        self.cancel_requested = True
        return super().cancel(msg)


async def _run_async(handler: Callable[[JobContext], Awaitable[Any]], context: JobContext) -> HandlerResult:
    started = time.perf_counter()
    try:
        value = await handler(context)
    except asyncio.CancelledError as error:
        task = asyncio.current_task()
        if not isinstance(task, _HandlerTask) or task.cancel_requested:
            raise
        return _error_result(error, async_handler=True, handler_seconds=time.perf_counter() - started)
    except GeneratorExit as error:
        trace = error.__traceback__
        if trace is None or trace.tb_next is None:
            # Thrown into this frame by close(): the coroutine must end, not return.
            raise
        # raised by the handler itself
        return _error_result(error, async_handler=True, handler_seconds=time.perf_counter() - started)
    except BaseException as error:
        return _error_result(error, async_handler=True, handler_seconds=time.perf_counter() - started)
    return HandlerResult(value=value, handler_seconds=time.perf_counter() - started)


class AsyncRunner:
    """Coroutines on the worker's event loop."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler

    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        return _HandlerTask(_run_async(self._handler, context), loop=asyncio.get_running_loop())

    def close(self) -> None:
        pass


def _call_sync(handler: Handler, context: JobContext) -> HandlerResult:
    started = time.perf_counter()
    try:
        value = handler(context)
        if asyncio.iscoroutine(value):
            # An async callable forced onto a thread: run it on a private loop.
            value = asyncio.run(cast("Any", value))
    except BaseException as error:
        # Not only Exception: SystemExit or KeyboardInterrupt must come back as a
        # result too, or they would end the worker's event loop (and the program).
        return _error_result(error, handler_seconds=time.perf_counter() - started)
    return HandlerResult(value=value, handler_seconds=time.perf_counter() - started)


def _call_sync_in(job_context: contextvars.Context, handler: Handler, context: JobContext) -> HandlerResult:
    return job_context.run(_call_sync, handler, context)


class LingeringHandlerWarning(RuntimeWarning):
    """A thread or process handler was still running when its worker stopped."""


class DaemonThreadPool(concurrent.futures.Executor):
    """A thread pool of daemon threads, started on demand up to ``max_workers``.

    ``ThreadPoolExecutor`` threads are joined at interpreter exit, so one handler
    that ignores the grace period would keep the process alive forever. These
    threads are daemons: a handler still running when the program ends is
    abandoned (its job was released already).
    """

    def __init__(self, max_workers: int, name: str) -> None:
        self._max_workers = max_workers
        self._name = name
        self._work: queue.SimpleQueue[tuple[concurrent.futures.Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._threads: list[threading.Thread] = []
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._shutdown = False
        #: Calls running now.
        self.running = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        call: Callable[..., Any] = fn if not kwargs else (lambda *a: fn(*a, **kwargs))
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new handlers after the pool was shut down")
            self._work.put((future, call, args))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self._max_workers:
                thread = threading.Thread(
                    target=self._serve, name=f"{self._name}_{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        return future

    def _serve(self) -> None:
        work = self._work
        while True:
            item = work.get()
            if item is None:
                work.put(None)  # wake the next thread too
                return
            future, call, args = item
            if future.set_running_or_notify_cancel():
                with self._lock:
                    self.running += 1
                try:
                    result = call(*args)
                except BaseException as error:
                    future.set_exception(error)
                else:
                    future.set_result(result)
                finally:
                    with self._lock:
                        self.running -= 1
            del item, future, call, args
            self._idle.release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while True:
                    try:
                        item = self._work.get_nowait()
                    except queue.Empty:
                        break
                    if item is not None:
                        item[0].cancel()
            self._work.put(None)
        if wait:
            for thread in list(self._threads):
                thread.join()


class ThreadRunner:
    """A pool of daemon threads as large as the worker's concurrency, so no handler waits for a thread."""

    def __init__(self, handler: Handler, max_workers: int, name: str) -> None:
        self._handler = handler
        self._pool = DaemonThreadPool(max_workers, name)

    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        loop = asyncio.get_running_loop()
        # In a copy of the job's context (as asyncio.to_thread does), so what a job scope
        # made current (a tracing span) is current in the handler's thread too.
        return loop.run_in_executor(self._pool, _call_sync_in, contextvars.copy_context(), self._handler, context)

    def close(self) -> None:
        # Unfinished handlers keep their (daemon) threads; their jobs were released already.
        lingering = self._pool.running
        self._pool.shutdown(wait=False, cancel_futures=True)
        if lingering:
            _warn_lingering(lingering, "thread", "their threads are daemons: they do not keep the process alive")


def _child_run(handler: Handler, context: JobContext) -> HandlerResult:
    """Runs in the child process: call the handler, bring back only picklable facts.

    A returned request model (``JobCompletionRequest``, a ``JobResult`` model) comes back
    as the decision it stands for, so the parent sends it as that request.
    """
    from camunda_workers.typed_variables import to_variables_dict

    result = _call_sync(handler, context)
    seconds = result.handler_seconds
    decision = context.decision
    error = result.error
    if error is not None:
        if not isinstance(error, (JobError, JobFailure)):
            error = None  # the message is enough; arbitrary exceptions may not pickle
        return HandlerResult(
            error=error,
            error_message=result.error_message,
            decision=decision,
            interrupt=result.interrupt,
            handler_seconds=seconds,
        )
    value = result.value
    if value is not None and decision is None:
        decision = decision_for_request_model(value)
        if decision is not None:
            value = None
        else:
            try:
                value = to_variables_dict(value, what="the handler's return value")
            except ValidationError as exc:
                return HandlerResult(error_message=failure_message(exc), handler_seconds=seconds)
    outcome = HandlerResult(value=value if decision is None else None, decision=decision, handler_seconds=seconds)
    try:
        pickle.dumps(outcome)
    except Exception as exc:
        # The result must travel back to the parent; say why it cannot.
        return HandlerResult(
            error_message=f"the handler's result cannot be pickled: {failure_message(exc)}", handler_seconds=seconds
        )
    return outcome


def _process_context() -> Any:
    # fork is unsafe in a process with an event loop and threads (and Python
    # 3.12+ warns about it); forkserver starts children from a clean process.
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


#: The failure message of a job whose child process died (os._exit, a signal, out of memory).
#: The pool cannot tell which of its children died, so every job it held fails with this.
DEAD_CHILD_MESSAGE = (
    "the handler's process ended without returning a result (os._exit, a signal or a crash) "
    "while this job was running or queued in the process pool"
)


class ProcessRunner:
    """A process pool for CPU-bound handlers (at most one process per CPU).

    A child that dies breaks the whole pool: every job it held fails with
    :data:`DEAD_CHILD_MESSAGE`, and the next job starts a fresh pool.
    """

    def __init__(self, handler: Handler, max_workers: int) -> None:
        self._handler = handler
        self._workers = max(1, min(max_workers, os.cpu_count() or 1))
        self._pool = self._new_pool()
        #: Submitted and not finished (the pool's futures: they outlive a cancelled wrapper).
        self._running: set[concurrent.futures.Future[HandlerResult]] = set()

    def _new_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(max_workers=self._workers, mp_context=_process_context())

    def _renew(self, broken: concurrent.futures.ProcessPoolExecutor) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is broken:
            self._pool = self._new_pool()
            broken.shutdown(wait=False, cancel_futures=True)
        return self._pool

    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        pool = self._pool
        try:
            submitted = pool.submit(_child_run, self._handler, context)
        except BrokenProcessPool:
            pool = self._renew(pool)
            submitted = pool.submit(_child_run, self._handler, context)
        self._running.add(submitted)
        submitted.add_done_callback(self._running.discard)
        future = asyncio.wrap_future(submitted, loop=asyncio.get_running_loop())
        return asyncio.ensure_future(self._result(pool, future))

    async def _result(
        self, pool: concurrent.futures.ProcessPoolExecutor, future: asyncio.Future[HandlerResult]
    ) -> HandlerResult:
        try:
            return await future
        except BrokenProcessPool:
            self._renew(pool)
            return HandlerResult(error_message=DEAD_CHILD_MESSAGE)

    def close(self) -> None:
        pool = self._pool
        lingering = sum(1 for future in list(self._running) if future.running())
        if not lingering:
            pool.shutdown(wait=False, cancel_futures=True)
            return
        # The pool's manager thread would wait for them at exit: end the children instead.
        _end_children(pool)
        _warn_lingering(lingering, "process", "their child processes were terminated")


def _end_children(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if callable(terminate):
        terminate()
        return
    # Before 3.14 there is no public way to reach the children: the pool's own table
    # (read before shutdown(), which forgets it).
    processes: Any = getattr(pool, "_processes", None) or {}
    children = list(processes.values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in children:
        if process.is_alive():
            process.terminate()


def _warn_lingering(count: int, kind: str, what_happens: str) -> None:
    warnings.warn(
        f"{count} {kind} handler(s) were still running when their worker stopped, past the grace "
        f"period; their jobs were released and their results will be ignored ({what_happens})",
        LingeringHandlerWarning,
        stacklevel=3,
    )


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
