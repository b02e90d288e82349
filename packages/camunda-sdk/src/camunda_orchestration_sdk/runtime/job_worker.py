"""Job worker types, at the import path of the public contract."""

from camunda_workers import (
    JobContext,
    JobError,
    JobFailure,
    JobVariables,
    JobWorker,
    WorkerConfig,
    WorkerReport,
)

__all__ = ["JobContext", "JobError", "JobFailure", "JobVariables", "JobWorker", "WorkerConfig", "WorkerReport"]
