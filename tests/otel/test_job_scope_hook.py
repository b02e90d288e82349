"""The camunda_job_scope hook itself (what camunda-otel builds on): entered around each job,
current for async and thread handlers, and never able to cost a job its run."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

pytest.importorskip("camunda_workers")

from otel_testing import bpmn, configuration, run, wait_until

import camunda_core.client
from camunda_core.hookspecs import hookimpl
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, JobWorkerHost, WorkerConfig
from camunda_workers.handler_types import ThreadJobContext

CURRENT_JOB: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_job", default=None)


class CamundaAsyncClient(JobWorkerHost, camunda_core.client.CamundaAsyncClient):
    """What the meta package composes."""


class Scopes:
    def __init__(self) -> None:
        self.exits: list[tuple[str, str | None]] = []

    @hookimpl
    def camunda_job_scope(self, job: Any, worker_name: str) -> AbstractContextManager[object]:
        @contextmanager
        def scope() -> Iterator[None]:
            token = CURRENT_JOB.set(job.job_key)
            try:
                yield
            except BaseException as error:
                self.exits.append((job.job_key, type(error).__name__))
                raise
            else:
                self.exits.append((job.job_key, None))
            finally:
                CURRENT_JOB.reset(token)

        return scope()


class BrokenScope:
    @hookimpl
    def camunda_job_scope(self) -> AbstractContextManager[object]:
        raise RuntimeError("scope bug")


@pytest.mark.parametrize("strategy", ["async", "thread"])
def test_the_handler_runs_inside_every_scope_and_a_broken_one_is_left_out(
    camunda_cluster: FakeCluster, strategy: str
) -> None:
    camunda_cluster.deploy_bpmn(bpmn("p", "work"))
    for n in range(3):
        camunda_cluster.create_process_instance("p", {"n": n})
    scopes = Scopes()
    seen: list[tuple[str | None, str]] = []

    async def work_async(job: JobContext) -> None:
        seen.append((CURRENT_JOB.get(), job.job_key))
        if job.variables["n"] == 2:
            raise ValueError("bad n")

    def work_thread(job: ThreadJobContext) -> None:
        seen.append((CURRENT_JOB.get(), job.job_key))
        if job.variables["n"] == 2:
            raise ValueError("bad n")

    handler = work_async if strategy == "async" else work_thread

    async def main() -> None:
        plugins = [BrokenScope(), scopes]
        async with CamundaAsyncClient(configuration(camunda_cluster.rest_address), environ={}, plugins=plugins) as client:
            client.create_job_worker(WorkerConfig(job_type="work", job_timeout_milliseconds=10_000), handler)
            await wait_until(lambda: len(scopes.exits) >= 3, what="three scopes exited")
            await client.stop_workers(grace=1)
        assert CURRENT_JOB.get() is None  # nothing leaked out of the jobs' tasks

    run(main())
    # Every run (the failing job's retries included) saw its own job's scope.
    assert len(seen) >= 3 and all(current == key for current, key in seen)
    errors = [error for _, error in scopes.exits]
    assert errors.count(None) == 2 and set(errors) == {None, "ValueError"}
    assert len(camunda_cluster.instances(state="COMPLETED")) == 2
