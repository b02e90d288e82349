"""The OpenTelemetry metrics bridge (camunda_workers.otel), read back with the SDK's InMemoryMetricReader."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from worker_testing import bpmn, make_client, run, wait_until

from camunda_testkit import FakeCluster
from camunda_workers import JobContext, JobError, WorkerConfig, otel


def test_without_opentelemetry_the_worker_records_nothing_and_imports_nothing() -> None:
    # Runs with and without OpenTelemetry installed: the child hides it.
    code = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None\n"
        "from camunda_workers import otel\n"
        "assert otel.recorder('t', 'w') is None\n"
        "assert [m for m in sys.modules if m.startswith('opentelemetry.')] == []\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@pytest.fixture
def reader() -> Iterator[Any]:
    pytest.importorskip("opentelemetry.sdk.metrics")
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    metric_reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[metric_reader])
    otel.use_meter_provider(provider)  # the global provider can be set only once per process
    try:
        yield metric_reader
    finally:
        otel.use_meter_provider(None)
        provider.shutdown()


def points(metric_reader: Any) -> dict[str, list[Any]]:
    """Metric name -> its data points (scope camunda_workers only)."""
    found: dict[str, list[Any]] = {}
    data = metric_reader.get_metrics_data()
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            if scope_metrics.scope.name != otel.METER_NAME:
                continue
            for metric in scope_metrics.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


def value(found: dict[str, list[Any]], name: str, job_type: str) -> Any:
    [point] = [p for p in found[name] if p.attributes.get("job.type") == job_type]
    return point


async def handler(job: JobContext) -> dict[str, Any]:
    if job.variables["n"] % 2:
        raise JobError("E1", "odd")
    return {"ok": True}


def test_counters_and_histograms_carry_job_type_and_worker_name(camunda_cluster: FakeCluster, reader: Any) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "otel"))
    for n in range(4):
        cluster.create_process_instance("p", {"n": n})

    async def main() -> Any:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(
                WorkerConfig(job_type="otel", worker_name="w1", job_timeout_milliseconds=10_000), handler
            )
            await wait_until(lambda: client.metrics()[0].job_seconds_count == 4, what="four outcomes")
            await client.stop_workers()
            return client.metrics()

    [metrics] = run(main())
    found = points(reader)
    for name, expected in (
        ("camunda.worker.jobs.activated", 4),
        ("camunda.worker.jobs.completed", 2),
        ("camunda.worker.jobs.errors_thrown", 2),
        ("camunda.worker.jobs.in_flight", 0),
        ("camunda.worker.polls", metrics.polls),
    ):
        point = value(found, name, "otel")
        assert point.value == expected, name
        assert dict(point.attributes) == {"job.type": "otel", "worker.name": "w1"}
    assert "camunda.worker.jobs.failed" not in found and "camunda.worker.poll.failures" not in found
    for name, count in (
        ("camunda.worker.handler.duration", 4),
        ("camunda.worker.job.duration", 4),
        ("camunda.worker.poll.duration", metrics.polls),
    ):
        point = value(found, name, "otel")
        assert point.count == count, name
        assert point.sum > 0
    handler_sum = value(found, "camunda.worker.handler.duration", "otel").sum
    assert handler_sum == pytest.approx(metrics.handler_seconds_sum)


def test_poll_failures_backpressure_and_lease_extensions(camunda_cluster: FakeCluster, reader: Any) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("l", "slow"))
    cluster.create_process_instance("l", {})
    rule = cluster.faults.backpressure("activateJobs")

    def slow(job: JobContext) -> None:
        time.sleep(0.4)

    async def main() -> Any:
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(
                WorkerConfig(
                    job_type="slow",
                    job_timeout_milliseconds=200,
                    request_timeout_milliseconds=200,
                    execution_strategy="thread",
                    auto_extend_lease=80,
                ),
                slow,
            )
            await wait_until(lambda: client.metrics()[0].backpressure_pauses >= 2, what="backpressure")
            cluster.faults.remove(rule)
            await wait_until(lambda: client.metrics()[0].completed == 1, what="the completion")
            await client.stop_workers()
            return client.metrics()

    [metrics] = run(main())
    found = points(reader)
    assert metrics.lease_extensions >= 2
    assert value(found, "camunda.worker.lease.extensions", "slow").value == metrics.lease_extensions
    assert value(found, "camunda.worker.poll.failures", "slow").value == metrics.poll_failures >= 2
    assert value(found, "camunda.worker.poll.backpressure", "slow").value == metrics.backpressure_pauses
    assert value(found, "camunda.worker.handler.duration", "slow").sum >= 0.4


def test_instruments_are_created_once_per_provider(reader: Any) -> None:
    first = otel.recorder("a", "w")
    second = otel.recorder("b", "w")
    assert first is not None and second is not None
    assert first._instruments is second._instruments
