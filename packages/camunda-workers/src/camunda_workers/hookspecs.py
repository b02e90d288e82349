"""Hooks of ``camunda_workers``: observe the job lifecycle (metrics, tracing, audit).

Implement them in any plugin registered with the client (``plugins=[...]`` or
the ``camunda_orchestration_sdk`` entry point), with
``camunda_core.hookspecs.hookimpl``. Both are **observers**: every
implementation is called, return values are ignored, and an exception in one
is logged and never disturbs the job. They run on the event loop: keep them
quick and non-blocking.
"""

from __future__ import annotations

from typing import Literal

import attrs

from camunda_core.hookspecs import hookspec

__all__ = ["JobActivated", "JobFinished", "JobOutcome", "WorkerHookspecs"]

#: How a job ended for this worker.
#: ``completed``/``failed``/``errored``/``released`` were accepted by the server;
#: ``probably_applied`` got 404/409 after a retried delivery; ``lost_lease`` got
#: 404/409 at once (the job is no longer this worker's); ``send_failed`` could
#: not be delivered before the job's lease ran out.
JobOutcome = Literal[
    "completed", "failed", "errored", "released", "probably_applied", "lost_lease", "send_failed"
]


@attrs.frozen(kw_only=True)
class JobActivated:
    job_key: str
    job_type: str
    worker_name: str
    retries: int


@attrs.frozen(kw_only=True)
class JobFinished:
    job_key: str
    job_type: str
    worker_name: str
    outcome: JobOutcome
    #: Seconds from activation to the server's answer to the outcome.
    duration_seconds: float
    #: Set when the handler raised an interrupt (``KeyboardInterrupt``, ``SystemExit``,
    #: an async handler's own ``CancelledError``): its type name. The job was released
    #: (``outcome`` is ``released`` once the server accepted) and the workers stop.
    interrupt: str | None = None


class WorkerHookspecs:
    """Hook specifications of ``camunda_workers``."""

    @hookspec
    def camunda_job_activated(self, event: JobActivated) -> None:
        """**observer** - a job was activated for this worker, before its handler runs."""

    @hookspec
    def camunda_job_finished(self, event: JobFinished) -> None:
        """**observer** - a job's outcome was delivered (or could not be); see :data:`JobOutcome`."""
