"""Job worker types, at the import path of the public contract."""

from camunda_workers import (
    AnyJobContext,
    Complete,
    Fail,
    JobContext,
    JobError,
    JobFailure,
    JobRouter,
    JobVariables,
    JobWorker,
    ProcessJobContext,
    ThreadJobContext,
    ThrowError,
    WorkerConfig,
    WorkerReport,
)

__all__ = [
    "JobContext",
    "ThreadJobContext",
    "ProcessJobContext",
    "AnyJobContext",
    "JobRouter",
    "JobError",
    "JobFailure",
    "Complete",
    "Fail",
    "ThrowError",
    "JobVariables",
    "JobWorker",
    "WorkerConfig",
    "WorkerReport",
]
