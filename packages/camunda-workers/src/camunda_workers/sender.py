"""Delivering a decision to the server: retried, and never confused by its own retries.

Completing, failing and throwing are not idempotent. A retry after a lost
response can meet 404 (the first attempt completed the job) or 409 (the first
attempt failed it into an incident, or the job changed state). Those answers
are reported as ``probably_applied`` when an earlier attempt may have reached
the server, and as ``lease_lost`` otherwise — never as a handler failure, and
they never cause a second outcome.

Retry timing comes from the client's retry policy (``CAMUNDA_RETRY_*``),
bounded by the job's lease rather than a number of attempts (see
``worker._delivery_policy``), with the request declared replayable: for these
calls a duplicate is detected by the server (404/409), which is better than
leaving the job to time out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from camunda_core.errors import (
    ApiError,
    CamundaError,
    Conflict,
    NotFound,
    TransportError,
    ValidationError,
)
from camunda_core.runtime.retry import Attempt, parse_retry_after
from camunda_workers.outcome import Complete, Decision, Fail, SendResult, ThrowError

if TYPE_CHECKING:
    from camunda_core.logging import SdkLogger
    from camunda_core.runtime.retry import RetryPolicy
    from camunda_workers.job_api import JobApi

__all__ = ["OutcomeSender", "describe", "release_decision"]


def describe(decision: Decision) -> str:
    if isinstance(decision, Complete):
        return "complete"
    if isinstance(decision, ThrowError):
        return f"throw error {decision.code!r}"
    return "release" if decision.release else f"fail (retries {decision.retries})"


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


class OutcomeSender:
    """Sends decisions for one worker; shared by all its jobs."""

    def __init__(
        self,
        api: JobApi,
        policy: RetryPolicy,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._api = api
        self._policy = policy
        self._clock = clock
        self._sleep = sleep

    async def _send_once(self, job_key: str, decision: Decision) -> None:
        if isinstance(decision, Complete):
            await self._api.complete(job_key, decision.variables, decision.result)
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

    async def send(self, job_key: str, decision: Decision, log: SdkLogger) -> SendResult:
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
                retry_after = (
                    parse_retry_after(error.headers.get("retry-after") or error.headers.get("Retry-After"))
                    if isinstance(error, ApiError)
                    else None
                )
                delay = self._policy.next_delay(
                    Attempt(
                        operation_id=_operation_id(decision),
                        idempotent=True,
                        attempt=attempt,
                        elapsed=self._clock() - started,
                        status=status,
                        error=error,
                        retry_after=retry_after,
                    )
                )
                if delay is None:
                    log.error(
                        "%s could not be delivered after %d attempt(s): %s; the job will be retried after its timeout",
                        what,
                        attempt,
                        error,
                    )
                    return "gave_up"
                log.debug("%s: %s; retrying in %.0f ms", what, error, delay * 1000)
                await self._sleep(delay)
            else:
                return "sent"


def release_decision(retries: int, worker_name: str, reason: str) -> Fail:
    """Give a job back unprocessed: retries unchanged and no back-off, so another worker takes it now."""
    return Fail(message=f"released by worker {worker_name!r}: {reason}", retries=retries, retry_back_off_ms=0, release=True)
