"""Which jobs are offered, and to whom: activatable queues, activation with long polls,
job timeouts and retry back-offs."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .bpmn.variables import visible
from .model import (
    ACTIVATABLE,
    ACTIVATED,
    BACKOFF,
    CANCELED,
    COMPLETED,
    DEFAULT_LONG_POLL_SECONDS,
    Job,
)
from .state import EngineState

__all__ = ["ActivationRequest", "JobActivation", "job_variables"]


@dataclass(frozen=True, slots=True)
class ActivationRequest:
    """What ``POST /v2/jobs/activation`` asks for, validated."""

    job_type: str
    max_jobs: int
    timeout_ms: int
    worker: str
    fetch_variables: list[str] | None
    tenant_ids: frozenset[str] | None  # None: any tenant
    # 0: the default long poll; negative: answer at once.
    request_timeout_ms: int = 0


class JobActivation(EngineState):
    # Called (on the loop thread) with each job just offered for activation: created,
    # retried, timed out or back from a back-off. The test API's mocked job workers use it
    # (FakeCluster.mock_job_worker); a tuple, replaced as a whole, never shared-mutated.
    job_hooks: tuple[Callable[[Job], None], ...] = ()

    async def activate_or_wait(
        self, request: ActivationRequest, is_disconnected: Callable[[], bool]
    ) -> list[dict[str, Any]]:
        """Activate jobs, long-polling until some appear or the request's time runs out.

        A poll is woken by the job that appears (see :meth:`_make_activatable`), not by
        polling. ``is_disconnected`` tells whether the client has gone away.
        """
        self.counters.activation_requests += 1
        jobs = self.activate(request)
        if jobs or request.request_timeout_ms < 0:
            return jobs
        loop = asyncio.get_running_loop()
        request_timeout = request.request_timeout_ms
        seconds = request_timeout / 1000 if request_timeout > 0 else DEFAULT_LONG_POLL_SECONDS
        give_up_at = loop.time() + seconds
        while True:
            remaining = give_up_at - loop.time()
            if remaining <= 0 or is_disconnected():
                return []
            waiter = self._add_waiter(request.job_type)
            timer = loop.call_later(remaining, _settle, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._discard_waiter(request.job_type, waiter)
            if is_disconnected():
                # Nobody would receive the jobs: leave them for the next poller.
                return []
            jobs = self.activate(request)
            if jobs:
                return jobs

    def activate(self, request: ActivationRequest) -> list[dict[str, Any]]:
        """Activate what is there now (FIFO); returns ``ActivatedJobResult``s."""
        stamp = self.clock.now_ms()
        if self._deadlines and self._deadlines[0][0] <= stamp:
            self.release_due(stamp)
        if self._backoffs and self._backoffs[0][0] <= stamp:
            self.release_due(stamp)
        queue = self._activatable.get(request.job_type)
        if not queue:
            return []
        tenant_ids = request.tenant_ids
        picked: list[Job] = []
        for job in queue.values():
            if tenant_ids is None or job.instance.tenant_id in tenant_ids:
                picked.append(job)
                if len(picked) >= request.max_jobs:
                    break
        if not picked:
            return []
        deadline = stamp + request.timeout_ms
        result: list[dict[str, Any]] = []
        for job in picked:
            del queue[job.key]
            self._activation_seq += 1
            job.activation_seq = self._activation_seq
            job.state = ACTIVATED
            job.worker = request.worker
            job.deadline_ms = deadline
            job.updated_ms = stamp
            heapq.heappush(self._deadlines, (deadline, job.activation_seq, job.key))
            result.append(job.to_activated_wire(job_variables(job, request.fetch_variables)))
        self.counters.jobs_activated(request.worker, len(picked))
        return result

    def pending_activations(self, job_type: str | None) -> int:
        """How many long polls (for ``job_type``, or any) are waiting now."""
        if job_type is not None:
            return sum(1 for w in self._waiters.get(job_type, ()) if not w.done())
        return sum(1 for ws in self._waiters.values() for w in ws if not w.done())

    def release_due(self, stamp: int | None = None) -> None:
        """Re-offer timed-out jobs and jobs whose back-off has passed."""
        current = self.clock.now_ms() if stamp is None else stamp
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= current:
            _, seq, key = heapq.heappop(deadlines)
            job = self.jobs.get(key)
            # A heap entry is stale when the job moved on since (its seq changed).
            if job is not None and job.state == ACTIVATED and job.activation_seq == seq:
                self.counters.job_landed(job.worker)
                job.last_event = "TIMED_OUT"
                job.updated_ms = current
                self.counters.timeouts += 1
                self._make_activatable(job)
        backoffs = self._backoffs
        while backoffs and backoffs[0][0] <= current:
            _, seq, key = heapq.heappop(backoffs)
            job = self.jobs.get(key)
            if job is not None and job.state == BACKOFF and job.activation_seq == seq:
                self._make_activatable(job)

    def next_due(self) -> int | None:
        """Epoch ms of the next timeout or back-off expiry, if any."""
        candidates = [heap[0][0] for heap in (self._deadlines, self._backoffs) if heap]
        return min(candidates) if candidates else None

    def _make_activatable(self, job: Job) -> None:
        """Offer ``job`` to activation, waking the long polls for its type."""
        job.state = ACTIVATABLE
        job.worker = ""
        job.deadline_ms = None
        job_type = job.task.job_type
        queue = self._activatable.get(job_type)
        if queue is None:
            queue = self._activatable[job_type] = {}
        queue[job.key] = job
        waiters = self._waiters.pop(job_type, None)
        if waiters:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        for hook in self.job_hooks:
            hook(job)

    def _leave(self, job: Job, state: str, event: str, stamp: int) -> None:
        """Move an open job to ``state``, keeping queues and in-flight counts right."""
        if job.state == ACTIVATED:
            self.counters.job_landed(job.worker)
        elif job.state == ACTIVATABLE:
            queue = self._activatable.get(job.task.job_type)
            if queue is not None:
                queue.pop(job.key, None)
        job.state = state
        job.last_event = event
        job.updated_ms = stamp
        if state in (COMPLETED, CANCELED):
            job.end_ms = stamp

    def _add_waiter(self, job_type: str) -> asyncio.Future[None]:
        assert self.loop is not None
        waiter: asyncio.Future[None] = self.loop.create_future()
        self._waiters.setdefault(job_type, []).append(waiter)
        return waiter

    def _discard_waiter(self, job_type: str, waiter: asyncio.Future[None]) -> None:
        waiters = self._waiters.get(job_type)
        if waiters is not None:
            if waiter in waiters:
                waiters.remove(waiter)
            if not waiters:
                del self._waiters[job_type]


def job_variables(job: Job, names: list[str] | None) -> dict[str, Any]:
    """The variables a job sees (its element's scopes, innermost first), or those named."""
    element_instance = job.element_instance
    view: Mapping[str, Any] = (
        job.instance.variables if element_instance is None else visible(element_instance)
    )
    if not names:
        return dict(view)
    return {name: view[name] for name in names if name in view}


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
