"""A handler's BaseException: interrupts release the job and stop the host gracefully; any other
BaseException fails the job like an exception; a dead process child fails its job. Every strategy."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any

import pytest
from worker_testing import CamundaAsyncClient, bpmn, make_client, run, wait_until

from camunda_core.hookspecs import hookimpl
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, JobFinished, WorkerConfig, WorkerReport
from camunda_workers.executor import DEAD_CHILD_MESSAGE

# Process-strategy children import handlers by module name, and pytest's importlib mode gives
# this module another one: register it under its file name (this folder is on the child's path).
_MODULE = "test_base_exceptions"
sys.modules.setdefault(_MODULE, sys.modules[__name__])


class Halt(BaseException):
    """A BaseException that is not an interrupt."""


KINDS: dict[str, type[BaseException]] = {
    "KeyboardInterrupt": KeyboardInterrupt,
    "SystemExit": SystemExit,
    "CancelledError": asyncio.CancelledError,
    "GeneratorExit": GeneratorExit,
    "Halt": Halt,
}


def sync_handler(job: JobContext) -> dict[str, Any]:
    """Raises the BaseException named by the ``kind`` variable for n == 0; else completes after ``sleep``."""
    variables = job.variables
    if variables["n"] == 0:
        kind = variables["kind"]
        if kind == "os._exit":
            os._exit(3)
        raise KINDS[kind](f"stop {variables['n']}")
    time.sleep(float(variables.get("sleep", 0.0)))
    return {"done": True}


async def async_handler(job: JobContext) -> dict[str, Any]:
    variables = job.variables
    if variables["n"] == 0:
        raise KINDS[variables["kind"]](f"stop {variables['n']}")
    await asyncio.sleep(float(variables.get("sleep", 0.0)))
    return {"done": True}


for _handler in (sync_handler, async_handler):
    _handler.__module__ = _MODULE


def cfg(strategy: str, **kwargs: Any) -> WorkerConfig:
    base: dict[str, Any] = {
        "job_type": "work",
        "job_timeout_milliseconds": 20_000,
        "request_timeout_milliseconds": 200,
        "execution_strategy": strategy,
        "max_concurrent_jobs": 2,
        "shutdown_grace_seconds": 5,
    }
    base.update(kwargs)
    return WorkerConfig(**base)


def handler_for(strategy: str) -> Any:
    return async_handler if strategy == "async" else sync_handler


def start(cluster: FakeCluster, kind: str, *, retries: int = 3, others: int = 1, sleep: float = 0.3) -> None:
    cluster.deploy_bpmn(bpmn("p", "work", retries=retries))
    cluster.create_process_instance("p", {"n": 0, "kind": kind})
    for n in range(1, others + 1):
        cluster.create_process_instance("p", {"n": n, "sleep": sleep})


def fail_bodies(cluster: FakeCluster) -> list[dict[str, Any]]:
    return [dict(r.json) for r in cluster.requests if r.operation == "failJob"]


async def run_until_it_returns(cluster: FakeCluster, config: WorkerConfig, handler: Any, **kwargs: Any) -> WorkerReport:
    """``run_workers()`` must return by itself: nothing here stops the workers."""
    async with make_client(cluster.rest_address, **kwargs) as client:
        client.create_job_worker(config, handler)
        return await client.run_workers()


INTERRUPTS = [
    ("async", "KeyboardInterrupt"),
    ("async", "SystemExit"),
    ("async", "CancelledError"),
    ("thread", "KeyboardInterrupt"),
    ("thread", "SystemExit"),
    ("process", "KeyboardInterrupt"),
    ("process", "SystemExit"),
]


@pytest.mark.parametrize(("strategy", "kind"), INTERRUPTS)
def test_interrupt_releases_the_job_lets_the_other_finish_and_the_run_returns_its_report(
    camunda_cluster: FakeCluster, strategy: str, kind: str
) -> None:
    cluster = camunda_cluster
    start(cluster, kind)
    report = run(run_until_it_returns(cluster, cfg(strategy), handler_for(strategy)))
    assert report.interrupted == 1
    # The interrupted job's release can reach the cluster while the open long poll settles
    # (POLL_SETTLE_SECONDS): that poll then gets the job again, and the stopping worker
    # releases it a second time. Never lost, never run twice: one activation more at most.
    assert report.activated in (2, 3) and report.released == report.activated - 1
    assert report.completed == 1  # the other job finished within the grace period
    assert report.failed == 0 and report.handler_errors == 0
    [interrupted] = [job for job in cluster.jobs() if job.state != "COMPLETED"]
    assert interrupted.state == "ACTIVATABLE" and interrupted.retries == 3 and interrupted.completions == 0
    bodies = fail_bodies(cluster)
    assert bodies and all(b["retries"] == 3 and b["retryBackOff"] == 0 for b in bodies)
    assert f"handler raised {kind}" in bodies[0]["errorMessage"]
    assert cluster.stats.duplicate_completions == {}


def test_interrupt_releases_jobs_still_running_after_the_grace_period(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster, "SystemExit", sleep=1.5)
    report = run(run_until_it_returns(cluster, cfg("thread", shutdown_grace_seconds=0.3), sync_handler))
    assert report.interrupted == 1 and report.released == 2 and report.completed == 0
    assert all(job.state == "ACTIVATABLE" and job.retries == 3 for job in cluster.jobs())


NON_INTERRUPTS = [
    ("async", "Halt"),
    ("async", "GeneratorExit"),
    ("thread", "Halt"),
    ("thread", "GeneratorExit"),
    ("thread", "CancelledError"),  # an interrupt only for async handlers
    ("process", "Halt"),
    ("process", "CancelledError"),
]


@pytest.mark.parametrize(("strategy", "kind"), NON_INTERRUPTS)
def test_other_base_exceptions_fail_the_job_until_an_incident(
    camunda_cluster: FakeCluster, strategy: str, kind: str
) -> None:
    cluster = camunda_cluster
    start(cluster, kind, retries=2, others=0)

    async def main() -> WorkerReport:
        async with make_client(cluster.rest_address) as client:
            worker = client.create_job_worker(cfg(strategy), handler_for(strategy))
            await wait_until(lambda: len(cluster.jobs(state="FAILED")) == 1, what="an incident")
            assert worker.is_running  # the worker was not stopped
            return await client.stop_workers(grace=1)

    report = run(main())
    [job] = cluster.jobs()
    assert job.state == "FAILED" and job.retries == 0
    assert job.error_message is not None and job.error_message.startswith(f"{kind}: stop 0 (at ")
    assert report.failed == 2 and report.handler_errors == 2 and report.interrupted == 0
    assert [b["retries"] for b in fail_bodies(cluster)] == [1, 0]


def test_a_dead_process_child_fails_its_job_and_the_pool_recovers(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster, "os._exit", retries=1, others=0)

    async def main() -> WorkerReport:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(cfg("process"), sync_handler)
            await wait_until(lambda: len(cluster.jobs(state="FAILED")) == 1, what="an incident", timeout=20)
            cluster.create_process_instance("p", {"n": 1})
            await wait_until(lambda: len(cluster.jobs(state="COMPLETED")) == 1, what="a completion", timeout=20)
            return await client.stop_workers(grace=1)

    report = run(main())
    failed = cluster.jobs(state="FAILED")[0]
    assert failed.retries == 0 and failed.error_message == DEAD_CHILD_MESSAGE
    assert report.failed == 1 and report.completed == 1 and report.interrupted == 0


def test_cancellation_by_our_own_shutdown_is_not_an_interrupt(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster, "unused", others=0)

    async def forever(job: JobContext) -> None:
        await asyncio.sleep(60)

    async def main() -> WorkerReport:
        async with make_client(cluster.rest_address) as client:
            worker = client.create_job_worker(cfg("async"), forever)
            await wait_until(lambda: worker.in_flight == 1)
            return await client.stop_workers(grace=0.1)

    report = run(main())
    assert report.released == 1 and report.interrupted == 0 and report.handler_errors == 0


class Recorder:
    def __init__(self) -> None:
        self.finished: list[JobFinished] = []

    @hookimpl
    def camunda_job_finished(self, event: JobFinished) -> None:
        self.finished.append(event)


def test_observers_see_the_interrupt(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster, "KeyboardInterrupt")
    recorder = Recorder()

    async def main() -> WorkerReport:
        configuration = {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
        async with CamundaAsyncClient(
            configuration=configuration, environ={}, load_entry_points=False, plugins=[recorder]
        ) as client:
            client.create_job_worker(cfg("async"), async_handler)
            return await client.run_workers()

    report = run(main())
    assert report.interrupted == 1
    released = [e for e in recorder.finished if e.interrupt is not None]
    assert [(e.outcome, e.interrupt) for e in released] == [("released", "KeyboardInterrupt")]
    assert [e.outcome for e in recorder.finished if e.interrupt is None] == ["completed"]
