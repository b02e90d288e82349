"""Graceful stop: no new polls, running handlers get the grace period, unfinished jobs are released.

The poll open at the stop gets a quarter of a second to end by itself (a poll
with jobs is answered by then), then it is cut (so an idle worker stops in
that time, not at the end of its long poll); jobs it brought back are
released at once. Running handlers get the grace period; then every
unfinished job is released — failed with its retries unchanged and no
back-off, so another worker can take it immediately. Why cutting is the
choice, and what it means on the server: "Stopping" in docs/workers.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from camunda_workers.decisions import release_decision
from camunda_workers.poller import POLL_SETTLE_SECONDS

if TYPE_CHECKING:
    from camunda_core.logging import SdkLogger
    from camunda_workers.delivery import Delivery
    from camunda_workers.poller import Poller
    from camunda_workers.supervisor import Supervisor

__all__ = ["shut_down"]


async def shut_down(
    *,
    grace_seconds: float,
    poll_task: asyncio.Task[None] | None,
    poller: Poller,
    supervisor: Supervisor,
    delivery: Delivery,
    worker_name: str,
    log: SdkLogger,
    clock: Callable[[], float],
    cut_poll: bool = True,
) -> None:
    """Stop one worker's polling, wait for or release its jobs, await deliveries, close its runner.

    ``cut_poll=False`` lets the open poll end by itself within the grace period instead.
    """
    supervisor.stopping = True
    deadline = clock() + grace_seconds
    if cut_poll:
        cut = await poller.stop_polling(min(POLL_SETTLE_SECONDS, grace_seconds))
    else:
        cut = False
        poller.stop_requested.set()
    supervisor.wake()
    log.info(
        "stopping: %d job(s) running, grace %.1f s%s",
        supervisor.in_flight,
        grace_seconds,
        "; cut the open activation request" if cut else "",
    )
    if poll_task is not None and not poll_task.done():
        done, _ = await asyncio.wait({poll_task}, timeout=max(deadline - clock(), 0.0))
        if not done:
            log.warning("an activation request was still open at the end of the grace period; cancelled it")
            poll_task.cancel()
            await asyncio.gather(poll_task, return_exceptions=True)
    tasks = {active.task for active in supervisor.active if active.task is not None}
    if tasks:
        await asyncio.wait(tasks, timeout=max(deadline - clock(), 0.0))
    unfinished = list(supervisor.active)
    if unfinished:
        log.warning("%d job(s) still running after the grace period; releasing them", len(unfinished))
        releases: list[asyncio.Future[Any]] = []
        for active in unfinished:
            context = active.context
            decision = release_decision(context.retries, worker_name, "worker stopped before the handler finished")
            if context.outcome_claim.claim(decision):
                releases.append(asyncio.ensure_future(delivery.deliver(context, decision)))
            if active.handler is not None and not active.handler.done():
                active.handler.cancel()  # stops async handlers; threads and processes run on, ignored
        if releases:
            await asyncio.gather(*releases, return_exceptions=True)
        for active in unfinished:
            if active.task is not None and not active.task.done() and active.task not in delivery.delivering:
                active.task.cancel()
        await asyncio.gather(*(a.task for a in unfinished if a.task is not None), return_exceptions=True)
    if delivery.deliveries:
        await asyncio.gather(*list(delivery.deliveries), return_exceptions=True)
    supervisor.runner.close()
