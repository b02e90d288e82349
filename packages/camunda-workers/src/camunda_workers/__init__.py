"""Job workers for the Camunda Python SDK: async, thread and process strategies.

See ``docs/workers.md``. The async client gains ``create_job_worker``,
``run_workers``, ``stop_workers``, ``install_signal_handlers``,
``include_router`` and ``exception_handler`` through :class:`JobWorkerHost`;
:class:`JobRouter` declares typed handlers with decorators.
"""

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
