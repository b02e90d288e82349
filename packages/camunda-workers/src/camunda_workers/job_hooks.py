"""Calling the ``camunda_job_*`` hooks of :mod:`camunda_workers.hookspecs`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from camunda_core.plugins import notify_observers
from camunda_workers.hookspecs import JobActivated, JobFinished, JobOutcome

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig
    from camunda_workers.job_context import JobContext
    from camunda_workers.otel import OtelRecorder

__all__ = ["JobLifecycleHooks"]


class JobLifecycleHooks:
    """Calls the ``camunda_job_*`` hooks, when any plugin implements them."""

    def __init__(
        self,
        pm: Any,
        log: Any,
        clock: Callable[[], float],
        otel: OtelRecorder | None = None,
        config: CamundaConfig | None = None,
    ) -> None:
        self._hook = pm.hook
        self._log = log
        self._clock = clock
        self._config = config
        self._observed = bool(pm.hook.camunda_job_activated.get_hookimpls()) or bool(
            pm.hook.camunda_job_finished.get_hookimpls()
        )
        # Read once, like the observers: the worker's hot path pays one check per job.
        self._scoped = config is not None and bool(pm.hook.camunda_job_scope.get_hookimpls())
        #: Activation time of every job in flight (metrics and health read it too).
        self.activated_at: dict[str, float] = {}
        self.duration_count = 0
        self.duration_sum = 0.0
        self.duration_max = 0.0
        self.otel = otel

    def activated(self, context: JobContext, worker_name: str) -> None:
        self.activated_at[context.job_key] = self._clock()
        if not self._observed:
            return
        event = JobActivated(
            job_key=context.job_key, job_type=context.type, worker_name=worker_name, retries=context.retries
        )
        self._call(self._hook.camunda_job_activated, event)

    def finished(
        self, job_key: str, job_type: str, worker_name: str, outcome: JobOutcome, interrupt: str | None = None
    ) -> None:
        started = self.activated_at.pop(job_key, None)
        duration_seconds = self._clock() - started if started is not None else 0.0
        if started is not None:
            self.duration_count += 1
            self.duration_sum += duration_seconds
            self.duration_max = max(self.duration_max, duration_seconds)
            if self.otel is not None:
                self.otel.job_finished(duration_seconds)
        if not self._observed:
            return
        event = JobFinished(
            job_key=job_key,
            job_type=job_type,
            worker_name=worker_name,
            outcome=outcome,
            duration_seconds=duration_seconds,
            interrupt=interrupt,
        )
        self._call(self._hook.camunda_job_finished, event)

    def forget(self, job_key: str) -> None:
        """Drop the activation time of a job that will never reach :meth:`finished`
        (its async handler was cancelled at the job timeout and nothing is sent for it)."""
        self.activated_at.pop(job_key, None)

    def enter_scope(self, context: JobContext, worker_name: str) -> list[AbstractContextManager[object]] | None:
        """Enter every plugin's ``camunda_job_scope`` for this job; None when no plugin has one.

        A plugin whose hook or ``__enter__`` raises is logged and left out: a scope must
        never cost a job its run.
        """
        if not self._scoped:
            return None
        entered: list[AbstractContextManager[object]] = []
        kwargs: dict[str, Any] = {"job": context, "worker_name": worker_name, "config": self._config}
        for impl in reversed(self._hook.camunda_job_scope.get_hookimpls()):  # highest precedence first
            try:
                manager = impl.function(*(kwargs[name] for name in impl.argnames))
                if manager is not None:
                    manager.__enter__()
                    entered.append(manager)
            except Exception as error:
                self._scope_failed(impl.plugin_name, "entering", error)
        return entered

    def exit_scope(self, entered: list[AbstractContextManager[object]], error: BaseException | None) -> None:
        """Exit what :meth:`enter_scope` entered, innermost first, with the handler's exception if any."""
        for manager in reversed(entered):
            try:
                if error is None:
                    manager.__exit__(None, None, None)
                else:
                    manager.__exit__(type(error), error, error.__traceback__)
            except BaseException as raised:
                if raised is error:
                    continue  # a generator-based manager re-raised what it was given
                if not isinstance(raised, Exception):
                    raise
                self._scope_failed(type(manager).__name__, "exiting", raised)

    def _scope_failed(self, plugin: str, step: str, error: Exception) -> None:
        self._log.error(
            "job scope hook camunda_job_scope of %r raised %s while %s: %s (ignored)",
            plugin,
            type(error).__name__,
            step,
            error,
        )

    def _call(self, hook: Any, event: object) -> None:
        # An observer must never cost a job its outcome: the one observer rule of the SDK.
        notify_observers(hook, self._log, event=event)
