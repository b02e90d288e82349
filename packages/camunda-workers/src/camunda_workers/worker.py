"""One job worker: the poll loop, the per-job lifecycle, and graceful shutdown.

Capacity: ``in_flight`` counts jobs from activation until their outcome was
delivered (or given up). It is the only counter, and a poll asks for exactly
``max_concurrent_jobs - in_flight`` jobs, so the limit holds as the server
sees it. Only one poll is open at a time; the next one starts as soon as the
previous returned and a slot is free (no fixed sleep). Errors and
backpressure pause polling with jittered exponential back-off, reset by the
first successful poll; the loop itself never dies.

Shutdown (:meth:`JobWorker.stop`): no new polls; a poll already open is
allowed to return within the grace period (cancelling it could strand jobs the
server activated meanwhile) and whatever it brings is released at once;
running handlers get the rest of the grace period; then every unfinished job
is released — failed with its retries unchanged and no back-off, so another
worker can take it immediately.

A handler that raises ``KeyboardInterrupt`` or ``SystemExit`` (or, async, a
``CancelledError`` nobody asked for) has its job released the same way, and
the worker asks its host to stop (``on_interrupt``), so the program ends
through the graceful path with a report rather than with jobs in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from camunda_core.errors import ApiError, BackpressureError, Conflict, NotFound, ValidationError
from camunda_core.logging import SdkLogger
from camunda_core.plugins import notify_observers
from camunda_core.runtime.retry import DefaultRetryPolicy, RetryPolicy, parse_retry_after
from camunda_workers.config import ResolvedWorkerConfig
from camunda_workers.executor import (
    AsyncRunner,
    HandlerResult,
    HandlerRunner,
    ProcessRunner,
    ThreadRunner,
    failure_message,
    interrupt_name,
)
from camunda_workers.hookspecs import JobActivated, JobFinished, JobOutcome
from camunda_workers.job_api import JobApi
from camunda_workers.job_context import JobContext
from camunda_workers.outcome import (
    Complete,
    Decision,
    Fail,
    JobError,
    JobFailure,
    ReportCounter,
    SendResult,
    ThrowError,
    WorkerReport,
)
from camunda_workers.sender import OutcomeSender, describe, release_decision
from camunda_workers.typed_variables import VariablesError, build_variables, to_variables_dict

if TYPE_CHECKING:
    from camunda_core.runtime.async_client import AsyncClientRuntime

__all__ = ["JobWorker", "PollBackoff"]

Handler = Callable[[JobContext], Any]


class PollBackoff:
    """Capped exponential back-off with full jitter for the poll loop; reset on success."""

    def __init__(
        self,
        *,
        initial: float = 0.05,
        maximum: float = 10.0,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.failures = 0
        self._random = random_fraction

    def next_delay(self, retry_after: float | None = None) -> float:
        self.failures += 1
        ceiling = min(self.maximum, self.initial * (2.0 ** min(self.failures - 1, 30)))
        # Keep a floor of half the ceiling: full jitter near zero would re-poll
        # an overloaded server almost at once.
        delay = ceiling * (0.5 + 0.5 * min(max(self._random(), 0.0), 1.0))
        if retry_after is not None and retry_after > 0:
            delay = max(delay, min(retry_after, 300.0))
        return delay

    def reset(self) -> None:
        self.failures = 0


class _ActiveJob:
    """Book-keeping for one job between activation and its outcome."""

    __slots__ = ("context", "handler", "task")

    def __init__(self, context: JobContext) -> None:
        self.context = context
        self.task: asyncio.Task[None] | None = None
        self.handler: asyncio.Future[HandlerResult] | None = None


class JobWorker:
    """Polls one job type and runs a handler for each job. Created by ``create_job_worker``."""

    def __init__(
        self,
        client: AsyncClientRuntime,
        config: ResolvedWorkerConfig,
        callback: Handler,
        *,
        sync_client_factory: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_interrupt: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self._client = client
        self._callback = callback
        self._sync_client_factory = sync_client_factory
        self._clock = clock
        runtime = client.runtime
        self._api = JobApi(runtime)
        self._sender = OutcomeSender(self._api, _delivery_policy(runtime.retry_policy, config), clock=clock)
        self._log: Any = runtime.logger.bind(job_type=config.job_type, worker=config.worker_name)
        self._counter = ReportCounter()
        self._lifecycle = JobLifecycleHooks(runtime.plugin_manager, self._log, clock)
        self._backoff = PollBackoff()
        self._runner: HandlerRunner | None = None
        self._in_flight = 0
        self._active: set[_ActiveJob] = set()
        self._deliveries: set[asyncio.Future[Any]] = set()
        self._job_tasks: set[asyncio.Future[Any]] = set()
        self._delivering: set[asyncio.Future[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._capacity: asyncio.Event | None = None
        self._stop_requested: asyncio.Event | None = None
        self._stopped: asyncio.Event | None = None
        self._stopping = False
        self._stop_task: asyncio.Task[WorkerReport] | None = None
        self._polling = False
        #: Called once a handler raised an interrupt; None: this worker stops itself.
        self._on_interrupt = on_interrupt
        #: Job keys released because of an interrupt -> its type name (for the finished hook).
        self._interrupts: dict[str, str] = {}

    # -- public ---------------------------------------------------------------------------

    @property
    def job_type(self) -> str:
        return self.config.job_type

    @property
    def worker_name(self) -> str:
        return self.config.worker_name

    @property
    def in_flight(self) -> int:
        """Jobs activated and not yet finished."""
        return self._in_flight

    @property
    def is_running(self) -> bool:
        return self._poll_task is not None and not self._stopping

    @property
    def report(self) -> WorkerReport:
        return self._counter.snapshot(self.config.job_type, self.config.worker_name)

    def start(self) -> None:
        """Start polling on the running event loop. Calling it again does nothing."""
        if self._poll_task is not None or self._stopping:
            return
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._capacity = asyncio.Event()
        self._stop_requested = asyncio.Event()
        self._stopped = asyncio.Event()
        self._runner = self._make_runner()
        self._poll_task = loop.create_task(self._poll_loop(), name=f"camunda-worker-poll:{self.config.job_type}")
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

    async def stop(self, grace: float | None = None) -> WorkerReport:
        """Stop polling, let running handlers finish within ``grace`` seconds, release the rest.

        Safe to call several times and from several tasks: they all wait for the same shutdown.
        """
        if self._poll_task is None:
            self._stopping = True
            return self.report
        if self._stop_task is None:
            self._stop_task = asyncio.ensure_future(self._shutdown(self.config.shutdown_grace_seconds if grace is None else grace))
        return await asyncio.shield(self._stop_task)

    def __repr__(self) -> str:
        return (
            f"JobWorker(job_type={self.config.job_type!r}, worker_name={self.config.worker_name!r}, "
            f"strategy={self.config.strategy!r}, in_flight={self._in_flight})"
        )

    # -- set-up -----------------------------------------------------------------------------

    def _make_runner(self) -> HandlerRunner:
        config = self.config
        if config.strategy == "async":
            return AsyncRunner(self._callback)
        if config.strategy == "thread":
            return ThreadRunner(self._callback, config.max_concurrent_jobs, f"camunda-worker-{config.job_type}")
        return ProcessRunner(self._callback, config.max_concurrent_jobs)

    def _job_log(self, context: JobContext) -> SdkLogger:
        return self._log.bind(job_key=context.job_key)

    def _new_context(self, raw: Mapping[str, Any]) -> JobContext:
        strategy = self.config.strategy
        if strategy == "async":
            return JobContext(raw, client=self._client, log_factory=self._job_log, deliver=self._deliver, loop=self._loop)
        if strategy == "thread":
            client = self._sync_client_factory() if self._sync_client_factory is not None else None
            return JobContext(
                raw, client=client, log_factory=self._job_log, deliver=self._deliver, loop=self._loop, blocking=True
            )
        # The parent's copy; the child gets a pickled copy without client, logger or delivery.
        return JobContext(raw, log_factory=self._job_log, deliver=self._deliver, loop=self._loop)

    # -- polling ---------------------------------------------------------------------------------

    def _free_slots(self) -> int:
        return self.config.max_concurrent_jobs - self._in_flight

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the worker stops."""
        assert self._stop_requested is not None
        if self._stopping:
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stop_requested.wait(), timeout=seconds)

    async def _poll_loop(self) -> None:
        assert self._capacity is not None
        config = self.config
        while not self._stopping:
            try:
                free = self._free_slots()
                if free <= 0:
                    self._capacity.clear()
                    await self._capacity.wait()
                    continue
                await self._poll_once(free)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the loop never dies: log, back off, go on
                delay = self._backoff.next_delay()
                self._log.error("unexpected error in the poll loop: %s; polling again in %.0f ms", failure_message(error), delay * 1000)
                await self._pause(delay)
        self._log.debug("poll loop ended for %s", config.job_type)

    async def _poll_once(self, free: int) -> None:
        config = self.config
        started = self._clock()
        self._polling = True
        try:
            jobs = await self._api.activate(
                job_type=config.job_type,
                worker=config.worker_name,
                timeout_ms=config.job_timeout_ms,
                max_jobs=free,
                request_timeout_ms=config.request_timeout_ms,
                fetch_variables=config.fetch_variables,
                tenant_ids=config.tenant_ids,
            )
        except BackpressureError as error:
            delay = self._backoff.next_delay(_retry_after(error))
            self._log.info("activation met backpressure (%s); polling again in %.0f ms", error.status, delay * 1000)
            await self._pause(delay)
            return
        except (ApiError, Exception) as error:
            retry_after = _retry_after(error) if isinstance(error, ApiError) else None
            delay = self._backoff.next_delay(retry_after)
            self._log.warning("activation failed: %s; polling again in %.0f ms", failure_message(error), delay * 1000)
            await self._pause(delay)
            return
        finally:
            self._polling = False
        self._backoff.reset()
        if not jobs:
            return
        self._counter.add("activated", len(jobs))
        local_deadline = started + config.job_timeout_ms / 1000.0
        for index, raw in enumerate(jobs):
            context = self._new_context(raw)
            self._lifecycle.activated(context, config.worker_name)
            active = _ActiveJob(context)
            self._in_flight += 1
            self._active.add(active)
            if self._stopping or index >= free:
                # Stopping, or the server sent more than asked: give it back untouched.
                reason = "worker is stopping" if self._stopping else "more jobs than requested"
                active.task = asyncio.ensure_future(self._release(active, reason))
            else:
                task = asyncio.ensure_future(self._run_job(active, local_deadline))
                active.task = task
                self._job_tasks.add(task)
                task.add_done_callback(self._job_tasks.discard)

    # -- one job -----------------------------------------------------------------------------------

    async def _run_job(self, active: _ActiveJob, deadline: float) -> None:
        context = active.context
        config = self.config
        try:
            if config.variables_type is not None:
                try:
                    context.typed_variables = build_variables(config.variables_type, context.variables)
                except VariablesError as error:
                    await self._decide_and_deliver(
                        context, self._failure(context, failure_message(error), None, None, None)
                    )
                    return
            assert self._runner is not None
            handler = self._runner.start(context)
            active.handler = handler
            result = await self._supervise(context, handler, deadline)
            if result is None:
                return  # timed out and cancelled: the job is no longer ours
            await self._finish(context, result)
        finally:
            self._active.discard(active)
            self._in_flight -= 1
            if self._capacity is not None:
                self._capacity.set()

    async def _supervise(
        self, context: JobContext, handler: asyncio.Future[HandlerResult], deadline: float
    ) -> HandlerResult | None:
        """Wait for the handler, extending the lease or reacting to the job timeout."""
        config = self.config
        timeout_s = config.job_timeout_ms / 1000.0
        warned = False
        extending = config.extend_lease
        if not extending:
            # Common case: wait for the handler with a cheap timer, not asyncio.wait.
            timed_out = False

            def on_deadline() -> None:
                nonlocal timed_out
                timed_out = True
                if config.strategy == "async":
                    handler.cancel()
                else:
                    self._log.warning(
                        "job %s: handler still running at the job timeout (%d ms); it cannot be interrupted, "
                        "its outcome will be sent when it returns (enable extend_lease for long handlers)",
                        context.job_key,
                        config.job_timeout_ms,
                    )

            assert self._loop is not None
            timer = self._loop.call_later(max(deadline - self._clock(), 0.0), on_deadline)
            try:
                return await handler
            except asyncio.CancelledError:
                if not (timed_out and config.strategy == "async"):
                    raise
                self._counter.add("timed_out")
                self._log.warning(
                    "job %s: handler still running at the job timeout (%d ms); cancelled it, the server re-offers the job",
                    context.job_key,
                    config.job_timeout_ms,
                )
                context._claim(release_decision(context.retries, config.worker_name, "timed out"))
                return None
            except BaseException as error:
                # Runners return results, never raise; this is a runner failure (or a
                # GeneratorExit out of a closed coroutine): fail the job with it.
                return _runner_failure(error, config.strategy)
            finally:
                timer.cancel()
        while True:
            remaining = deadline - self._clock()
            if extending:
                wait = max(remaining - timeout_s / 2.0, 0.0)
            else:
                wait = max(remaining, 0.0) if not warned else None
            done, _ = await asyncio.wait({handler}, timeout=wait)
            if done:
                try:
                    return handler.result()
                except asyncio.CancelledError:
                    raise
                except BaseException as error:
                    # The runner itself failed: fail the job with it.
                    return _runner_failure(error, config.strategy)
            if extending and not self._stopping:
                asked_at = self._clock()
                try:
                    await self._api.extend_timeout(context.job_key, timeout_ms=config.job_timeout_ms)
                except (NotFound, Conflict) as error:
                    self._log.warning("job %s: lease extension refused (%s); no longer extending", context.job_key, error.status)
                    extending = False
                except Exception as error:
                    self._log.warning("job %s: lease extension failed: %s", context.job_key, failure_message(error))
                    extending = False
                else:
                    deadline = asked_at + timeout_s
                    self._log.debug("job %s: lease extended by %d ms", context.job_key, config.job_timeout_ms)
                continue
            extending = False
            if self._clock() < deadline:
                continue
            if config.strategy == "async":
                handler.cancel()
                self._counter.add("timed_out")
                self._log.warning(
                    "job %s: handler still running at the job timeout (%d ms); cancelled it, the server re-offers the job",
                    context.job_key,
                    config.job_timeout_ms,
                )
                # Nothing more may be sent for this job from this worker.
                context._claim(release_decision(context.retries, config.worker_name, "timed out"))
                await asyncio.gather(handler, return_exceptions=True)
                return None
            if not warned:
                warned = True
                self._log.warning(
                    "job %s: handler still running at the job timeout (%d ms); it cannot be interrupted, "
                    "its outcome will be sent when it returns (enable extend_lease for long handlers)",
                    context.job_key,
                    config.job_timeout_ms,
                )

    def _failure(
        self,
        context: JobContext,
        message: str,
        retries: int | None,
        back_off: int | None,
        variables: Mapping[str, Any] | None,
    ) -> Fail:
        return Fail(
            message=message,
            retries=max(context.retries - 1, 0) if retries is None else retries,
            retry_back_off_ms=self.config.retry_back_off_ms if back_off is None else back_off,
            variables=variables,
        )

    async def _finish(self, context: JobContext, result: HandlerResult) -> None:
        if result.interrupt is not None:
            self._interrupted(context, result)
        pending = context._pending
        if pending is not None:
            # An explicit outcome from an async handler: make sure it was sent.
            try:
                await asyncio.shield(pending)
            except ValidationError as error:
                # It could not be sent at all (context unclaimed it): fail the job instead.
                result = HandlerResult(error=error, error_message=failure_message(error))
            except Exception:
                return  # delivery problems were logged and counted by _deliver
        if result.decision is not None:
            await self._decide_and_deliver(context, result.decision)
            return
        if context.has_outcome:
            return
        if result.interrupt is not None:
            # Not the job's fault: give it back untouched, as a graceful stop does.
            self._interrupts[context.job_key] = result.interrupt
            reason = f"its handler raised {result.interrupt}"
            await self._decide_and_deliver(context, release_decision(context.retries, self.config.worker_name, reason))
            return
        message = result.error_message
        if message is not None:
            self._counter.add("handler_errors")
            error = result.error
            if isinstance(error, JobError):
                decision: Decision = ThrowError(code=error.code, message=error.message, variables=_vars(error.variables))
            elif isinstance(error, JobFailure):
                decision = self._failure(context, error.message, error.retries, error.retry_back_off, _vars(error.variables))
            else:
                self._log.warning("job %s: handler raised %s", context.job_key, message)
                decision = self._failure(context, message, None, None, None)
            await self._decide_and_deliver(context, decision)
            return
        value = result.value
        try:
            variables = None if value is None else to_variables_dict(value, what="the handler's return value")
        except ValidationError as error:
            await self._decide_and_deliver(context, self._failure(context, failure_message(error), None, None, None))
            return
        await self._decide_and_deliver(context, Complete(variables=variables))

    def _interrupted(self, context: JobContext, result: HandlerResult) -> None:
        """Count the interrupt and stop: the host (every worker) or, alone, this worker."""
        self._counter.add("interrupted")
        self._log.warning(
            "job %s: handler raised %s; releasing the job and stopping the job workers",
            context.job_key,
            result.error_message or result.interrupt,
        )
        if self._on_interrupt is not None:
            self._on_interrupt()
        elif self._stop_task is None:
            self._stop_task = asyncio.ensure_future(self._shutdown(self.config.shutdown_grace_seconds))

    async def _decide_and_deliver(self, context: JobContext, decision: Decision) -> None:
        if not context._claim(decision):
            return  # an outcome was already chosen (explicitly, or the job was released)
        try:
            await self._deliver(context, decision)
        except ValidationError as error:
            # Unsendable variables: the job fails with the reason, and variables are dropped.
            context._unclaim(decision)
            fallback = self._failure(context, failure_message(error), None, None, None)
            if context._claim(fallback):
                await self._deliver(context, fallback)

    async def _deliver(self, context: JobContext, decision: Decision) -> SendResult:
        """Send ``decision`` and count how it ended. Runs as its own task so shutdown can't cut it."""
        current = asyncio.current_task()
        if current is not None and current in self._job_tasks:
            # On the job's own task: shutdown never cancels a job that is delivering.
            self._delivering.add(current)
            try:
                return await self._send_and_count(context.job_key, decision)
            finally:
                self._delivering.discard(current)
        task = asyncio.ensure_future(self._send_and_count(context.job_key, decision))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)
        return await asyncio.shield(task)

    async def _send_and_count(self, job_key: str, decision: Decision) -> SendResult:
        result = await self._sender.send(job_key, decision, self._log)
        outcome = _outcome(decision, result)
        self._counter.add(_REPORT_FIELDS[outcome])
        interrupt = self._interrupts.pop(job_key, None) if self._interrupts else None
        self._lifecycle.finished(job_key, self.config.job_type, self.config.worker_name, outcome, interrupt)
        return result

    async def _release(self, active: _ActiveJob, reason: str) -> None:
        context = active.context
        try:
            decision = release_decision(context.retries, self.config.worker_name, reason)
            if context._claim(decision):
                self._log.info("job %s: %s (%s)", context.job_key, describe(decision), reason)
                await self._deliver(context, decision)
        finally:
            self._active.discard(active)
            self._in_flight -= 1

    # -- shutdown ------------------------------------------------------------------------------------

    async def _shutdown(self, grace: float) -> WorkerReport:
        assert self._capacity is not None and self._stop_requested is not None and self._stopped is not None
        self._stopping = True
        self._stop_requested.set()
        self._capacity.set()
        loop_deadline = self._clock() + grace
        self._log.info("stopping: %d job(s) running, grace %.1f s", self._in_flight, grace)
        poll_task = self._poll_task
        if poll_task is not None and not poll_task.done():
            done, _ = await asyncio.wait({poll_task}, timeout=max(loop_deadline - self._clock(), 0.0))
            if not done:
                self._log.warning("an activation request was still open at the end of the grace period; cancelled it")
                poll_task.cancel()
                await asyncio.gather(poll_task, return_exceptions=True)
        tasks = {active.task for active in self._active if active.task is not None}
        if tasks:
            await asyncio.wait(tasks, timeout=max(loop_deadline - self._clock(), 0.0))
        unfinished = list(self._active)
        if unfinished:
            self._log.warning("%d job(s) still running after the grace period; releasing them", len(unfinished))
            releases: list[asyncio.Future[Any]] = []
            for active in unfinished:
                context = active.context
                decision = release_decision(context.retries, self.config.worker_name, "worker stopped before the handler finished")
                if context._claim(decision):
                    releases.append(asyncio.ensure_future(self._deliver(context, decision)))
                if active.handler is not None and not active.handler.done():
                    active.handler.cancel()  # stops async handlers; threads and processes run on, ignored
            if releases:
                await asyncio.gather(*releases, return_exceptions=True)
            for active in unfinished:
                if active.task is not None and not active.task.done() and active.task not in self._delivering:
                    active.task.cancel()
            await asyncio.gather(*(a.task for a in unfinished if a.task is not None), return_exceptions=True)
        if self._deliveries:
            await asyncio.gather(*list(self._deliveries), return_exceptions=True)
        if self._runner is not None:
            self._runner.close()
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


def _runner_failure(error: BaseException, strategy: str) -> HandlerResult:
    return HandlerResult(
        error=error,
        error_message=failure_message(error),
        interrupt=interrupt_name(error, async_handler=strategy == "async"),
    )


def _retry_after(error: BaseException) -> float | None:
    if not isinstance(error, ApiError):
        return None
    headers = error.headers
    return parse_retry_after(headers.get("retry-after") or headers.get("Retry-After"))


def _vars(variables: object) -> Mapping[str, Any] | None:
    return None if variables is None else to_variables_dict(variables)


def _delivery_policy(policy: RetryPolicy, config: ResolvedWorkerConfig) -> RetryPolicy:
    """Outcomes are retried for as long as the job's lease lasts, not for a fixed number
    of attempts: a delivery that gives up leaves the job stuck until it times out.
    A policy supplied by a plugin is used as it is."""
    if isinstance(policy, DefaultRetryPolicy):
        return policy.for_lease(config.job_timeout_ms / 1000.0)
    return policy


# How each outcome is counted in the WorkerReport.
_REPORT_FIELDS: dict[JobOutcome, str] = {
    "completed": "completed",
    "errored": "errored",
    "released": "released",
    "failed": "failed",
    "probably_applied": "probably_applied",
    "lost_lease": "lost_lease",
    "send_failed": "send_failures",
}


def _outcome(decision: Decision, result: SendResult) -> JobOutcome:
    if result == "sent":
        if isinstance(decision, Complete):
            return "completed"
        if isinstance(decision, ThrowError):
            return "errored"
        return "released" if decision.release else "failed"
    if result == "probably_applied":
        return "probably_applied"
    if result == "lease_lost":
        return "lost_lease"
    return "send_failed"


class JobLifecycleHooks:
    """Calls the ``camunda_job_*`` observer hooks, when any plugin implements them."""

    def __init__(self, pm: Any, log: Any, clock: Callable[[], float]) -> None:
        self._hook = pm.hook
        self._log = log
        self._clock = clock
        self._observed = bool(pm.hook.camunda_job_activated.get_hookimpls()) or bool(
            pm.hook.camunda_job_finished.get_hookimpls()
        )
        self._activated_at: dict[str, float] = {}

    def activated(self, context: JobContext, worker_name: str) -> None:
        if not self._observed:
            return
        self._activated_at[context.job_key] = self._clock()
        event = JobActivated(
            job_key=context.job_key, job_type=context.type, worker_name=worker_name, retries=context.retries
        )
        self._call(self._hook.camunda_job_activated, event)

    def finished(
        self, job_key: str, job_type: str, worker_name: str, outcome: JobOutcome, interrupt: str | None = None
    ) -> None:
        if not self._observed:
            return
        started = self._activated_at.pop(job_key, None)
        duration = self._clock() - started if started is not None else 0.0
        event = JobFinished(
            job_key=job_key,
            job_type=job_type,
            worker_name=worker_name,
            outcome=outcome,
            duration_seconds=duration,
            interrupt=interrupt,
        )
        self._call(self._hook.camunda_job_finished, event)

    def _call(self, hook: Any, event: object) -> None:
        # An observer must never cost a job its outcome: the one observer rule of the SDK.
        notify_observers(hook, self._log, event=event)
