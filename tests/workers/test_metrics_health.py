"""Worker metrics (per job type) and health (polling, stuck handlers) against the test kit."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from worker_testing import bpmn, completed_instances, make_client, run, wait_until

from camunda_testkit import FakeCluster
from camunda_workers import JobContext, JobError, WorkerConfig


async def handler(job: JobContext) -> dict[str, Any]:
    n = job.variables["n"]
    if n % 3 == 1:
        raise RuntimeError("boom")
    if n % 3 == 2:
        raise JobError("E1", "business error")
    return {"ok": True}


def test_metrics_after_a_run(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "m", retries=1))
    for n in range(9):
        cluster.create_process_instance("p", {"n": n})

    async def main() -> Any:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(WorkerConfig(job_type="m", job_timeout_milliseconds=10_000), handler)
            await wait_until(lambda: client.metrics()[0].job_seconds_count == 9, what="nine outcomes")
            await client.stop_workers()
            return client.metrics()

    [metrics] = run(main())
    assert completed_instances(cluster) >= 3
    assert (metrics.job_type, metrics.activated, metrics.completed, metrics.failed, metrics.errors_thrown) == ("m", 9, 3, 3, 3)
    assert metrics.in_flight == 0
    assert metrics.job_seconds_count == 9 and 0 < metrics.job_seconds_max <= metrics.job_seconds_sum
    # Every handler ran to an end; its own run time is within the job's.
    assert metrics.handler_seconds_count == 9 and 0 < metrics.handler_seconds_max <= metrics.handler_seconds_sum
    assert metrics.handler_seconds_sum < metrics.job_seconds_sum
    assert metrics.lease_extensions == 0
    assert metrics.polls >= 1 and metrics.poll_failures == 0 and metrics.polls_cut == 1


def test_health_reports_poll_failures_and_recovers(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    rule = cluster.faults.backpressure("activateJobs")

    async def main() -> None:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(
                WorkerConfig(job_type="h", job_timeout_milliseconds=10_000, request_timeout_milliseconds=200), handler
            )
            await wait_until(lambda: client.health()[0].consecutive_poll_failures >= 3, what="failing polls")
            [health] = client.health()
            assert not health.healthy and health.last_successful_poll is None
            assert client.metrics()[0].backpressure_pauses >= 3
            cluster.faults.remove(rule)
            await wait_until(lambda: client.health()[0].last_successful_poll is not None, what="a good poll")
            [health] = client.health()
            assert health.healthy and health.consecutive_poll_failures == 0
            await client.stop_workers()
            assert not client.health()[0].running

    run(main())


def test_health_reports_a_thread_handler_stuck_past_its_job_timeout(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("s", "stuck"))
    cluster.create_process_instance("s", {})

    def stuck(job: JobContext) -> None:
        time.sleep(0.6)

    async def main() -> None:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(
                WorkerConfig(job_type="stuck", job_timeout_milliseconds=200, execution_strategy="thread"), stuck
            )
            await wait_until(lambda: client.health()[0].stuck_jobs == 1, what="a stuck handler")
            await wait_until(lambda: client.health()[0].stuck_jobs == 0, what="the handler returned")
            await client.stop_workers()

    run(main())


def test_lease_extensions_and_handler_seconds_of_a_long_handler(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("l", "long"))
    cluster.create_process_instance("l", {})

    def long_handler(job: JobContext) -> None:
        time.sleep(0.5)

    async def main() -> Any:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(
                WorkerConfig(
                    job_type="long",
                    job_timeout_milliseconds=200,
                    execution_strategy="thread",
                    auto_extend_lease=100,
                ),
                long_handler,
            )
            await wait_until(lambda: client.metrics()[0].completed == 1, what="the completion")
            await client.stop_workers()
            return client.metrics()

    [metrics] = run(main())
    updates = [r for r in cluster.requests if r.operation == "updateJob"]
    assert metrics.lease_extensions == len(updates) >= 2
    assert metrics.handler_seconds_count == 1 and 0.5 <= metrics.handler_seconds_max < 2.0
    assert metrics.handler_seconds_sum == metrics.handler_seconds_max <= metrics.job_seconds_max


async def cancels_its_instance_and_hangs(job: JobContext) -> None:
    # The job is gone on the server, so nothing re-offers it: only the timeout ends it here.
    await job.client.cancel_process_instance(process_instance_key=job.process_instance_key)
    await asyncio.sleep(30)


def test_a_timed_out_async_handler_leaves_no_activation_time_behind(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("t", "hang"))
    cluster.create_process_instance("t", {})

    async def main() -> None:
        async with make_client(cluster.rest_address) as client:
            worker = client.create_job_worker(
                WorkerConfig(job_type="hang", job_timeout_milliseconds=300), cancels_its_instance_and_hangs
            )
            await wait_until(lambda: worker.report.timed_out == 1 and worker.in_flight == 0, what="the timeout")
            assert worker._hooks.activated_at == {}  # freed, though the finished hook never runs for it
            [metrics] = client.metrics()
            assert metrics.handler_seconds_count == 0 and metrics.job_seconds_count == 0
            await client.stop_workers()

    run(main())
