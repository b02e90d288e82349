"""What happens to a job: the decisions, the exceptions that carry them, the report.

A handler's result becomes exactly one :data:`Decision`:

* returned value (dict, typed variables object, or None) → :class:`Complete`
* ``raise JobError(code, ...)`` → :class:`ThrowError` (a BPMN error)
* ``raise JobFailure(message, ...)`` → :class:`Fail` with the given retries
* any other exception (any ``BaseException``) → :class:`Fail` with ``retries - 1``
  and the configured back-off
* ``KeyboardInterrupt``, ``SystemExit`` (or an async handler's own
  ``CancelledError``) → the job is released and the worker's host stops gracefully
* an explicit ``job.complete()`` / ``fail()`` / ``throw_error()`` /
  ``complete_user_task_listener()`` → that decision, and the return value is ignored

Decisions are plain, picklable values: a process-pool child records one and
the parent applies it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Union

import attrs

from camunda_core.errors import CamundaError

__all__ = [
    "Complete",
    "Fail",
    "ThrowError",
    "Decision",
    "JobError",
    "JobFailure",
    "OutcomeAlreadySentError",
    "SendResult",
    "WorkerReport",
    "ReportCounter",
]


@attrs.frozen(kw_only=True)
class Complete:
    """Complete the job, optionally with variables and a listener ``result``."""

    variables: Mapping[str, Any] | None = None
    #: The ``result`` object of the completion request (user task listeners).
    result: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class Fail:
    """Fail the job with an explicit number of remaining retries."""

    message: str
    retries: int
    retry_back_off_ms: int = 0
    variables: Mapping[str, Any] | None = None
    #: True when the worker gives the job back unprocessed (shutdown, overflow).
    release: bool = False


@attrs.frozen(kw_only=True)
class ThrowError:
    """Throw a BPMN error for the job's task."""

    code: str
    message: str | None = None
    variables: Mapping[str, Any] | None = None


Decision = Union[Complete, Fail, ThrowError]


class JobError(Exception):
    """Raise from a handler to throw a BPMN error (caught by an error boundary event)."""

    def __init__(self, code: str, message: str | None = None, variables: Mapping[str, Any] | None = None) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.variables = variables

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable with all its fields, so it crosses the process pool intact.
        return (type(self), (self.code, self.message, self.variables))


class JobFailure(Exception):
    """Raise from a handler to fail the job with chosen retries and back-off.

    ``retries=None`` means the job's retries minus one (as for any exception);
    ``retry_back_off`` is in milliseconds (None = the worker's configured back-off).
    """

    def __init__(
        self,
        message: str,
        *,
        retries: int | None = None,
        retry_back_off: int | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retries = retries
        self.retry_back_off = retry_back_off
        self.variables = variables

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_job_failure, (type(self), self.message, self.retries, self.retry_back_off, self.variables))


def _rebuild_job_failure(
    cls: type[JobFailure],
    message: str,
    retries: int | None,
    retry_back_off: int | None,
    variables: Mapping[str, Any] | None,
) -> JobFailure:
    return cls(message, retries=retries, retry_back_off=retry_back_off, variables=variables)


class OutcomeAlreadySentError(CamundaError):
    """A second outcome was requested for a job that already has one."""


#: How sending a decision ended.
#: ``sent``: accepted. ``probably_applied``: a 404/409 after a retry whose earlier
#: attempt may have reached the server. ``lease_lost``: a 404/409 on the first
#: reach of the server (timed out and taken elsewhere, or cancelled).
#: ``gave_up``: retries exhausted or a non-retryable error; the job will time out.
SendResult = str


class ReportCounter:
    """Thread-safe counters of what a worker did with its jobs."""

    __slots__ = (
        "_lock",
        "activated",
        "completed",
        "errored",
        "failed",
        "handler_errors",
        "interrupted",
        "lost_lease",
        "probably_applied",
        "released",
        "send_failures",
        "timed_out",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.activated = 0
        self.completed = 0
        self.failed = 0
        self.errored = 0
        self.released = 0
        self.lost_lease = 0
        self.probably_applied = 0
        self.send_failures = 0
        self.timed_out = 0
        self.handler_errors = 0
        self.interrupted = 0

    def add(self, name: str, count: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + count)

    def snapshot(self, job_type: str, worker_name: str) -> WorkerReport:
        with self._lock:
            return WorkerReport(
                job_type=job_type,
                worker_name=worker_name,
                activated=self.activated,
                completed=self.completed,
                failed=self.failed,
                errored=self.errored,
                released=self.released,
                lost_lease=self.lost_lease,
                probably_applied=self.probably_applied,
                send_failures=self.send_failures,
                timed_out=self.timed_out,
                handler_errors=self.handler_errors,
                interrupted=self.interrupted,
            )


@attrs.frozen(kw_only=True)
class WorkerReport:
    """What one worker did (or several, summed with ``+``).

    ``completed``/``failed``/``errored`` count outcomes the server accepted
    (``failed`` excludes releases). ``released`` jobs were given back with
    unchanged retries (shutdown). ``lost_lease`` counts 404/409 answers that
    mean the job was no longer this worker's; ``probably_applied`` counts
    404/409 answers after a retried request that had likely already been
    applied. ``send_failures`` are outcomes that could not be delivered (the
    job times out and is retried). ``timed_out`` counts async handlers
    cancelled at the job deadline. ``handler_errors`` counts handlers that
    raised (they are among ``failed`` unless the failure could not be sent).
    ``interrupted`` counts handlers that raised ``KeyboardInterrupt``,
    ``SystemExit`` or (async) their own ``CancelledError``: their jobs were
    released (among ``released``) and the workers were stopped.
    """

    job_type: str
    worker_name: str
    activated: int = 0
    completed: int = 0
    failed: int = 0
    errored: int = 0
    released: int = 0
    lost_lease: int = 0
    probably_applied: int = 0
    send_failures: int = 0
    timed_out: int = 0
    handler_errors: int = 0
    interrupted: int = 0

    def __add__(self, other: WorkerReport) -> WorkerReport:
        same_type = self.job_type if self.job_type == other.job_type else "*"
        same_name = self.worker_name if self.worker_name == other.worker_name else "*"
        return WorkerReport(
            job_type=same_type,
            worker_name=same_name,
            activated=self.activated + other.activated,
            completed=self.completed + other.completed,
            failed=self.failed + other.failed,
            errored=self.errored + other.errored,
            released=self.released + other.released,
            lost_lease=self.lost_lease + other.lost_lease,
            probably_applied=self.probably_applied + other.probably_applied,
            send_failures=self.send_failures + other.send_failures,
            timed_out=self.timed_out + other.timed_out,
            handler_errors=self.handler_errors + other.handler_errors,
            interrupted=self.interrupted + other.interrupted,
        )
