"""``JobWorkerHost``: the worker methods of the async client.

The meta package composes ``class CamundaAsyncClient(JobWorkerHost,
camunda_core.client.CamundaAsyncClient)``. All workers of one client share its
HTTP connection pool, configuration, auth and plugins.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from camunda_core.errors import ValidationError
from camunda_workers.config import WorkerConfig
from camunda_workers.hookspecs import WorkerHookspecs
from camunda_workers.report import WorkerReport

if TYPE_CHECKING:
    from camunda_core.client import CamundaClient
    from camunda_core.runtime.async_client import AsyncClientRuntime
    from camunda_workers.handler_types import ExceptionHandler
    from camunda_workers.metrics import WorkerHealth, WorkerMetrics
    from camunda_workers.router import ExceptionHandlers, JobRouter
    from camunda_workers.worker import JobWorker

    _HostBase = AsyncClientRuntime
else:
    _HostBase = object

__all__ = ["JobWorkerHost"]

E = TypeVar("E", bound=BaseException)


class JobWorkerHost(_HostBase):
    """Mixin for the async client: create, run and stop job workers."""

    #: The job hooks are declared when the client's plugin manager is built, so
    #: that plugins implementing them are checked like any other.
    hookspecs: ClassVar[tuple[type | ModuleType, ...]] = (WorkerHookspecs,)

    # Created lazily: a mixin has no __init__ of its own in the client's MRO.
    def _worker_state(self) -> _HostState:
        state: _HostState | None = self.__dict__.get("_camunda_worker_state")
        if state is None:
            state = _HostState()
            self.__dict__["_camunda_worker_state"] = state
        return state

    @property
    def job_workers(self) -> tuple[JobWorker, ...]:
        """The workers created on this client, in creation order."""
        return tuple(self._worker_state().workers)

    def create_job_worker(self, config: WorkerConfig, callback: Callable[..., Any], *, auto_start: bool = True) -> JobWorker:
        """Create a worker for ``config.job_type`` that runs ``callback`` for each job.

        Starts polling at once when called inside a running event loop (and
        ``auto_start``); otherwise when :meth:`run_workers` is awaited.
        """
        # The worker machinery loads on first use: importing the client stays cheap.
        from camunda_workers.executor import check_picklable
        from camunda_workers.worker import JobWorker

        if not isinstance(config, WorkerConfig):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"create_job_worker: config must be a WorkerConfig, got {type(config).__name__}")
        if not callable(callback):
            raise ValidationError(f"create_job_worker: callback must be callable, got {type(callback).__name__}")
        resolved = config.resolve(self.runtime.configuration, callback)
        if resolved.strategy == "process":
            check_picklable(resolved.job_type, callback, resolved.variables_type)
        factory = self._job_sync_client if resolved.strategy == "thread" else None
        worker = JobWorker(
            self, resolved, callback, sync_client_factory=factory, on_interrupt=self._stop_after_interrupt
        )
        self._worker_state().workers.append(worker)
        if auto_start:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                pass
            else:
                worker.start()
        return worker

    def include_router(self, router: JobRouter, *, auto_start: bool = True) -> list[JobWorker]:
        """Create one worker per task of ``router`` (and of the routers it includes).

        Every task is checked (and its worker configuration resolved) before
        any worker is created, so a mistake creates none. The client's
        exception handlers (:meth:`exception_handler`) apply after the routers'.
        """
        from camunda_workers.router import JobRouter

        if not isinstance(router, JobRouter):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"include_router: expected a JobRouter, got {type(router).__name__}")
        state = self._worker_state()
        planned = [(route.worker_config(), route.handler(state.exception_handlers)) for route in router.routes()]
        for config, handler in planned:
            config.resolve(self.runtime.configuration, handler)  # fail before creating any worker
        return [self.create_job_worker(config, handler, auto_start=auto_start) for config, handler in planned]

    def exception_handler(self, exc_type: type[E]) -> Callable[[ExceptionHandler[E]], ExceptionHandler[E]]:
        """Decorator: the client-wide handler of ``exc_type`` for routed tasks (routers' handlers come first)."""
        from camunda_workers.router import exception_decorator

        return exception_decorator(self._worker_state().exception_handlers, exc_type, "client")

    async def run_workers(self) -> WorkerReport:
        """Start every worker not yet running and wait until all have stopped; returns the summed report."""
        workers = self.job_workers
        if not workers:
            self.runtime.logger.warning("run_workers: no job workers were created; returning at once")
            return WorkerReport(job_type="*", worker_name="*")
        for worker in workers:
            worker.start()
        try:
            reports = await asyncio.gather(*(worker.wait_stopped() for worker in workers))
        except asyncio.CancelledError:
            # Cancelled (Ctrl+C under asyncio.run): still release what is in flight.
            await asyncio.shield(self.stop_workers())
            raise
        return _sum(reports)

    async def stop_workers(self, grace: float | None = None, *, wait_for_poll: bool = False) -> WorkerReport:
        """Stop every worker gracefully (``grace`` seconds for running handlers; None = each worker's setting).

        Open activation requests are cut at once, so idle workers stop at once;
        ``wait_for_poll=True`` lets them end by themselves within the grace period
        (see "Stopping" in docs/workers.md).
        """
        workers = self.job_workers
        if not workers:
            return WorkerReport(job_type="*", worker_name="*")
        reports = await asyncio.gather(*(worker.stop(grace, wait_for_poll=wait_for_poll) for worker in workers))
        return _sum(list(reports))

    def metrics(self) -> tuple[WorkerMetrics, ...]:
        """A metrics snapshot per worker (job type), in creation order."""
        return tuple(worker.metrics() for worker in self.job_workers)

    def health(self) -> tuple[WorkerHealth, ...]:
        """Per worker: does it poll successfully, is a handler stuck past its job timeout."""
        return tuple(worker.health() for worker in self.job_workers)

    def install_signal_handlers(self, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> None:
        """Make SIGTERM/SIGINT stop the workers gracefully (call inside the running loop)."""
        loop = asyncio.get_running_loop()

        def request_stop() -> None:
            self._request_stop("signal received")

        for sig in signals:
            try:
                loop.add_signal_handler(sig, request_stop)
            except (NotImplementedError, RuntimeError):
                # Windows event loops: fall back to a plain handler that hops onto the loop.
                signal.signal(sig, lambda _signum, _frame: loop.call_soon_threadsafe(request_stop))

    def _request_stop(self, why: str) -> None:
        """Start one graceful stop of every worker in the background (signals, handler interrupts)."""
        state = self._worker_state()
        if state.stop_task is None or state.stop_task.done():
            self.runtime.logger.info(f"{why}: stopping job workers")
            state.stop_task = asyncio.get_running_loop().create_task(self.stop_workers())

    def _stop_after_interrupt(self) -> None:
        # A handler raised KeyboardInterrupt/SystemExit: the program wants to end. Every
        # worker stops the graceful way, and run_workers() returns the report.
        self._request_stop("a job handler raised an interrupt")

    async def close(self) -> None:
        """Stop the workers (gracefully), then close the client."""
        if self.job_workers:
            await self.stop_workers()
        await super().close()

    def _job_sync_client(self) -> CamundaClient:
        # Thread handlers get the blocking client on this client's runtime (closed with it).
        return self.runtime.blocking_client()


class _HostState:
    __slots__ = ("exception_handlers", "stop_task", "workers")

    def __init__(self) -> None:
        self.workers: list[JobWorker] = []
        self.exception_handlers: ExceptionHandlers = {}
        self.stop_task: asyncio.Task[WorkerReport] | None = None


def _sum(reports: list[WorkerReport]) -> WorkerReport:
    total = reports[0]
    for report in reports[1:]:
        total = total + report
    return total
