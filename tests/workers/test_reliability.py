"""Exactly-once under faults, no lost job on shutdown, the concurrency limit, 404/409 handling."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from worker_testing import bpmn, completed_instances, make_client, run, run_worker_until, wait_until

from camunda_testkit import FakeCluster
from camunda_workers import JobContext, WorkerConfig


def start_many(cluster: FakeCluster, count: int, job_type: str = "work") -> None:
    cluster.deploy_bpmn(bpmn("p", job_type))
    for n in range(count):
        cluster.create_process_instance("p", {"n": n})


async def trivial(job: JobContext) -> dict[str, Any]:
    return {"ok": True}


@pytest.mark.slow
def test_ten_thousand_jobs_complete_exactly_once_under_faults() -> None:
    total = 10_000
    # No request recording: 20,000+ recorded bodies would only slow the fake down.
    with FakeCluster(record_requests=False) as cluster:
        start_many(cluster, total)
        faults = cluster.faults
        faults.backpressure("activateJobs", every=10)
        faults.backpressure("completeJob", every=7)
        # Lost responses of applied completions: the retry meets 404 ("probably applied").
        faults.drop_connection("completeJob", after_processing=True, every=97)
        # Connections dropped before the server acts.
        faults.drop_connection("activateJobs", every=31)
        faults.drop_connection("completeJob", every=89)
        faults.delay("completeJob", 0.02, every=50)
        faults.delay("activateJobs", 0.02, every=13)
        config = WorkerConfig(
            job_type="work", job_timeout_milliseconds=60_000, request_timeout_milliseconds=500, max_concurrent_jobs=32
        )

        async def main() -> Any:
            async with make_client(cluster.rest_address) as client:
                worker = client.create_job_worker(config, trivial)

                def finished() -> bool:
                    report = worker.report
                    return report.completed + report.probably_applied >= total

                await wait_until(finished, timeout=50.0, interval=0.05)
                return await client.stop_workers(grace=1.0)

        started = time.monotonic()
        report = run(main(), timeout=60.0)
        elapsed = time.monotonic() - started
        stats = cluster.stats
        assert stats.duplicate_completions == {}
        assert stats.completed_jobs == total
        assert completed_instances(cluster) == total
        assert stats.failures == 0 and stats.timeouts == 0
        assert report.completed + report.probably_applied == total
        assert report.probably_applied >= 1 and report.lost_lease == 0 and report.send_failures == 0
        assert stats.max_in_flight_by_worker["camunda-python-sdk-worker"] <= 32
        print(f"\n10,000 jobs under faults in {elapsed:.1f} s ({total / elapsed:.0f} jobs/s); {report}")


def test_max_concurrent_jobs_is_never_exceeded(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start_many(cluster, 300)
    running = 0
    peak = 0

    async def handler(job: JobContext) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.002 * (int(job.variables["n"]) % 5))
        running -= 1

    config = WorkerConfig(job_type="work", job_timeout_milliseconds=30_000, request_timeout_milliseconds=200, max_concurrent_jobs=7)
    report = run(run_worker_until(cluster, config, handler, lambda: completed_instances(cluster) == 300))
    assert report.completed == 300
    assert cluster.stats.max_in_flight_by_worker["camunda-python-sdk-worker"] == 7
    assert peak <= 7
    asks = [r.json["maxJobsToActivate"] for r in cluster.requests if r.operation == "activateJobs"]
    assert max(asks) == 7 and min(asks) >= 1


def test_shutdown_mid_run_loses_no_job(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    total = 200
    start_many(cluster, total)
    release_gate = asyncio.Event()

    async def slow(job: JobContext) -> dict[str, Any]:
        if int(job.variables["n"]) % 2:
            await release_gate.wait()  # half the handlers never finish on their own
        return {"ok": True}

    def blocking(job: JobContext) -> dict[str, Any]:
        time.sleep(0.5 if int(job.variables["n"]) % 2 else 0.0)
        return {"ok": True}

    config = WorkerConfig(
        job_type="work", job_timeout_milliseconds=60_000, request_timeout_milliseconds=200, max_concurrent_jobs=10
    )

    async def main() -> Any:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(config, slow)
            client.create_job_worker(attrs_evolve(config, worker_name="thread-worker", execution_strategy="thread"), blocking)
            await wait_until(lambda: cluster.stats.completed_jobs >= 20)
            return await client.stop_workers(grace=0.2)

    report = run(main())
    jobs = cluster.jobs()
    activated = [job for job in jobs if job.state == "ACTIVATED"]
    assert activated == [], f"{len(activated)} job(s) left activated (lost until their timeout)"
    released = [job for job in jobs if job.state == "ACTIVATABLE" and job.error_message and "released" in job.error_message]
    assert len(released) == report.released >= 1
    assert all(job.retries == 3 for job in released)  # retries unchanged
    bodies = [r.json for r in cluster.requests if r.operation == "failJob"]
    assert all(body["retries"] == 3 and body["retryBackOff"] == 0 for body in bodies)
    assert report.completed == cluster.stats.completed_jobs
    assert report.failed == 0


def attrs_evolve(config: WorkerConfig, **changes: Any) -> WorkerConfig:
    import attrs

    return attrs.evolve(config, **changes)


def test_outcome_for_a_job_that_is_gone_is_lease_lost_not_a_failure(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start_many(cluster, 1)
    gate = asyncio.Event()

    async def handler(job: JobContext) -> dict[str, Any]:
        await gate.wait()
        return {"late": True}

    config = WorkerConfig(job_type="work", job_timeout_milliseconds=60_000, request_timeout_milliseconds=200)

    async def main() -> Any:
        async with make_client(cluster.rest_address) as client:
            worker = client.create_job_worker(config, handler)
            await wait_until(lambda: worker.in_flight == 1)
            [instance] = cluster.instances()
            await client.cancel_process_instance(process_instance_key=instance.process_instance_key)
            gate.set()
            await wait_until(lambda: worker.in_flight == 0)
            return await client.stop_workers(grace=0.5)

    report = run(main())
    assert report.lost_lease == 1
    assert report.completed == 0 and report.failed == 0 and report.handler_errors == 0
    assert [r.operation for r in cluster.requests if r.operation in ("completeJob", "failJob")] == ["completeJob"]


def test_poll_loop_survives_errors_and_backs_off(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start_many(cluster, 3)
    cluster.faults.status("activateJobs", status=500, times=3)
    cluster.faults.html_error("activateJobs", status=502, times=2)
    config = WorkerConfig(job_type="work", job_timeout_milliseconds=30_000, request_timeout_milliseconds=200)
    report = run(run_worker_until(cluster, config, trivial, lambda: completed_instances(cluster) == 3))
    assert report.completed == 3
    activations = [r for r in cluster.requests if r.operation == "activateJobs"]
    assert len(activations) >= 6


def test_activation_backpressure_backs_off_with_jitter_and_recovers(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    start_many(cluster, 2)
    cluster.faults.backpressure("activateJobs", times=4)
    config = WorkerConfig(job_type="work", job_timeout_milliseconds=30_000, request_timeout_milliseconds=200)
    started = time.monotonic()
    report = run(run_worker_until(cluster, config, trivial, lambda: completed_instances(cluster) == 2))
    assert report.completed == 2
    # Four back-offs happened (0.05 + 0.1 + 0.2 + 0.4 ceilings, at least half of each): not a busy loop.
    assert time.monotonic() - started >= 0.35


def test_starting_is_idempotent_and_workers_share_one_connection_pool(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "a", "b"))
    for n in range(5):
        cluster.create_process_instance("p", {"n": n})
    config = WorkerConfig(job_type="a", job_timeout_milliseconds=30_000, request_timeout_milliseconds=200)

    async def main() -> Any:
        async with make_client(cluster.rest_address) as client:
            a = client.create_job_worker(config, trivial)
            b = client.create_job_worker(attrs_evolve(config, job_type="b"), trivial)
            a.start()
            a.start()
            assert a.runtime is b.runtime is client.runtime
            await wait_until(lambda: completed_instances(cluster) == 5)
            return await client.stop_workers(grace=0.5)

    report = run(main())
    assert report.completed == 10
    assert len([r for r in cluster.requests if r.operation == "activateJobs"]) < 200
