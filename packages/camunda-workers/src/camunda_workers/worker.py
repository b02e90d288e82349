"""One job worker, composed of its parts:

* :mod:`camunda_workers.poller` — the activation long-poll loop and its back-off;
* :mod:`camunda_workers.supervisor` — running handlers, in-flight accounting, timeouts;
* :mod:`camunda_workers.decisions` — what a handler's result becomes, one outcome per job;
* :mod:`camunda_workers.delivery` — sending decisions, counting how that ended;
* :mod:`camunda_workers.shutdown` — graceful stop, releasing unfinished jobs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from camunda_core.logging import SdkLogger
from camunda_workers.config import ResolvedWorkerConfig
from camunda_workers.delivery import DecisionSender, Delivery, delivery_policy
from camunda_workers.executor import AsyncRunner, HandlerRunner, ProcessRunner, ThreadRunner
from camunda_workers.job_api import JobApi
from camunda_workers.job_context import JobContext
from camunda_workers.job_hooks import JobLifecycleHooks
from camunda_workers.metrics import JobStats, PollStats, WorkerHealth, WorkerMetrics
from camunda_workers.otel import recorder
from camunda_workers.poller import PollBackoff, Poller
from camunda_workers.report import ReportCounter, WorkerReport
from camunda_workers.shutdown import shut_down
from camunda_workers.supervisor import Supervisor

if TYPE_CHECKING:
    from camunda_core.models.activated_job_result import ActivatedJobResult
    from camunda_core.runtime.async_client import AsyncClientRuntime
    from camunda_core.runtime.client_runtime import ClientRuntime

__all__ = ["JobWorker", "PollBackoff"]

Handler = Callable[[JobContext], Any]


class JobWorker:
    """Polls one job type and runs a handler for each job. Created by ``create_job_worker``."""

    def __init__(
        self,
        client: AsyncClientRuntime,
        config: ResolvedWorkerConfig,
        callback: Handler,
        *,
        sync_client_factory: Callable[[], Any] | None = None,
        clock: Callable[[], float] | None = None,
        on_interrupt: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self._client = client
        self._callback = callback
        self._sync_client_factory = sync_client_factory
        runtime = client.runtime
        self._runtime = runtime
        self._clock = runtime.clock.now if clock is None else clock
        self._api = JobApi(runtime)
        self._log: Any = runtime.logger.bind(job_type=config.job_type, worker=config.worker_name)
        #: The OpenTelemetry bridge (None: OpenTelemetry is not installed).
        self._otel = otel = recorder(config.job_type, config.worker_name)
        self._counter = ReportCounter(otel)
        self._job_stats = JobStats(otel)
        hooks = JobLifecycleHooks(runtime.plugin_manager, self._log, self._clock, otel, runtime.configuration)
        sender = DecisionSender(
            self._api,
            delivery_policy(runtime.retry_policy, config.job_timeout_ms),
            clock=self._clock,
            sleep=runtime.clock.asleep,
        )
        self._delivery = Delivery(sender, config, self._counter, hooks, self._log)
        self._hooks = hooks
        self._loop: asyncio.AbstractEventLoop | None = None
        self._supervisor: Supervisor | None = None
        self._poller: Poller | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._stopped: asyncio.Event | None = None
        self._stopping = False
        self._stop_task: asyncio.Task[WorkerReport] | None = None
        #: Called once a handler raised an interrupt; None: this worker stops itself.
        self._on_interrupt = on_interrupt

    # -- public ---------------------------------------------------------------------------

    @property
    def job_type(self) -> str:
        return self.config.job_type

    @property
    def worker_name(self) -> str:
        return self.config.worker_name

    @property
    def runtime(self) -> ClientRuntime:
        """The client runtime this worker sends through (shared by every worker of the client)."""
        return self._runtime

    @property
    def in_flight(self) -> int:
        """Jobs activated and not yet finished."""
        return 0 if self._supervisor is None else self._supervisor.in_flight

    @property
    def is_running(self) -> bool:
        return self._poll_task is not None and not self._stopping

    @property
    def report(self) -> WorkerReport:
        return self._counter.snapshot(self.config.job_type, self.config.worker_name)

    def metrics(self) -> WorkerMetrics:
        """A snapshot of what this worker did so far (see :class:`WorkerMetrics`)."""
        report = self.report
        poller = self._poller
        stats = poller.stats if poller is not None else PollStats()
        hooks = self._hooks
        jobs = self._job_stats
        return WorkerMetrics(
            job_type=self.config.job_type,
            worker_name=self.config.worker_name,
            activated=report.activated,
            completed=report.completed,
            failed=report.failed,
            errors_thrown=report.errored,
            released=report.released,
            in_flight=self.in_flight,
            job_seconds_count=hooks.duration_count,
            job_seconds_sum=hooks.duration_sum,
            job_seconds_max=hooks.duration_max,
            handler_seconds_count=jobs.handler_count,
            handler_seconds_sum=jobs.handler_sum,
            handler_seconds_max=jobs.handler_max,
            lease_extensions=jobs.lease_extensions,
            polls=stats.successes,
            poll_failures=stats.failures,
            poll_latency_sum=stats.latency_sum,
            poll_latency_max=stats.latency_max,
            backpressure_pauses=stats.backpressure_pauses,
            polls_cut=0 if poller is None else poller.polls_cut,
        )

    def health(self) -> WorkerHealth:
        """Whether this worker polls successfully and whether a handler is stuck past its job timeout."""
        poller = self._poller
        stats = poller.stats if poller is not None else PollStats()
        stuck = 0
        supervisor = self._supervisor
        if supervisor is not None:
            timeout_seconds = self.config.job_timeout_ms / 1000.0
            now = self._clock()
            activated_at = self._hooks.activated_at
            for active in list(supervisor.active):
                started = activated_at.get(active.context.job_key)
                if started is not None and now - started > timeout_seconds:
                    stuck += 1
        return WorkerHealth(
            job_type=self.config.job_type,
            worker_name=self.config.worker_name,
            running=self.is_running,
            last_successful_poll=stats.last_success,
            consecutive_poll_failures=stats.consecutive_failures,
            stuck_jobs=stuck,
        )

    def start(self) -> None:
        """Start polling on the running event loop. Calling it again does nothing."""
        if self._poll_task is not None or self._stopping:
            return
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stopped = asyncio.Event()
        supervisor = Supervisor(
            self.config,
            self._api,
            self._delivery,
            self._counter,
            self._hooks,
            self._log,
            self._clock,
            new_context=self._new_context,
            runner=self._make_runner(),
            on_interrupt=self._interrupted,
            stats=self._job_stats,
        )
        self._supervisor = supervisor
        self._poller = poller = Poller(self._api, self.config, supervisor, self._log, self._clock)
        poller.stats.otel = self._otel
        self._poll_task = loop.create_task(self._poller.run(), name=f"camunda-worker-poll:{self.config.job_type}")
        self._log.info(
            "worker started (strategy %s, max %d concurrent jobs, job timeout %d ms)",
            self.config.strategy,
            self.config.max_concurrent_jobs,
            self.config.job_timeout_ms,
        )

    async def wait_stopped(self) -> WorkerReport:
        """Wait until the worker has stopped; returns its report."""
        if self._stopped is None:
            return self.report
        await self._stopped.wait()
        return self.report

    async def stop(self, grace: float | None = None, *, wait_for_poll: bool = False) -> WorkerReport:
        """Stop polling, let running handlers finish within ``grace`` seconds, release the rest.

        The open activation request is cut at once; ``wait_for_poll=True`` lets it end by
        itself within the grace period instead (see "Stopping" in docs/workers.md).
        Safe to call several times and from several tasks: they all wait for the same shutdown.
        """
        if self._poll_task is None:
            self._stopping = True
            return self.report
        if self._stop_task is None:
            grace_seconds = self.config.shutdown_grace_seconds if grace is None else grace
            self._stop_task = asyncio.ensure_future(self._shutdown(grace_seconds, cut_poll=not wait_for_poll))
        return await asyncio.shield(self._stop_task)

    def __repr__(self) -> str:
        return (
            f"JobWorker(job_type={self.config.job_type!r}, worker_name={self.config.worker_name!r}, "
            f"strategy={self.config.strategy!r}, in_flight={self.in_flight})"
        )

    # -- composition ------------------------------------------------------------------------

    def _make_runner(self) -> HandlerRunner:
        config = self.config
        if config.strategy == "async":
            return AsyncRunner(self._callback)
        if config.strategy == "thread":
            return ThreadRunner(self._callback, config.max_concurrent_jobs, f"camunda-worker-{config.job_type}")
        return ProcessRunner(self._callback, config.max_concurrent_jobs)

    def _job_log(self, context: JobContext) -> SdkLogger:
        return self._log.bind(job_key=context.job_key)

    def _new_context(self, job: ActivatedJobResult) -> JobContext:
        strategy = self.config.strategy
        deliver = self._delivery.deliver
        if strategy == "async":
            return JobContext(job, client=self._client, log_factory=self._job_log, deliver=deliver, loop=self._loop)
        if strategy == "thread":
            client = self._sync_client_factory() if self._sync_client_factory is not None else None
            return JobContext(job, client=client, log_factory=self._job_log, deliver=deliver, loop=self._loop, blocking=True)
        # The parent's copy; the child gets a pickled copy without client, logger or delivery.
        return JobContext(job, log_factory=self._job_log, deliver=deliver, loop=self._loop)

    def _interrupted(self) -> None:
        """A handler raised an interrupt: the host stops every worker or, alone, this worker stops."""
        if self._on_interrupt is not None:
            self._on_interrupt()
        elif self._stop_task is None:
            self._stop_task = asyncio.ensure_future(self._shutdown(self.config.shutdown_grace_seconds))

    async def _shutdown(self, grace_seconds: float, *, cut_poll: bool = True) -> WorkerReport:
        assert self._supervisor is not None and self._poller is not None and self._stopped is not None
        self._stopping = True
        await shut_down(
            grace_seconds=grace_seconds,
            poll_task=self._poll_task,
            poller=self._poller,
            supervisor=self._supervisor,
            delivery=self._delivery,
            worker_name=self.config.worker_name,
            log=self._log,
            clock=self._clock,
            cut_poll=cut_poll,
        )
        report = self.report
        self._log.info(
            "stopped: %d completed, %d failed, %d errored, %d released, %d lost lease, %d interrupted",
            report.completed,
            report.failed,
            report.errored,
            report.released,
            report.lost_lease,
            report.interrupted,
        )
        self._stopped.set()
        return report
