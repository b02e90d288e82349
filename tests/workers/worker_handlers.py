"""Module-level handlers for the process strategy (a child imports this module by name)."""

from __future__ import annotations

import os
from typing import Any

from camunda_core.models.job_completion_request import JobCompletionRequest
from camunda_core.models.job_result_corrections import JobResultCorrections
from camunda_core.models.job_result_user_task import JobResultUserTask
from camunda_workers import JobContext, JobError, JobFailure


def cpu_bound(job: JobContext) -> dict[str, Any]:
    # Real CPU work: sum of squares, so the handler needs a process to scale.
    n = int(job.variables["n"])
    total = sum(i * i for i in range(200_000 + n))
    return {"total": total, "pid": os.getpid(), "logger": type(job.log).__name__, "client": job.client is None}


def raises(job: JobContext) -> None:
    raise ValueError(f"bad input {job.variables['n']}")


def raises_job_error(job: JobContext) -> None:
    raise JobError("NOT_FOUND", "no such order", {"reason": "missing"})


def raises_job_failure(job: JobContext) -> None:
    raise JobFailure("try later", retries=7, retry_back_off=60_000)


def explicit_fail(job: JobContext) -> dict[str, Any]:
    job.fail("explicitly failed", retries=5, retry_back_off=60_000)
    return {"ignored": True}


def explicit_error(job: JobContext) -> None:
    job.throw_error("E42", "explicit", {"x": 1})


def returns_unpicklable(job: JobContext) -> Any:
    return {"f": lambda: None}


def returns_completion_request(job: JobContext) -> JobCompletionRequest:
    return JobCompletionRequest(variables={"from": "child", "n": job.variables["n"]})


def returns_user_task_result(job: JobContext) -> JobResultUserTask:
    return JobResultUserTask(denied=False, corrections=JobResultCorrections(assignee="anna"))
