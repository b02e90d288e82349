"""The lease heartbeat: WorkerConfig(auto_extend_lease=...) keeps a long handler's job this worker's."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from worker_testing import bpmn, make_client, run, run_worker_until, wait_until

from camunda_core.errors import ValidationError
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, WorkerConfig


def start(cluster: FakeCluster, job_type: str = "long") -> None:
    cluster.deploy_bpmn(bpmn("p", job_type))
    cluster.create_process_instance("p", {})


def config(strategy: str, lease: bool | timedelta | int, timeout_ms: int = 300) -> WorkerConfig:
    return WorkerConfig(
        job_type="long",
        job_timeout_milliseconds=timeout_ms,
        request_timeout_milliseconds=100,
        max_concurrent_jobs=4,
        execution_strategy=strategy,  # type: ignore[arg-type]
        auto_extend_lease=lease,
    )


def completed(cluster: FakeCluster) -> bool:
    return len(cluster.jobs(state="COMPLETED")) == 1


@pytest.mark.parametrize("lease", [True, timedelta(milliseconds=100), 100])
def test_a_thread_handler_three_job_timeouts_long_runs_once_and_completes_once(
    camunda_cluster: FakeCluster, lease: bool | timedelta | int
) -> None:
    cluster = camunda_cluster
    start(cluster)
    calls: list[str] = []
    lock = threading.Lock()

    def handler(job: JobContext) -> dict[str, Any]:
        with lock:
            calls.append(job.job_key)
        time.sleep(0.9)  # three job timeouts
        return {"done": True}

    report = run(run_worker_until(cluster, config("thread", lease), handler, lambda: completed(cluster)))
    stats = cluster.stats
    assert len(calls) == 1
    assert report.completed == 1 and report.activated == 1 and report.timed_out == 0
    assert stats.timeouts == 0 and stats.activated_jobs == 1  # never re-activated
    assert stats.duplicate_completions == {}
    updates = [r for r in cluster.requests if r.operation == "updateJob"]
    assert len(updates) >= 3
    assert all(r.json == {"changeset": {"timeout": 300}} for r in updates)


def test_an_async_handler_is_not_cancelled_while_its_lease_is_extended(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    calls: list[str] = []

    async def handler(job: JobContext) -> dict[str, Any]:
        calls.append(job.job_key)
        await asyncio.sleep(0.9)
        return {"done": True}

    report = run(run_worker_until(cluster, config("async", True), handler, lambda: completed(cluster)))
    assert len(calls) == 1 and report.completed == 1 and report.timed_out == 0
    assert cluster.stats.timeouts == 0 and cluster.stats.activated_jobs == 1


def test_the_heartbeat_stops_once_an_explicit_outcome_was_sent(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)

    async def handler(job: JobContext) -> None:
        await job.complete({"early": True})
        await asyncio.sleep(0.8)  # runs on after its outcome: no extension of a finished job

    report = run(run_worker_until(cluster, config("async", 100), handler, lambda: completed(cluster), grace=2.0))
    assert report.completed == 1
    updates_after = [r for r in cluster.requests if r.operation == "updateJob"]
    assert updates_after == []


def test_a_failing_extension_is_a_warning_and_never_fatal(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start(cluster)
    warnings: list[str] = []

    class Recorder:
        def debug(self, msg: str, *args: Any, **kwargs: Any) -> None: ...
        def info(self, msg: str, *args: Any, **kwargs: Any) -> None: ...
        def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
            warnings.append(msg % args if args else msg)
        def error(self, msg: str, *args: Any, **kwargs: Any) -> None: ...

    # Every updateJob is answered 500: the heartbeat logs and goes on, the handler finishes.
    cluster.faults.status("updateJob", 500)

    def handler(job: JobContext) -> dict[str, Any]:
        time.sleep(0.5)
        return {"done": True}

    async def main() -> Any:
        async with make_client(cluster.rest_address, logger=Recorder(), CAMUNDA_RETRY_MAX_ATTEMPTS=1) as client:
            client.create_job_worker(config("thread", 100, timeout_ms=2_000), handler)
            await wait_until(lambda: completed(cluster))
            return await client.stop_workers(grace=1.0)

    report = run(main())
    assert report.completed == 1
    assert any("lease extension failed" in w for w in warnings), warnings


def test_auto_extend_lease_values_are_checked() -> None:
    with pytest.raises(ValidationError, match="auto_extend_lease"):
        WorkerConfig(job_type="t", auto_extend_lease=0)
    with pytest.raises(ValidationError, match="auto_extend_lease"):
        WorkerConfig(job_type="t", auto_extend_lease=timedelta(0))
    with pytest.raises(ValidationError, match="auto_extend_lease"):
        WorkerConfig(job_type="t", auto_extend_lease="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="auto_extend_lease"):
        WorkerConfig(job_type="t", extend_lease=True)  # type: ignore[call-arg]


def test_the_interval_must_be_shorter_than_the_job_timeout(camunda_cluster: FakeCluster) -> None:
    async def handler(job: JobContext) -> None: ...

    async def main() -> None:
        async with make_client(camunda_cluster.rest_address) as client:
            with pytest.raises(ValidationError, match="shorter than the job timeout"):
                client.create_job_worker(config("async", timedelta(seconds=1), timeout_ms=1_000), handler)

    run(main())
