"""Worker metrics and health: plain frozen snapshots of what one worker did and how it polls.

``worker.metrics()`` / ``host.metrics()`` and ``worker.health()`` / ``host.health()``
(on the async client) return them; nothing here imports OpenTelemetry.
"""

from __future__ import annotations

import attrs

__all__ = ["PollStats", "WorkerHealth", "WorkerMetrics"]


class PollStats:
    """The poll loop's own counters (written on the event loop only)."""

    __slots__ = (
        "backpressure_pauses",
        "consecutive_failures",
        "failures",
        "last_success",
        "latency_max",
        "latency_sum",
        "successes",
    )

    def __init__(self) -> None:
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

    def failed(self, *, backpressure: bool) -> None:
        self.failures += 1
        self.consecutive_failures += 1
        if backpressure:
            self.backpressure_pauses += 1


@attrs.frozen(kw_only=True)
class WorkerMetrics:
    """What one worker did since it started, per job type.

    ``job_duration_*`` measure activation to the server's answer to the job's outcome
    (count, sum and max in seconds). ``poll_latency_*`` cover successful activation
    requests, long-poll waits included.
    """

    job_type: str
    worker_name: str
    activated: int
    completed: int
    failed: int
    errors_thrown: int
    released: int
    in_flight: int
    job_duration_count: int
    job_duration_sum: float
    job_duration_max: float
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
