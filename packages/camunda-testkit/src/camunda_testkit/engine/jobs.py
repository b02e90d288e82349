"""The commands on one job: complete, fail (with retries and back-off), throw a BPMN error,
update retries or timeout."""

from __future__ import annotations

import heapq
from typing import Any

from .instances import InstanceLifecycle
from .model import (
    ACTIVATABLE,
    ACTIVATED,
    BACKOFF,
    CANCELED,
    COMPLETED,
    ERROR_THROWN,
    FAILED,
    Job,
    wire_job_state,
)
from .problem import Problem

__all__ = ["JobCommands"]


class JobCommands(InstanceLifecycle):
    def complete_job(self, key: str, variables: dict[str, Any] | None) -> None:
        counters = self.counters
        counters.completion_attempts += 1
        existing = self.jobs.get(key)
        if existing is not None:
            existing.completion_attempts += 1
        try:
            job = self._job_for_command(key, "complete")
        except Problem:
            counters.rejected_completions += 1
            raise
        stamp = self.clock.now_ms()
        self._leave(job, COMPLETED, "COMPLETED", stamp)
        job.completions += 1
        counters.completions[key] = counters.completions.get(key, 0) + 1
        job.completion_variables = dict(variables) if variables else {}
        self._job_completed(job, dict(variables) if variables else {})

    def fail_job(
        self,
        key: str,
        retries: int,
        error_message: str | None,
        backoff_ms: int,
        variables: dict[str, Any] | None,
    ) -> None:
        job = self._job_for_command(key, "fail")
        stamp = self.clock.now_ms()
        self.counters.failures += 1
        if variables:
            # As in Zeebe: local variables of the task's element instance.
            scope = job.element_instance
            (job.instance.variables if scope is None else scope.variables).update(variables)
        job.retries = retries
        job.error_message = error_message
        if retries > 0:
            self._leave(job, BACKOFF, "FAILED", stamp)
            job.has_failed_with_retries_left = True
            if backoff_ms > 0:
                self._activation_seq += 1
                job.activation_seq = self._activation_seq
                heapq.heappush(self._backoffs, (stamp + backoff_ms, job.activation_seq, key))
                if self.loop is not None:
                    self.loop.call_later(backoff_ms / 1000, self.release_due)
            else:
                self._make_activatable(job)
        else:
            self._leave(job, FAILED, "FAILED", stamp)
            job.has_failed_with_retries_left = False
            self._job_incident(job, error_message)

    def throw_error(
        self,
        key: str,
        error_code: str,
        error_message: str | None,
        variables: dict[str, Any] | None,
    ) -> None:
        job = self._job_for_command(key, "throw an error for")
        stamp = self.clock.now_ms()
        self.counters.errors_thrown += 1
        self._leave(job, ERROR_THROWN, "ERROR_THROWN", stamp)
        job.error_code = error_code
        job.error_message = error_message
        # Caught by an error boundary event, or an incident.
        self._job_error(job, error_code, error_message, dict(variables) if variables else {})

    def update_job(self, key: str, retries: int | None, timeout_ms: int | None) -> None:
        job = self._open_job(key, "update")
        stamp = self.clock.now_ms()
        if timeout_ms is not None:
            if job.state != ACTIVATED:
                raise Problem(
                    409,
                    "INVALID_STATE",
                    f"Command 'UPDATE_TIMEOUT' rejected with code 'INVALID_STATE': Expected to "
                    f"update the timeout of job with key '{key}', but it is not activated",
                )
            self._activation_seq += 1
            job.activation_seq = self._activation_seq
            job.deadline_ms = stamp + timeout_ms
            heapq.heappush(self._deadlines, (job.deadline_ms, job.activation_seq, key))
        if retries is not None:
            job.retries = retries
            job.last_event = "RETRIES_UPDATED"
        job.updated_ms = stamp

    def _open_job(self, key: str, verb: str) -> Job:
        """The job ``key`` unless it is unknown, completed or cancelled (404)."""
        job = self.jobs.get(key)
        if job is None or job.state in (COMPLETED, CANCELED):
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command '{verb.upper()}' rejected with code 'NOT_FOUND': Expected to {verb} "
                f"job with key '{key}', but no such job was found",
            )
        return job

    def _job_for_command(self, key: str, verb: str) -> Job:
        """The job ``key`` if it accepts a complete/fail/throw command now, else 404 or 409.

        A job that timed out is activatable again, so a late answer from its first worker
        is still accepted, as in 8.9.
        """
        job = self._open_job(key, verb)
        if job.state not in (ACTIVATABLE, ACTIVATED):
            raise Problem(
                409,
                "INVALID_STATE",
                f"Command '{verb.upper()}' rejected with code 'INVALID_STATE': Expected to {verb} "
                f"job with key '{key}', but it is in state '{wire_job_state(job.state)}'",
            )
        return job
