"""The ``workers`` entry-point plugin: declares the job hooks on every client's plugin manager.

So a plugin implementing ``camunda_job_activated``/``camunda_job_finished`` is
checked, and accepted, on a blocking client too, not only on the async client
that runs workers (which declares them itself through its ``hookspecs``).
"""

from __future__ import annotations

import pluggy

from camunda_core.hookspecs import hookimpl
from camunda_workers.hookspecs import WorkerHookspecs

__all__: list[str] = []  # a plugin module: pluggy reads its hook implementations


@hookimpl
def camunda_add_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    if getattr(plugin_manager.hook, "camunda_job_finished", None) is None or not (
        plugin_manager.hook.camunda_job_finished.has_spec()
    ):
        plugin_manager.add_hookspecs(WorkerHookspecs)
