"""A CONSUMER span per job, with the handler, its calls and the job's outcome call inside it."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("camunda_workers")

from opentelemetry.trace import SpanKind, StatusCode
from otel_testing import (
    Traces,
    bpmn,
    children,
    configuration,
    parent_id,
    run,
    span_id,
    trace_id,
    wait_until,
)

import camunda_core.client
from camunda_core.client import CamundaClient
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, JobError, JobWorkerHost, WorkerConfig
from camunda_workers.handler_types import ThreadJobContext


class CamundaAsyncClient(JobWorkerHost, camunda_core.client.CamundaAsyncClient):
    """What the meta package composes."""


def _run_worker(cluster: FakeCluster, traces: Traces, job_type: str, handler: Any, jobs: int, **options: Any) -> None:
    async def main() -> None:
        async with CamundaAsyncClient(
            configuration(cluster.rest_address), environ={}, plugins=[traces.plugin(**options)]
        ) as client:
            client.create_job_worker(WorkerConfig(job_type=job_type, job_timeout_milliseconds=10_000), handler)
            await wait_until(lambda: len(traces.named(f"process {job_type}")) >= jobs, what="job spans")
            await client.stop_workers(grace=1)

    run(main())


def test_an_async_handler_runs_inside_its_job_span_with_its_calls_and_the_completion(
    camunda_cluster: FakeCluster,
) -> None:
    camunda_cluster.deploy_bpmn(bpmn("order", "charge"))
    instance = camunda_cluster.create_process_instance("order", {"amount": 3})
    traces = Traces()

    async def charge(job: JobContext) -> dict[str, Any]:
        await job.client.get_topology()
        return {"charged": True}

    _run_worker(camunda_cluster, traces, "charge", charge, 1)
    job_span = traces.one("process charge")
    assert job_span.kind is SpanKind.CONSUMER
    assert parent_id(job_span) is None  # no propagation: a trace of its own
    attributes = dict(job_span.attributes or {})
    job = camunda_cluster.jobs(job_type="charge")[0]
    element_instance = attributes.pop("camunda.element_instance.key")
    assert isinstance(element_instance, str) and element_instance.isdigit()
    assert attributes == {
        "camunda.job.type": "charge",
        "camunda.job.key": str(job.job_key),
        "camunda.job.retries": 3,
        "camunda.worker.name": "camunda-python-sdk-worker",
        "camunda.process_instance.key": str(instance.process_instance_key),
        "camunda.process_definition.id": "order",
        "camunda.process_definition.key": str(instance.process_definition_key),
        "camunda.element.id": "task_0",
        "camunda.tenant.id": "<default>",
        "camunda.job.outcome": "completed",
    }
    assert job_span.status.status_code is StatusCode.UNSET
    nested = sorted(s.name for s in children(traces.spans, job_span))
    assert nested == ["GET /v2/topology", "POST /v2/jobs/{jobKey}/completion"]
    assert all(trace_id(s) == trace_id(job_span) for s in children(traces.spans, job_span))


def test_a_thread_handler_sees_its_job_span_as_current(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.deploy_bpmn(bpmn("order", "ship"))
    camunda_cluster.create_process_instance("order", {})
    traces = Traces()

    def ship(job: ThreadJobContext) -> None:
        assert isinstance(job.client, CamundaClient)
        job.client.get_topology()

    _run_worker(camunda_cluster, traces, "ship", ship, 1)
    job_span = traces.one("process ship")
    assert sorted(s.name for s in children(traces.spans, job_span)) == [
        "GET /v2/topology",
        "POST /v2/jobs/{jobKey}/completion",
    ]


def test_a_failing_handler_leaves_an_error_span_with_the_exception(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.deploy_bpmn(bpmn("order", "pack"))
    camunda_cluster.create_process_instance("order", {})
    traces = Traces()

    async def pack(job: JobContext) -> None:
        raise ValueError("no box")

    _run_worker(camunda_cluster, traces, "pack", pack, 1)
    job_span = traces.named("process pack")[0]
    attributes = dict(job_span.attributes or {})
    assert attributes["camunda.job.outcome"] == "failed"
    assert attributes["error.type"] == "ValueError"
    assert job_span.status.status_code is StatusCode.ERROR
    assert [e.name for e in job_span.events] == ["exception"]
    assert [s.name for s in children(traces.spans, job_span)] == ["POST /v2/jobs/{jobKey}/failure"]


def test_a_bpmn_error_is_an_outcome_not_a_span_error(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.deploy_bpmn(bpmn("order", "check"))
    camunda_cluster.create_process_instance("order", {})
    traces = Traces()

    async def check(job: JobContext) -> None:
        raise JobError("OUT_OF_STOCK", "nothing left")

    _run_worker(camunda_cluster, traces, "check", check, 1)
    job_span = traces.one("process check")
    assert dict(job_span.attributes or {})["camunda.job.outcome"] == "errored"
    assert job_span.status.status_code is StatusCode.UNSET
    assert [s.name for s in children(traces.spans, job_span)] == ["POST /v2/jobs/{jobKey}/error"]


def test_job_spans_are_turned_off_with_tracing(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.deploy_bpmn(bpmn("order", "quiet"))
    camunda_cluster.create_process_instance("order", {})
    traces = Traces()

    async def quiet(job: JobContext) -> None:
        return None

    async def main() -> None:
        settings = configuration(camunda_cluster.rest_address, CAMUNDA_OTEL_TRACING="false")
        async with CamundaAsyncClient(settings, environ={}, plugins=[traces.plugin()]) as client:
            client.create_job_worker(WorkerConfig(job_type="quiet", job_timeout_milliseconds=10_000), quiet)
            await wait_until(lambda: len(camunda_cluster.instances(state="COMPLETED")) == 1)
            await client.stop_workers(grace=1)

    run(main())
    assert traces.spans == []


def test_without_propagation_a_carried_context_is_linked_not_followed(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.deploy_bpmn(bpmn("order", "audit"))
    traces = Traces()
    tracer = traces.provider.get_tracer("test")
    with tracer.start_as_current_span("upstream") as upstream:
        carried = f"00-{upstream.get_span_context().trace_id:032x}-{upstream.get_span_context().span_id:016x}-01"
    camunda_cluster.create_process_instance("order", {"_camunda_trace_context": {"traceparent": carried}})

    async def audit(job: JobContext) -> None:
        return None

    _run_worker(camunda_cluster, traces, "audit", audit, 1, propagate_variables=False)
    job_span = traces.one("process audit")
    assert parent_id(job_span) is None
    assert trace_id(job_span) != trace_id(traces.one("upstream"))
    assert [link.context.span_id for link in job_span.links] == [span_id(traces.one("upstream"))]


def test_a_process_handler_job_gets_its_span_and_completion_nested(camunda_cluster: FakeCluster) -> None:
    from otel_testing import process_handler

    camunda_cluster.deploy_bpmn(bpmn("order", "crunch"))
    camunda_cluster.create_process_instance("order", {})
    traces = Traces()

    async def main() -> None:
        async with CamundaAsyncClient(
            configuration(camunda_cluster.rest_address), environ={}, plugins=[traces.plugin()]
        ) as client:
            config = WorkerConfig(job_type="crunch", job_timeout_milliseconds=20_000, execution_strategy="process")
            client.create_job_worker(config, process_handler)
            await wait_until(lambda: len(traces.named("process crunch")) == 1, timeout=30, what="the job span")
            await client.stop_workers(grace=1)

    run(main(), timeout=60)
    job_span = traces.one("process crunch")
    assert dict(job_span.attributes or {})["camunda.job.outcome"] == "completed"
    # The child process does not see the span; the completion the worker sends does.
    assert [s.name for s in children(traces.spans, job_span)] == ["POST /v2/jobs/{jobKey}/completion"]
