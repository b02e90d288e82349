"""Job workers for the Camunda Python SDK: async, thread and process strategies.

See ``docs/workers.md``. The async client gains ``create_job_worker``,
``run_workers``, ``stop_workers``, ``install_signal_handlers``,
``include_router`` and ``exception_handler`` through :class:`JobWorkerHost`;
:class:`JobRouter` declares typed handlers with decorators.
"""

from typing import TYPE_CHECKING

from camunda_core.lazy import lazy_getattr

if TYPE_CHECKING:
    from camunda_workers.config import (
        EXECUTION_STRATEGIES,
        ExecutionStrategy,
        ResolvedWorkerConfig,
        WorkerConfig,
    )
    from camunda_workers.decisions import (
        Complete,
        Decision,
        Fail,
        JobError,
        JobFailure,
        OutcomeAlreadySentError,
        ThrowError,
    )
    from camunda_workers.handler_types import AnyJobContext, ProcessJobContext, ThreadJobContext
    from camunda_workers.hookspecs import JobActivated, JobFinished, JobOutcome, WorkerHookspecs
    from camunda_workers.host import JobWorkerHost
    from camunda_workers.job_context import JobContext, JobVariables, OutcomeHandle
    from camunda_workers.report import WorkerReport
    from camunda_workers.router import JobRouter
    from camunda_workers.typed_variables import VariablesError
    from camunda_workers.worker import JobWorker

__all__ = [
    "WorkerConfig",
    "ResolvedWorkerConfig",
    "ExecutionStrategy",
    "EXECUTION_STRATEGIES",
    "JobWorkerHost",
    "JobWorker",
    "JobContext",
    "ThreadJobContext",
    "ProcessJobContext",
    "AnyJobContext",
    "JobRouter",
    "JobVariables",
    "OutcomeHandle",
    "JobError",
    "JobFailure",
    "OutcomeAlreadySentError",
    "VariablesError",
    "WorkerReport",
    "JobActivated",
    "JobFinished",
    "JobOutcome",
    "WorkerHookspecs",
    "Decision",
    "Complete",
    "Fail",
    "ThrowError",
]

# Names load on first use: the async client imports JobWorkerHost alone, and the worker
# machinery (models, multiprocessing, the router) waits until a worker is created.
_LAZY = {
    "EXECUTION_STRATEGIES": "camunda_workers.config",
    "ExecutionStrategy": "camunda_workers.config",
    "ResolvedWorkerConfig": "camunda_workers.config",
    "WorkerConfig": "camunda_workers.config",
    "Complete": "camunda_workers.decisions",
    "Decision": "camunda_workers.decisions",
    "Fail": "camunda_workers.decisions",
    "JobError": "camunda_workers.decisions",
    "JobFailure": "camunda_workers.decisions",
    "OutcomeAlreadySentError": "camunda_workers.decisions",
    "ThrowError": "camunda_workers.decisions",
    "AnyJobContext": "camunda_workers.handler_types",
    "ProcessJobContext": "camunda_workers.handler_types",
    "ThreadJobContext": "camunda_workers.handler_types",
    "JobActivated": "camunda_workers.hookspecs",
    "JobFinished": "camunda_workers.hookspecs",
    "JobOutcome": "camunda_workers.hookspecs",
    "WorkerHookspecs": "camunda_workers.hookspecs",
    "JobWorkerHost": "camunda_workers.host",
    "JobContext": "camunda_workers.job_context",
    "JobVariables": "camunda_workers.job_context",
    "OutcomeHandle": "camunda_workers.job_context",
    "WorkerReport": "camunda_workers.report",
    "JobRouter": "camunda_workers.router",
    "VariablesError": "camunda_workers.typed_variables",
    "JobWorker": "camunda_workers.worker",
}

__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
