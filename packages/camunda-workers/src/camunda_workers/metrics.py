"""Worker metrics and health: plain frozen snapshots of what one worker did and how it polls.

``worker.metrics()`` / ``host.metrics()`` and ``worker.health()`` / ``host.health()``
(on the async client) return them. Nothing here imports OpenTelemetry: when it is
installed, :mod:`camunda_workers.otel` records the same events through its instruments
(the ``otel`` slot of each stats object; None costs one check per event).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from camunda_workers.otel import OtelRecorder

__all__ = ["JobStats", "PollStats", "WorkerHealth", "WorkerMetrics"]


class PollStats:
    """The poll loop's own counters (written on the event loop only)."""

    __slots__ = (
        "backpressure_pauses",
        "consecutive_failures",
        "failures",
        "last_success",
        "latency_max",
        "latency_sum",
        "otel",
        "successes",
    )

    def __init__(self, otel: OtelRecorder | None = None) -> None:
        self.otel = otel
        self.successes = 0
        self.failures = 0
        self.consecutive_failures = 0
        self.backpressure_pauses = 0
        #: Clock time of the last successful poll (None: none yet).
        self.last_success: float | None = None
        self.latency_sum = 0.0
        self.latency_max = 0.0

    def succeeded(self, now: float, latency: float) -> None:
        self.successes += 1
        self.consecutive_failures = 0
        self.last_success = now
        self.latency_sum += latency
        self.latency_max = max(self.latency_max, latency)
        if self.otel is not None:
            self.otel.poll_succeeded(latency)

    def failed(self, *, backpressure: bool) -> None:
        self.failures += 1
        self.consecutive_failures += 1
        if backpressure:
            self.backpressure_pauses += 1
        if self.otel is not None:
            self.otel.poll_failed(backpressure=backpressure)


class JobStats:
    """The supervisor's counters: lease extensions and handler run times (event loop only)."""

    __slots__ = ("handler_count", "handler_max", "handler_sum", "lease_extensions", "otel")

    def __init__(self, otel: OtelRecorder | None = None) -> None:
        self.otel = otel
        #: Lease extensions the server accepted (the heartbeat of ``auto_extend_lease``).
        self.lease_extensions = 0
        self.handler_count = 0
        self.handler_sum = 0.0
        self.handler_max = 0.0

    def lease_extended(self) -> None:
        self.lease_extensions += 1
        if self.otel is not None:
            self.otel.lease_extended()

    def handler_ran(self, seconds: float) -> None:
        self.handler_count += 1
        self.handler_sum += seconds
        self.handler_max = max(self.handler_max, seconds)
        if self.otel is not None:
            self.otel.handler_ran(seconds)


@attrs.frozen(kw_only=True)
class WorkerMetrics:
    """What one worker did since it started, per job type.

    ``job_seconds_*`` measure activation to the server's answer to the job's outcome
    (count, sum and max in seconds); ``handler_seconds_*`` the handler's own run time, from
    its call to its return or raise (a handler cancelled at the job timeout is not
    counted). ``lease_extensions`` counts extensions the server accepted.
    ``poll_latency_*`` cover successful activation requests, long-poll waits included.
    """

    job_type: str
    worker_name: str
    activated: int
    completed: int
    failed: int
    errors_thrown: int
    released: int
    in_flight: int
    job_seconds_count: int
    job_seconds_sum: float
    job_seconds_max: float
    handler_seconds_count: int
    handler_seconds_sum: float
    handler_seconds_max: float
    lease_extensions: int
    polls: int
    poll_failures: int
    poll_latency_sum: float
    poll_latency_max: float
    backpressure_pauses: int
    polls_cut: int


@attrs.frozen(kw_only=True)
class WorkerHealth:
    """Whether one worker polls successfully and whether a handler is stuck past its job timeout."""

    job_type: str
    worker_name: str
    running: bool
    #: Clock time (the client's clock, seconds) of the last successful poll; None: none yet.
    last_successful_poll: float | None
    consecutive_poll_failures: int
    #: Jobs whose handler has run longer than the job timeout.
    stuck_jobs: int

    @property
    def healthy(self) -> bool:
        return self.running and self.consecutive_poll_failures == 0 and self.stuck_jobs == 0
