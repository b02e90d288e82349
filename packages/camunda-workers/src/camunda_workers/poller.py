"""The activation long-poll loop and its back-off.

One activation request is open at a time. It asks for exactly the free
capacity (``max_concurrent_jobs`` minus the jobs in flight, as the supervisor
counts them) and the next one starts as soon as the previous returned and a
slot is free (no fixed sleep). Errors and backpressure pause polling with
jittered exponential back-off, reset by the first successful poll; the loop
itself never dies.

Stopping gives the open poll a moment to end by itself, then cuts it
(:meth:`Poller.stop_polling`): an idle worker stops within that moment instead of
at the end of its long poll. Jobs a poll still brought back are handed to the
supervisor, which releases them because the worker is stopping. See "Stopping"
in docs/workers.md for what a cut poll means on the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from camunda_core.errors import ApiError, BackpressureError
from camunda_core.retry.backoff import Backoff
from camunda_workers.decisions import failure_message
from camunda_workers.metrics import PollStats

if TYPE_CHECKING:
    from camunda_core.logging import SdkLogger
    from camunda_core.models.activated_job_result import ActivatedJobResult
    from camunda_workers.config import ResolvedWorkerConfig
    from camunda_workers.job_api import JobApi
    from camunda_workers.supervisor import Supervisor

#: How long a stop lets the open activation request end by itself before cutting it: a poll
#: that has jobs is answered well within it, an idle long poll is not.
POLL_SETTLE_SECONDS = 0.25

__all__ = ["POLL_SETTLE_SECONDS", "PollBackoff", "Poller"]


class PollBackoff:
    """The poll loop's pause after failed activations: the SDK's one backoff, reset on success.

    Equal jitter (between half the ceiling and the ceiling), not full jitter: a
    pause near zero would re-poll an overloaded server almost at once.
    """

    def __init__(
        self,
        *,
        initial: float = 0.05,
        maximum: float = 10.0,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        self._backoff = Backoff(initial=initial, max_delay=maximum, jitter="equal", random=random_fraction)
        self.failures = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        """The next pause in seconds (at least ``retry_after``, within the SDK's Retry-After cap)."""
        self.failures += 1
        return self._backoff.delay(self.failures, retry_after)

    def reset(self) -> None:
        self.failures = 0


class Poller:
    """Activates jobs for one worker and hands them to its supervisor."""

    def __init__(
        self,
        api: JobApi,
        config: ResolvedWorkerConfig,
        supervisor: Supervisor,
        log: SdkLogger,
        clock: Callable[[], float],
    ) -> None:
        self._api = api
        self._config = config
        self._supervisor = supervisor
        self._log = log
        self._clock = clock
        self.backoff = PollBackoff()
        #: Set once the worker stops: no new polls, and a pause ends at once.
        self.stop_requested = asyncio.Event()
        #: The activation request open now, if any (cut by :meth:`cut`).
        self._request: asyncio.Future[list[ActivatedJobResult]] | None = None
        self._cut = False
        #: Activation requests cut by a stop while open.
        self.polls_cut = 0
        self.stats = PollStats()

    @property
    def stopping(self) -> bool:
        return self.stop_requested.is_set()

    @property
    def polling(self) -> bool:
        """Whether an activation request is open now."""
        request = self._request
        return request is not None and not request.done()

    async def stop_polling(self, settle_seconds: float = POLL_SETTLE_SECONDS) -> bool:
        """Stop polling; give the open activation request ``settle_seconds`` to end by itself,
        then cancel it. True if one had to be cut.

        A busy poll (jobs are there) is answered within milliseconds and is never cut, so its
        jobs are admitted (and released, because the worker is stopping) instead of being
        activated into a closed connection. Only an idle long poll is still open after the
        settle time, and a job can be stranded by cutting it only if it appears in that instant.
        """
        self.stop_requested.set()
        request = self._request
        if request is None or request.done():
            return False
        if settle_seconds > 0:
            await asyncio.wait({request}, timeout=settle_seconds)
            if request.done():
                return False
        self._cut = True
        self.polls_cut += 1
        request.cancel()
        return True

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the worker stops."""
        if self.stopping:
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.stop_requested.wait(), timeout=seconds)

    async def run(self) -> None:
        """The poll loop: runs until the worker stops."""
        supervisor = self._supervisor
        while not self.stopping:
            try:
                free = supervisor.free_slots()
                if free <= 0:
                    await supervisor.wait_for_capacity()
                    continue
                await self._poll_once(free)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the loop never dies: log, back off, go on
                delay_seconds = self.backoff.next_delay()
                self._log.error(
                    "unexpected error in the poll loop: %s; polling again in %.0f ms",
                    failure_message(error),
                    delay_seconds * 1000,
                )
                await self._pause(delay_seconds)
        self._log.debug("poll loop ended for %s", self._config.job_type)

    async def _poll_once(self, free: int) -> None:
        config = self._config
        started = self._clock()
        # A task of its own, so a stop can cut this request without cancelling the loop.
        request = asyncio.ensure_future(
            self._api.activate(
                job_type=config.job_type,
                worker=config.worker_name,
                timeout_ms=config.job_timeout_ms,
                max_jobs=free,
                request_timeout_ms=config.request_timeout_ms,
                fetch_variables=config.fetch_variables,
                tenant_ids=config.tenant_ids,
                log=self._log,
            )
        )
        self._request = request
        try:
            jobs = await request
        except asyncio.CancelledError:
            if not (self._cut and request.cancelled()):
                raise
            self._log.debug("activation request cut: the worker is stopping")
            return
        except BackpressureError as error:
            self.stats.failed(backpressure=True)
            delay_seconds = self.backoff.next_delay(_retry_after_seconds(error))
            self._log.info(
                "activation met backpressure (%s); polling again in %.0f ms", error.status, delay_seconds * 1000
            )
            await self._pause(delay_seconds)
            return
        except Exception as error:
            self.stats.failed(backpressure=False)
            delay_seconds = self.backoff.next_delay(_retry_after_seconds(error))
            self._log.warning(
                "activation failed: %s; polling again in %.0f ms", failure_message(error), delay_seconds * 1000
            )
            await self._pause(delay_seconds)
            return
        finally:
            self._request = None
        now = self._clock()
        self.stats.succeeded(now, now - started)
        self.backoff.reset()
        if jobs:
            # The local deadline counts from when the poll was sent: a skewed server clock does not matter.
            self._supervisor.admit(jobs, free, local_deadline=started + config.job_timeout_ms / 1000.0, stopping=self.stopping)


def _retry_after_seconds(error: BaseException) -> float | None:
    if not isinstance(error, ApiError):
        return None
    return error.retry_after
