"""The counters the engine bumps as it works, and the ``ClusterStats`` snapshot tests read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["ClusterStats", "Counters"]


@dataclass(frozen=True, slots=True)
class ClusterStats:
    """Counters since start (or since :meth:`FakeCluster.reset_stats`)."""

    requests: int
    activation_requests: int
    activated_jobs: int
    completions: Mapping[str, int]
    completion_attempts: int
    rejected_completions: int
    failures: int
    errors_thrown: int
    timeouts: int
    in_flight: int
    max_in_flight: int
    in_flight_by_worker: Mapping[str, int]
    max_in_flight_by_worker: Mapping[str, int]
    created_instances: int
    completed_instances: int
    published_messages: int
    token_requests: int

    @property
    def completed_jobs(self) -> int:
        return len(self.completions)

    @property
    def duplicate_completions(self) -> dict[str, int]:
        """Jobs completed successfully more than once (never, unless something is wrong)."""
        return {key: count for key, count in self.completions.items() if count > 1}


class Counters:
    """The live, mutable counters behind :class:`ClusterStats`."""

    __slots__ = (
        "activated_jobs",
        "activation_requests",
        "completed_instances",
        "completion_attempts",
        "completions",
        "created_instances",
        "errors_thrown",
        "failures",
        "in_flight",
        "in_flight_by_worker",
        "max_in_flight",
        "max_in_flight_by_worker",
        "published_messages",
        "rejected_completions",
        "requests",
        "timeouts",
        "token_requests",
    )

    def __init__(self) -> None:
        self.requests = 0
        self.activation_requests = 0
        self.activated_jobs = 0
        self.completions: dict[str, int] = {}
        self.completion_attempts = 0
        self.rejected_completions = 0
        self.failures = 0
        self.errors_thrown = 0
        self.timeouts = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_by_worker: dict[str, int] = {}
        self.max_in_flight_by_worker: dict[str, int] = {}
        self.created_instances = 0
        self.completed_instances = 0
        self.published_messages = 0
        self.token_requests = 0

    def jobs_activated(self, worker: str, count: int) -> None:
        """``count`` jobs went out to ``worker``: they are in flight until they land."""
        self.activated_jobs += count
        self.in_flight += count
        if self.in_flight > self.max_in_flight:
            self.max_in_flight = self.in_flight
        by_worker = self.in_flight_by_worker
        now_in_flight = by_worker.get(worker, 0) + count
        by_worker[worker] = now_in_flight
        if now_in_flight > self.max_in_flight_by_worker.get(worker, 0):
            self.max_in_flight_by_worker[worker] = now_in_flight

    def job_landed(self, worker: str) -> None:
        """An activated job of ``worker`` was completed, failed, errored, timed out or cancelled."""
        self.in_flight -= 1
        by_worker = self.in_flight_by_worker
        by_worker[worker] = by_worker.get(worker, 1) - 1

    def snapshot(self) -> ClusterStats:
        return ClusterStats(
            requests=self.requests,
            activation_requests=self.activation_requests,
            activated_jobs=self.activated_jobs,
            completions=MappingProxyType(dict(self.completions)),
            completion_attempts=self.completion_attempts,
            rejected_completions=self.rejected_completions,
            failures=self.failures,
            errors_thrown=self.errors_thrown,
            timeouts=self.timeouts,
            in_flight=self.in_flight,
            max_in_flight=self.max_in_flight,
            in_flight_by_worker=MappingProxyType(
                {worker: n for worker, n in self.in_flight_by_worker.items() if n}
            ),
            max_in_flight_by_worker=MappingProxyType(dict(self.max_in_flight_by_worker)),
            created_instances=self.created_instances,
            completed_instances=self.completed_instances,
            published_messages=self.published_messages,
            token_requests=self.token_requests,
        )

    def restarted(self) -> Counters:
        """Zeroed counters for a reset; in-flight counts carry over, since those jobs are
        still out."""
        fresh = Counters()
        fresh.in_flight = fresh.max_in_flight = self.in_flight
        fresh.in_flight_by_worker = {w: n for w, n in self.in_flight_by_worker.items() if n}
        fresh.max_in_flight_by_worker = dict(fresh.in_flight_by_worker)
        return fresh
