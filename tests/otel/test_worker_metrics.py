"""The job workers' metrics exported through the plugin's meter provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("camunda_workers")
pytest.importorskip("opentelemetry.sdk.metrics")

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from otel_testing import Traces, bpmn, configuration, run, wait_until

import camunda_core.client
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, JobWorkerHost, WorkerConfig, otel


class CamundaAsyncClient(JobWorkerHost, camunda_core.client.CamundaAsyncClient):
    """What the meta package composes."""


@pytest.fixture
def metrics() -> Iterator[tuple[InMemoryMetricReader, MeterProvider]]:
    metric_reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[metric_reader])
    try:
        yield metric_reader, provider
    finally:
        otel.use_meter_provider(None)  # the workers' bridge is process-wide
        provider.shutdown()


def _sums(metric_reader: InMemoryMetricReader) -> dict[str, Any]:
    found: dict[str, Any] = {}
    data = metric_reader.get_metrics_data()
    assert data is not None
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                for point in metric.data.data_points:
                    found[metric.name] = getattr(point, "value", None) or getattr(point, "count", None)
    return found


def test_worker_metrics_go_to_the_meter_provider_passed_to_the_plugin(
    camunda_cluster: FakeCluster, metrics: tuple[InMemoryMetricReader, MeterProvider]
) -> None:
    reader, meter_provider = metrics
    camunda_cluster.deploy_bpmn(bpmn("order", "count"))
    for _ in range(3):
        camunda_cluster.create_process_instance("order", {})
    plugin = Traces().plugin(meter_provider=meter_provider)

    async def count(job: JobContext) -> None:
        return None

    async def main() -> None:
        async with CamundaAsyncClient(configuration(camunda_cluster.rest_address), environ={}, plugins=[plugin]) as client:
            client.create_job_worker(WorkerConfig(job_type="count", job_timeout_milliseconds=10_000), count)
            await wait_until(lambda: len(camunda_cluster.instances(state="COMPLETED")) == 3)
            await client.stop_workers(grace=1)

    run(main())
    sums = _sums(reader)
    assert sums["camunda.worker.jobs.activated"] == 3
    assert sums["camunda.worker.jobs.completed"] == 3
    assert sums["camunda.worker.job.duration"] == 3
