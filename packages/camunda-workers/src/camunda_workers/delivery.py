"""Sending decisions to the server: retried, counted, and never confused by its own retries.

Completing, failing and throwing are not idempotent. A retry after a lost
response can meet 404 (the first attempt completed the job) or 409 (the first
attempt failed it into an incident, or the job changed state). Those answers
are reported as ``probably_applied`` when an earlier attempt may have reached
the server, and as ``lease_lost`` otherwise — never as a handler failure, and
they never cause a second outcome.

Retry timing comes from the client's retry policy (``CAMUNDA_RETRY_*``),
bounded by the job's lease rather than a number of attempts (see
:func:`delivery_policy`), with the request declared replayable: for these
calls a duplicate is detected by the server (404/409), which is better than
leaving the job to time out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

from camunda_core.errors import (
    ApiError,
    CamundaError,
    Conflict,
    NotFound,
    TransportError,
    ValidationError,
)
from camunda_core.retry import Attempt, DefaultRetryPolicy, RetryPolicy, checked_next_delay
from camunda_workers.decisions import (
    Complete,
    Decision,
    ThrowError,
    describe,
    failure,
    failure_message,
)
from camunda_workers.hookspecs import JobOutcome

if TYPE_CHECKING:
    from camunda_core.logging import SdkLogger
    from camunda_workers.config import ResolvedWorkerConfig
    from camunda_workers.job_api import JobApi
    from camunda_workers.job_context import JobContext
    from camunda_workers.job_hooks import JobLifecycleHooks
    from camunda_workers.report import ReportCounter

__all__ = ["DecisionSender", "Delivery", "DeliveryResult", "delivery_policy", "job_outcome"]

#: How sending a decision ended (what an ``OutcomeHandle`` resolves to).
#: ``sent``: accepted. ``probably_applied``: a 404/409 after a retry whose earlier
#: attempt may have reached the server. ``lease_lost``: a 404/409 on the first
#: reach of the server (timed out and taken elsewhere, or cancelled).
#: ``gave_up``: retries exhausted or a non-retryable error; the job will time out.
#: ``recorded``: in a process child, where the parent sends the decision.
DeliveryResult = Literal["sent", "probably_applied", "lease_lost", "gave_up", "recorded"]


def _operation_id(decision: Decision) -> str:
    if isinstance(decision, Complete):
        return "completeJob"
    if isinstance(decision, ThrowError):
        return "throwJobError"
    return "failJob"


def _may_have_reached_server(error: CamundaError) -> bool:
    if isinstance(error, TransportError):
        return error.request_sent is not False
    if isinstance(error, ApiError):
        # 5xx other than the gateway statuses may have been processed; a
        # backpressure or gateway answer means the request was turned away.
        return error.status == 500 and not error.is_backpressure
    return False


def delivery_policy(policy: RetryPolicy, job_timeout_ms: int) -> RetryPolicy:
    """Outcomes are retried for as long as the job's lease lasts, not for a fixed number
    of attempts: a delivery that gives up leaves the job stuck until it times out.
    A policy supplied by a plugin is used as it is."""
    if isinstance(policy, DefaultRetryPolicy):
        return policy.for_lease(job_timeout_ms / 1000.0)
    return policy


def job_outcome(decision: Decision, result: DeliveryResult) -> JobOutcome:
    """How the job ended for this worker, from what was decided and how sending it ended."""
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


class DecisionSender:
    """Sends decisions for one worker (one HTTP call each, retried); shared by all its jobs."""

    def __init__(
        self,
        api: JobApi,
        policy: RetryPolicy,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._api = api
        self._policy = policy
        self._clock = clock
        self._sleep = sleep

    async def _send_once(self, job_key: str, decision: Decision) -> None:
        if isinstance(decision, Complete):
            await self._api.complete(job_key, variables=decision.variables, result=decision.result)
        elif isinstance(decision, ThrowError):
            await self._api.throw_error(
                job_key, code=decision.code, message=decision.message, variables=decision.variables
            )
        else:
            await self._api.fail(
                job_key,
                retries=decision.retries,
                message=decision.message,
                retry_back_off_ms=decision.retry_back_off_ms,
                variables=decision.variables,
            )

    async def send(self, job_key: str, decision: Decision, log: SdkLogger) -> DeliveryResult:
        """Deliver ``decision``; returns sent / probably_applied / lease_lost / gave_up.

        Raises :class:`ValidationError` for a decision that can never be sent
        (variables that are not a JSON object), so the caller can fail the job instead.
        """
        started = self._clock()
        attempt = 0
        maybe_applied = False
        what = f"job {job_key}: {describe(decision)}"
        while True:
            attempt += 1
            try:
                await self._send_once(job_key, decision)
            except ValidationError:
                raise
            except (NotFound, Conflict) as error:
                if maybe_applied:
                    log.info("%s: answered %s after a retry; the first attempt was probably applied", what, error.status)
                    return "probably_applied"
                log.warning(
                    "%s rejected with %s (%s): the job is no longer this worker's "
                    "(timed out and taken by another worker, cancelled, or already finished)",
                    what,
                    error.status,
                    error.title or "no title",
                )
                return "lease_lost"
            except (ApiError, TransportError) as error:
                maybe_applied = maybe_applied or _may_have_reached_server(error)
                status = error.status if isinstance(error, ApiError) else None
                # checked: a plugin policy's bad answer is a PluginError, as in the send loop.
                delay = checked_next_delay(
                    self._policy,
                    Attempt(
                        operation_id=_operation_id(decision),
                        idempotent=True,
                        attempt=attempt,
                        elapsed=self._clock() - started,
                        status=status,
                        error=error,
                    ),
                )
                if delay is None:
                    log.error(
                        "%s could not be delivered after %d attempt(s): %s; the job will be retried after its timeout",
                        what,
                        attempt,
                        error,
                        exc_info=error,
                    )
                    return "gave_up"
                log.debug("%s: %s; retrying in %.0f ms", what, error, delay * 1000)
                await self._sleep(delay)
            else:
                return "sent"



class Delivery:
    """Claims and sends each job's one decision, counts how it ended and tells the hooks.

    A delivery started from a job's own task runs on it (and shutdown never cancels a job
    that is delivering); any other runs as its own task, so shutdown cannot cut it off.
    """

    def __init__(
        self,
        sender: DecisionSender,
        config: ResolvedWorkerConfig,
        counter: ReportCounter,
        hooks: JobLifecycleHooks,
        log: SdkLogger,
    ) -> None:
        self._sender = sender
        self._config = config
        self._counter = counter
        self._hooks = hooks
        self._log = log
        #: The tasks running jobs (the supervisor adds and discards them).
        self.job_tasks: set[asyncio.Future[Any]] = set()
        #: Job tasks that are delivering right now.
        self.delivering: set[asyncio.Future[Any]] = set()
        #: Deliveries running as their own tasks.
        self.deliveries: set[asyncio.Future[Any]] = set()
        #: Job keys released because of an interrupt -> its type name (for the finished hook).
        self.interrupts: dict[str, str] = {}
        #: Jobs this worker finished for good (see :class:`FinishedJobs`).
        self.finished = FinishedJobs()

    async def claim_and_deliver(self, context: JobContext, decision: Decision) -> None:
        """Send ``decision`` unless the job already has an outcome; unsendable variables fail the job."""
        claim = context.outcome_claim
        if not claim.claim(decision):
            return  # an outcome was already chosen (explicitly, or the job was released)
        try:
            await self.deliver(context, decision)
        except ValidationError as error:
            # Unsendable variables: the job fails with the reason, and variables are dropped.
            claim.unclaim(decision)
            fallback = failure(context.retries, failure_message(error), retry_back_off_ms=self._config.retry_back_off_ms)
            if claim.claim(fallback):
                await self.deliver(context, fallback)

    async def deliver(self, context: JobContext, decision: Decision) -> DeliveryResult:
        """Send an already claimed ``decision`` and count how it ended."""
        current = asyncio.current_task()
        if current is not None and current in self.job_tasks:
            self.delivering.add(current)
            try:
                return await self._send_and_count(context.job_key, decision)
            finally:
                self.delivering.discard(current)
        task = asyncio.ensure_future(self._send_and_count(context.job_key, decision))
        self.deliveries.add(task)
        task.add_done_callback(self.deliveries.discard)
        return await asyncio.shield(task)

    def record_sent_by_client(self, context: JobContext) -> None:
        """Count the outcome the handler sent through ``job.client`` and tell the hooks."""
        decision = context.outcome_claim.decision
        if decision is None:
            return
        outcome = job_outcome(decision, "sent")
        self.finished.note(context.job_key, decision, "sent")
        self._counter.count_outcome(outcome)
        self._hooks.finished(context.job_key, self._config.job_type, self._config.worker_name, outcome, None)

    async def _send_and_count(self, job_key: str, decision: Decision) -> DeliveryResult:
        result = await self._sender.send(job_key, decision, self._log)
        self.finished.note(job_key, decision, result)
        outcome = job_outcome(decision, result)
        self._counter.count_outcome(outcome)
        interrupt = self.interrupts.pop(job_key, None) if self.interrupts else None
        self._hooks.finished(job_key, self._config.job_type, self._config.worker_name, outcome, interrupt)
        return result


class FinishedJobs:
    """Keys of jobs this worker completed or threw an error for, as the server accepted it.

    Such a job never comes back: a later activation of its key is a stale re-delivery
    (its timeout lapsed while the handler ran, and the poll that carries it was answered
    before the outcome landed). Running the handler again would execute the job twice.
    A failed or released job does come back legitimately, so it is not remembered. The
    memory is bounded (oldest keys forgotten first): stale copies arrive within one poll.
    """

    __slots__ = ("_keys", "_limit")

    def __init__(self, limit: int = 4096) -> None:
        self._keys: dict[str, None] = {}
        self._limit = limit

    def note(self, job_key: str, decision: Decision, result: DeliveryResult) -> None:
        if result != "sent" or not isinstance(decision, (Complete, ThrowError)):
            return
        keys = self._keys
        keys[job_key] = None
        if len(keys) > self._limit:
            del keys[next(iter(keys))]

    def __contains__(self, job_key: object) -> bool:
        return job_key in self._keys
