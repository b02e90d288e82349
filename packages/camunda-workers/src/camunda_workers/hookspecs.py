"""Hooks of ``camunda_workers``: observe the job lifecycle (metrics, tracing, audit).

Implement them in any plugin registered with the client (``plugins=[...]`` or
the ``camunda_orchestration_sdk`` entry point), with
``camunda_core.hookspecs.hookimpl``. ``camunda_job_activated`` and
``camunda_job_finished`` are **observers**: every implementation is called,
return values are ignored, and an exception in one is logged and never
disturbs the job. ``camunda_job_scope`` is a **wrapper**: the context managers
plugins return are entered around the job (a tracing span, say), and one that
raises is logged and left out. All run on the event loop: keep them quick and
non-blocking.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal

import attrs

from camunda_core.hookspecs import hookspec

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig
    from camunda_workers.job_context import JobContext

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

    @hookspec
    def camunda_job_scope(
        self, job: JobContext[Any], worker_name: str, config: CamundaConfig
    ) -> AbstractContextManager[object] | None:
        """**wrapper** - a context manager to run this job inside, or None.

        Entered in the job's own task before its handler starts, and exited once the
        job's outcome was delivered (or could not be), after ``camunda_job_finished``:
        whatever it makes current (a ``contextvars`` value, an OpenTelemetry span) is
        current for the handler (an async handler's task and a thread handler's call
        run in a copy of the job's context; a process child does not see it) and for
        the calls the worker makes for the job (completion, failure, lease extensions).
        Exited with the handler's exception (``__exit__(type, error, traceback)``) when
        it raised one, else with ``None``; its return value is ignored (the exception
        was handled already). Not entered for a job released before its handler could
        run (the worker was stopping). ``config`` is the client's configuration. When no
        plugin implements it, it costs nothing.
        """
