"""What a worker did with its jobs: :class:`WorkerReport` and the thread-safe counter behind it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import attrs

from camunda_workers.hookspecs import JobOutcome

if TYPE_CHECKING:
    from camunda_workers.otel import OtelRecorder

__all__ = ["ReportCounter", "WorkerReport"]


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
        "otel",
        "probably_applied",
        "released",
        "send_failures",
        "timed_out",
    )

    def __init__(self, otel: OtelRecorder | None = None) -> None:
        self._lock = threading.Lock()
        #: Records the same counts through OpenTelemetry (None: not installed).
        self.otel = otel
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
        if self.otel is not None:
            self.otel.count(name, count)

    def count_outcome(self, outcome: JobOutcome) -> None:
        """Count how a job ended: each :data:`JobOutcome` is the report field of the same name
        (``send_failed`` is counted in ``send_failures``)."""
        self.add("send_failures" if outcome == "send_failed" else outcome)

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
