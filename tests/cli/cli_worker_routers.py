"""Routers that ``camunda worker`` loads by name in the tests (``cli_worker_routers:router``)."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from typing import Any

from camunda_workers import JobRouter

router = JobRouter(timeout=timedelta(seconds=30), request_timeout=timedelta(milliseconds=500))


@router.task("cli-work")
async def work(job_number: int = 0) -> dict[str, Any]:
    return {"worked": True, "worker_pid": os.getpid()}


slow_router = JobRouter(
    timeout=timedelta(seconds=30), request_timeout=timedelta(milliseconds=500), shutdown_grace=timedelta(seconds=20)
)


@slow_router.task("cli-slow")
async def slow() -> dict[str, Any]:
    await asyncio.sleep(1.0)  # still running when SIGTERM arrives: it must finish, not be released
    return {"finished": True}


def cpu_bound(n: int) -> int:
    return sum(i * i for i in range(n))


cpu_router = JobRouter(timeout=timedelta(seconds=30), request_timeout=timedelta(milliseconds=500))


@cpu_router.task("cli-work", execution_strategy="thread")
def crunch(job_number: int = 0) -> dict[str, Any]:
    return {"worked": True, "worker_pid": os.getpid(), "sum": cpu_bound(1000)}


not_a_router = "just a string"
