"""Running handlers: in-flight accounting, the job timeout, lease extension, the handler's result.

Capacity: ``in_flight`` counts jobs from activation until their outcome was
delivered (or given up). It is the only counter, and the poller asks for
exactly ``max_concurrent_jobs - in_flight`` jobs, so the limit holds as the
server sees it.

A handler that raises ``KeyboardInterrupt`` or ``SystemExit`` (or, async, a
``CancelledError`` nobody asked for) has its job released, and the supervisor
calls ``on_interrupt`` so the program ends through the graceful path with a
report rather than with jobs in flight.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from camunda_core.errors import Conflict, NotFound, ValidationError
from camunda_core.hookspecs import hookimpl
from camunda_workers.decisions import (
    OUTCOME_OPERATIONS,
    Decision,
    Fail,
    JobError,
    JobFailure,
    decision_for_error,
    decision_for_value,
    describe,
    failure,
    failure_message,
    release_decision,
)
from camunda_workers.executor import HandlerResult, HandlerRunner, interrupt_name
from camunda_workers.typed_variables import VariablesError, build_variables

if TYPE_CHECKING:
    from camunda_core.logging import SdkLogger
    from camunda_core.models.activated_job_result import ActivatedJobResult
    from camunda_core.runtime.events import ResponseEvent
    from camunda_workers.config import ResolvedWorkerConfig
    from camunda_workers.delivery import Delivery
    from camunda_workers.job_api import JobApi
    from camunda_workers.job_context import JobContext
    from camunda_workers.job_hooks import JobLifecycleHooks
    from camunda_workers.metrics import JobStats
    from camunda_workers.report import ReportCounter

__all__ = ["ActiveJob", "Supervisor"]


class ActiveJob:
    """Book-keeping for one job between activation and its outcome."""

    __slots__ = ("context", "handler", "task")

    def __init__(self, context: JobContext) -> None:
        self.context = context
        self.task: asyncio.Task[None] | None = None
        self.handler: asyncio.Future[HandlerResult] | None = None


_OUTCOME_PATH = re.compile(r"/jobs/([^/]+)/(?:completion|failure|error)$")


class ClientOutcomeObserver:
    """Recognises outcomes a handler sends through ``job.client`` as its job's one outcome.

    Registered on the client's plugin manager while the worker runs (async and thread
    strategies: a process child has no client). When ``completeJob``, ``failJob`` or
    ``throwJobError`` for a job this worker is running succeeds, the job's outcome is
    claimed: the worker sends nothing more, and a later ``job.complete()`` raises
    ``OutcomeAlreadySentError``. Runs on the thread that sent the request (a thread
    handler's own); the claim is lock-protected.
    """

    def __init__(self, running: dict[str, ActiveJob]) -> None:
        self._running = running

    @hookimpl
    def camunda_on_response(self, event: ResponseEvent) -> None:
        operation_id = event.operation_id
        if operation_id not in OUTCOME_OPERATIONS or event.status is None or not 200 <= event.status < 300:
            return
        match = _OUTCOME_PATH.search(urlsplit(event.url).path)
        if match is None:
            return
        active = self._running.get(unquote(match.group(1)))
        if active is not None:
            active.context.outcome_claim.claim_sent_by_client(operation_id)


class _ObservedRunner:
    """The handler runner; closing it also unregisters the worker's outcome observer."""

    def __init__(self, runner: HandlerRunner, on_close: Callable[[], None]) -> None:
        self._runner = runner
        self._on_close = on_close

    def start(self, context: JobContext) -> asyncio.Future[HandlerResult]:
        return self._runner.start(context)

    def close(self) -> None:
        try:
            self._runner.close()
        finally:
            self._on_close()


class Supervisor:
    """Runs each activated job's handler and turns what it did into the job's one decision."""

    def __init__(
        self,
        config: ResolvedWorkerConfig,
        api: JobApi,
        delivery: Delivery,
        counter: ReportCounter,
        hooks: JobLifecycleHooks,
        log: SdkLogger,
        clock: Callable[[], float],
        *,
        new_context: Callable[[ActivatedJobResult], JobContext],
        runner: HandlerRunner,
        on_interrupt: Callable[[], None],
        stats: JobStats,
    ) -> None:
        self._config = config
        self._api = api
        self._delivery = delivery
        self._counter = counter
        self._hooks = hooks
        self._log = log
        self._clock = clock
        self._new_context = new_context
        self.runner: HandlerRunner = runner
        self._on_interrupt = on_interrupt
        #: Lease extensions and handler run times (metrics).
        self.stats = stats
        self._capacity = asyncio.Event()
        #: Jobs activated and not yet finished.
        self.in_flight = 0
        self.active: set[ActiveJob] = set()
        #: The same jobs by key: a key running here is never started twice.
        self.running: dict[str, ActiveJob] = {}
        if config.strategy != "process":
            # Outcomes sent through job.client count as the job's outcome (no client in a process child).
            observer = ClientOutcomeObserver(self.running)
            runtime = api.runtime
            runtime.register_plugin(observer, name=f"camunda-workers-outcomes-{id(self):x}")
            self.runner = _ObservedRunner(runner, lambda: runtime.unregister_plugin(observer))
        #: Set by shutdown (the lease heartbeat goes on during the grace period:
        #: unfinished jobs are released at its end anyway).
        self.stopping = False

    def free_slots(self) -> int:
        return self._config.max_concurrent_jobs - self.in_flight

    async def wait_for_capacity(self) -> None:
        """Return once a job finished (or the worker stops)."""
        self._capacity.clear()
        await self._capacity.wait()

    def wake(self) -> None:
        self._capacity.set()

    def admit(self, jobs: list[ActivatedJobResult], free: int, *, local_deadline: float, stopping: bool) -> None:
        """Take activated jobs in: run a handler for each, or release what cannot be run.

        A job key this worker is already running is left alone: it was re-delivered
        (its timeout lapsed while the handler ran), and the running copy sends its
        outcome. Releasing it would fail the job under the running handler's feet. So is
        a job this worker already completed or threw an error for: that copy is stale.
        """
        config = self._config
        delivery = self._delivery
        running = self.running
        taken = 0
        finished = delivery.finished
        for job in jobs:
            if job.job_key in running:
                self._log.debug(
                    "job %s: activated again while its handler still runs here; left to the running handler",
                    job.job_key,
                )
                continue
            if job.job_key in finished:
                self._log.debug(
                    "job %s: activated again after this worker finished it; a stale re-delivery, left alone",
                    job.job_key,
                )
                continue
            context = self._new_context(job)
            self._hooks.activated(context, config.worker_name)
            active = ActiveJob(context)
            self.in_flight += 1
            self.active.add(active)
            running[job.job_key] = active
            if stopping or taken >= free:
                # Stopping, or the server sent more than asked: give it back untouched.
                reason = "worker is stopping" if stopping else "more jobs than requested"
                active.task = asyncio.ensure_future(self._release(active, reason))
            else:
                task = asyncio.ensure_future(self._run_job(active, local_deadline))
                active.task = task
                delivery.job_tasks.add(task)
                task.add_done_callback(delivery.job_tasks.discard)
            taken += 1
        self._counter.add("activated", taken)
        otel = self.stats.otel
        if otel is not None and taken:
            otel.in_flight_changed(taken)

    def _forget(self, active: ActiveJob) -> None:
        self.active.discard(active)
        key = active.context.job_key
        if self.running.get(key) is active:
            del self.running[key]
        self.in_flight -= 1
        otel = self.stats.otel
        if otel is not None:
            otel.in_flight_changed(-1)

    async def _run_job(self, active: ActiveJob, deadline: float) -> None:
        context = active.context
        config = self._config
        # Plugins' job scopes (a tracing span): entered in this task, so the handler and
        # the calls made for the job run inside them. None when no plugin has one.
        scope = self._hooks.enter_scope(context, config.worker_name)
        handler_error: BaseException | None = None
        try:
            if config.variables_type is not None:
                try:
                    context.typed_variables = build_variables(config.variables_type, context.variables)
                except VariablesError as error:
                    decision = self._failure(context, failure_message(error))
                    self._log.error(
                        "job %s: its variables do not fit %s: %s; the handler was not called, %s",
                        context.job_key,
                        config.variables_type.__name__,
                        error,
                        describe(decision),
                    )
                    await self._delivery.claim_and_deliver(context, decision)
                    return
            handler = self.runner.start(context)
            active.handler = handler
            result = await self._supervise(context, handler, deadline)
            if result is None:
                return  # timed out and cancelled: the job is no longer ours
            if result.handler_seconds is not None:
                self.stats.handler_ran(result.handler_seconds)
            handler_error = result.error
            await self._finish(context, result)
        finally:
            if context.outcome_claim.via_client is not None:
                self._delivery.record_sent_by_client(context)
            if scope is not None:
                self._hooks.exit_scope(scope, handler_error)
            self._forget(active)
            self._capacity.set()

    def _failure(self, context: JobContext, message: str) -> Fail:
        return failure(context.retries, message, retry_back_off_ms=self._config.retry_back_off_ms)

    def _timed_out(self, context: JobContext) -> None:
        config = self._config
        self._counter.add("timed_out")
        self._log.warning(
            "job %s: handler still running at the job timeout (%d ms); cancelled it, the server re-offers the job",
            context.job_key,
            config.job_timeout_ms,
        )
        # Nothing more may be sent for this job from this worker.
        if context.outcome_claim.claim(release_decision(context.retries, config.worker_name, "timed out")):
            # No outcome will be sent, so the finished hook never runs for it: drop its activation time.
            self._hooks.forget(context.job_key)

    def _warn_uninterruptible(self, context: JobContext) -> None:
        self._log.warning(
            "job %s: handler still running at the job timeout (%d ms); it cannot be interrupted, "
            "its outcome will be sent when it returns (set auto_extend_lease for long handlers)",
            context.job_key,
            self._config.job_timeout_ms,
        )

    async def _supervise(
        self, context: JobContext, handler: asyncio.Future[HandlerResult], deadline: float
    ) -> HandlerResult | None:
        """Wait for the handler, reacting to the job timeout, and keep the lease alive if asked.

        The handler is awaited directly under one loop timer (never an ``asyncio.wait``
        loop), so a quick handler costs one ``call_later``, heartbeat or not. With
        ``auto_extend_lease`` the timer also fires when an extension is due; it then runs
        as its own task. The heartbeat stops once the job has an outcome (an explicit one
        may come before the handler returns) or the server says the job is no longer ours
        (404/409); any other failure to extend is logged as a warning and tried again
        sooner, never fatal. When the lease lapses all the same, the job timeout applies:
        an async handler is cancelled, a thread or process handler (which cannot be) is
        warned about and its outcome sent when it returns.
        """
        config = self._config
        clock = self._clock
        loop = asyncio.get_running_loop()
        interval_ms = config.lease_extension_ms
        interval = interval_ms / 1000.0 if interval_ms is not None else 0.0
        lease = _Lease(deadline=deadline, next_extension=clock() + interval, extending=interval_ms is not None)

        def arm() -> None:
            due = min(lease.next_extension, lease.deadline) if lease.extending else lease.deadline
            lease.timer = loop.call_later(max(due - clock(), 0.0), on_timer)

        def on_timer() -> None:
            if handler.done():
                return
            now = clock()
            if lease.extending and context.has_outcome:
                lease.extending = False  # the outcome is (being) sent: nothing left to keep alive
            if now >= lease.deadline:
                lease.lapsed = True
                if config.strategy == "async":
                    handler.cancel()
                else:
                    self._warn_uninterruptible(context)
                return
            if lease.extending and now >= lease.next_extension:
                lease.extension = loop.create_task(extend())
                return
            arm()

        async def extend() -> None:
            lease.extending, lease.next_extension, lease.deadline = await self._extend(
                context, lease.deadline, interval
            )
            if not handler.done():
                arm()

        arm()
        try:
            return await handler
        except asyncio.CancelledError:
            if not (lease.lapsed and config.strategy == "async"):
                raise
            self._timed_out(context)
            return None
        except BaseException as error:
            # Runners return results, never raise; this is a runner failure (or a
            # GeneratorExit out of a closed coroutine): fail the job with it.
            return _runner_failure(error, config.strategy)
        finally:
            lease.stop()

    async def _extend(self, context: JobContext, deadline: float, interval: float) -> tuple[bool, float, float]:
        """One heartbeat: (still extending, when next, the local deadline)."""
        config = self._config
        asked_at = self._clock()
        try:
            await self._api.extend_timeout(context.job_key, timeout_ms=config.job_timeout_ms)
        except (NotFound, Conflict) as error:
            self._log.warning(
                "job %s: lease extension refused (%s): the job is no longer this worker's; no longer extending",
                context.job_key,
                error.status,
            )
            return False, deadline, deadline
        except Exception as error:
            # Never fatal: try again sooner, while the lease still holds.
            retry_in = min(interval, max((deadline - self._clock()) / 2.0, 0.05))
            self._log.warning(
                "job %s: lease extension failed (%s); trying again in %.0f ms",
                context.job_key,
                failure_message(error),
                retry_in * 1000,
            )
            return True, self._clock() + retry_in, deadline
        self.stats.lease_extended()
        self._log.debug("job %s: lease extended by %d ms", context.job_key, config.job_timeout_ms)
        return True, asked_at + interval, asked_at + config.job_timeout_ms / 1000.0

    async def _finish(self, context: JobContext, result: HandlerResult) -> None:
        config = self._config
        delivery = self._delivery
        if result.interrupt is not None:
            self._interrupted(context, result)
        pending = context.outcome_claim.pending
        if pending is not None:
            # An explicit outcome from an async handler: make sure it was sent.
            try:
                await asyncio.shield(pending)
            except ValidationError as error:
                # It could not be sent at all (the context unclaimed it): fail the job instead.
                result = HandlerResult(error=error, error_message=failure_message(error))
            except Exception:
                return  # delivery problems were logged and counted by the delivery
        if result.decision is not None:
            await delivery.claim_and_deliver(context, result.decision)
            return
        if context.has_outcome:
            return
        if result.interrupt is not None:
            # Not the job's fault: give it back untouched, as a graceful stop does.
            delivery.interrupts[context.job_key] = result.interrupt
            reason = f"its handler raised {result.interrupt}"
            await delivery.claim_and_deliver(context, release_decision(context.retries, config.worker_name, reason))
            return
        message = result.error_message
        if message is not None:
            self._counter.add("handler_errors")
            decision = decision_for_error(result.error, message, context.retries, config.retry_back_off_ms)
            self._log_handler_error(context, result, message, decision)
        else:
            decision = decision_for_value(result.value, context.retries, config.retry_back_off_ms)
        await delivery.claim_and_deliver(context, decision)

    def _log_handler_error(self, context: JobContext, result: HandlerResult, message: str, decision: Decision) -> None:
        """A handler's exception is an error, with its traceback (visible at the default level).

        ``JobError`` (a BPMN error) and ``JobFailure`` with retries left are the handler's
        choice, not a failure of it: info and warning. A job given up (no retries left:
        the cluster raises an incident) is always an error. The traceback of a process
        handler stays in its child; its message names the file and line instead.
        """
        error = result.error
        given_up = isinstance(decision, Fail) and decision.retries == 0
        if isinstance(error, JobError):
            self._log.info("job %s: handler threw BPMN error %r", context.job_key, error.code)
        elif isinstance(error, JobFailure) and not given_up:
            self._log.warning("job %s: handler failed the job: %s (%s)", context.job_key, message, describe(decision))
        else:
            self._log.error(
                "job %s: handler raised %s; %s%s",
                context.job_key,
                message,
                describe(decision),
                ": no retries left, the cluster raises an incident" if given_up else "",
                exc_info=error if error is not None and error.__traceback__ is not None else None,
            )

    def _interrupted(self, context: JobContext, result: HandlerResult) -> None:
        """Count the interrupt and ask for the graceful stop."""
        self._counter.add("interrupted")
        self._log.warning(
            "job %s: handler raised %s; releasing the job and stopping the job workers",
            context.job_key,
            result.error_message or result.interrupt,
        )
        self._on_interrupt()

    async def _release(self, active: ActiveJob, reason: str) -> None:
        context = active.context
        try:
            decision = release_decision(context.retries, self._config.worker_name, reason)
            if context.outcome_claim.claim(decision):
                self._log.info("job %s: %s (%s)", context.job_key, describe(decision), reason)
                await self._delivery.deliver(context, decision)
        finally:
            self._forget(active)


def _runner_failure(error: BaseException, strategy: str) -> HandlerResult:
    return HandlerResult(
        error=error,
        error_message=failure_message(error),
        interrupt=interrupt_name(error, async_handler=strategy == "async"),
    )


class _Lease:
    """One job's time: the local deadline, the next lease extension (if any), the pending timer or call."""

    __slots__ = ("deadline", "extending", "extension", "lapsed", "next_extension", "timer")

    def __init__(self, *, deadline: float, next_extension: float, extending: bool) -> None:
        self.deadline = deadline
        self.next_extension = next_extension
        self.extending = extending
        self.lapsed = False
        self.timer: asyncio.TimerHandle | None = None
        self.extension: asyncio.Task[None] | None = None

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.extension is not None and not self.extension.done():
            # The handler is done: its outcome is what matters now, not the lease.
            self.extension.cancel()
