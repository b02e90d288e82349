"""The trace context carried through process variables (opt-in), and the done-when trace:
one instance through two workers is one trace, its spans nested as the instance ran."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from otel_testing import (
    Traces,
    bpmn,
    children,
    configuration,
    parent_id,
    run,
    span_id,
    trace_id,
    traceparent_of,
    wait_until,
)

from camunda_core.client import CamundaAsyncClient, CamundaClient
from camunda_otel import TRACE_CONTEXT_VARIABLE
from camunda_testkit import FakeCluster

CREATE = "POST /v2/process-instances"


def _create_body(cluster: FakeCluster) -> dict[str, Any]:
    sent = [r for r in cluster.requests if r.operation == "createProcessInstance"]
    assert len(sent) == 1
    return sent[0].json


def test_creating_an_instance_carries_the_create_span_in_a_variable_sync(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.deploy_bpmn(bpmn("order", "charge"))
    traces = Traces()
    settings = configuration(camunda_cluster.rest_address)
    with CamundaClient(settings, environ={}, plugins=[traces.plugin(propagate_variables=True)]) as client:
        result = client.create_process_instance(data={"processDefinitionId": "order", "variables": {"n": 1}})
    create = traces.one(CREATE)
    body = _create_body(camunda_cluster)
    assert body["variables"]["n"] == 1
    assert body["variables"][TRACE_CONTEXT_VARIABLE]["traceparent"].startswith(traceparent_of(create))
    stored = camunda_cluster.instance(str(result.process_instance_key)).variables
    assert stored[TRACE_CONTEXT_VARIABLE]["traceparent"].startswith(traceparent_of(create))


def test_creating_an_instance_carries_the_create_span_in_a_variable_async(camunda_cluster: FakeCluster) -> None:
    camunda_cluster.deploy_bpmn(bpmn("order", "charge"))
    traces = Traces()
    # The setting, as an installed plugin reads it.
    settings = configuration(camunda_cluster.rest_address, CAMUNDA_OTEL_PROPAGATE_VARIABLES="true")

    async def main() -> None:
        async with CamundaAsyncClient(settings, environ={}, plugins=[traces.plugin()]) as client:
            await client.create_process_instance(data={"processDefinitionId": "order"})

    run(main())
    body = _create_body(camunda_cluster)
    assert body["variables"][TRACE_CONTEXT_VARIABLE]["traceparent"].startswith(traceparent_of(traces.one(CREATE)))


def test_messages_carry_it_too_and_nothing_is_carried_when_off(camunda_cluster: FakeCluster) -> None:
    traces = Traces()
    settings = configuration(camunda_cluster.rest_address)
    message = {"name": "paid", "correlationKey": "o-1", "variables": {"amount": 3}}
    with CamundaClient(settings, environ={}, plugins=[traces.plugin(propagate_variables=True)]) as client:
        client.publish_message(data=message)
    with CamundaClient(settings, environ={}, plugins=[traces.plugin()]) as client:
        client.publish_message(data=message)
    first, second = [r.json for r in camunda_cluster.requests if r.operation == "publishMessage"]
    assert set(first["variables"]) == {"amount", TRACE_CONTEXT_VARIABLE}
    assert second["variables"] == {"amount": 3}  # propagation is opt-in
    assert message["variables"] == {"amount": 3}  # the caller's data is never changed


def test_the_done_when_trace_one_instance_two_workers_one_trace(camunda_cluster: FakeCluster) -> None:
    pytest.importorskip("camunda_workers")
    import camunda_core.client
    from camunda_workers import JobContext, JobRouter, JobWorkerHost, WorkerConfig

    class WorkerClient(JobWorkerHost, camunda_core.client.CamundaAsyncClient):
        """What the meta package composes."""

    camunda_cluster.deploy_bpmn(bpmn("order", "charge", "ship"))
    traces = Traces()
    tracer = traces.provider.get_tracer("shop")
    settings = configuration(camunda_cluster.rest_address, CAMUNDA_OTEL_PROPAGATE_VARIABLES=True)
    shipped: list[str] = []

    async def charge(job: JobContext) -> dict[str, Any]:
        await job.client.get_topology()  # any call the handler makes nests under its job
        return {"charged": job.variables["amount"]}

    # Worker 2 fetches only its parameters: the trace context variable is fetched as well.
    shipping = JobRouter(timeout=timedelta(seconds=10))

    @shipping.task("ship")
    async def ship(charged: int) -> None:
        shipped.append(f"shipped {charged}")

    async def main() -> None:
        async with (
            WorkerClient(settings, environ={}, plugins=[traces.plugin()]) as service_one,
            WorkerClient(settings, environ={}, plugins=[traces.plugin()]) as service_two,
            CamundaAsyncClient(settings, environ={}, plugins=[traces.plugin()]) as shop,
        ):
            service_one.create_job_worker(WorkerConfig(job_type="charge", job_timeout_milliseconds=10_000), charge)
            service_two.include_router(shipping)
            with tracer.start_as_current_span("place order"):
                await shop.create_process_instance(data={"processDefinitionId": "order", "variables": {"amount": 7}})
            await wait_until(lambda: len(traces.named("process ship")) == 1, what="the second job's span")
            await service_one.stop_workers(grace=1)
            await service_two.stop_workers(grace=1)

    run(main())
    assert shipped == ["shipped 7"]
    activation = [r.json for r in camunda_cluster.requests if r.operation == "activateJobs"]
    assert any(body.get("fetchVariable") == ["charged", TRACE_CONTEXT_VARIABLE] for body in activation)

    place_order = traces.one("place order")
    create = traces.one(CREATE)
    charge_job = traces.one("process charge")
    ship_job = traces.one("process ship")
    completions = traces.named("POST /v2/jobs/{jobKey}/completion")
    charge_done = next(s for s in completions if parent_id(s) == span_id(charge_job))
    ship_done = next(s for s in completions if parent_id(s) == span_id(ship_job))

    # One trace: the order, its creation, both jobs, their calls and completions.
    instance_spans = [place_order, create, charge_job, charge_done, ship_job, ship_done]
    assert {trace_id(s) for s in instance_spans} == {trace_id(place_order)}
    in_trace = [s for s in traces.spans if trace_id(s) == trace_id(place_order)]
    assert sorted(s.name for s in in_trace) == sorted(
        [
            "place order",
            CREATE,
            "process charge",
            "GET /v2/topology",
            "POST /v2/jobs/{jobKey}/completion",
            "process ship",
            "POST /v2/jobs/{jobKey}/completion",
        ]
    )
    # Nested as the instance ran: order -> create -> job 1 -> its completion -> job 2 -> its completion.
    assert parent_id(create) == span_id(place_order)
    assert parent_id(charge_job) == span_id(create)
    assert sorted(s.name for s in children(in_trace, charge_job)) == [
        "GET /v2/topology",
        "POST /v2/jobs/{jobKey}/completion",
    ]
    assert parent_id(ship_job) == span_id(charge_done)
    assert [s.name for s in children(in_trace, ship_job)] == ["POST /v2/jobs/{jobKey}/completion"]
    # The polls are not part of it: each is a trace of its own.
    polls = traces.named("POST /v2/jobs/activation")
    assert polls and all(trace_id(p) != trace_id(place_order) for p in polls)


@pytest.mark.parametrize(
    ("kind", "carried"), [("BPMN_ELEMENT", True), ("TASK_LISTENER", False), (None, False)]
)
def test_a_completion_carries_it_only_for_a_job_kind_that_may_set_variables(kind: str | None, carried: bool) -> None:
    import httpx
    from opentelemetry import context as otel_context

    from camunda_core.api import operations
    from camunda_core.config import resolve_config
    from camunda_core.runtime.outgoing import OutgoingRequest
    from camunda_otel import tracing as tracing_module

    traces = Traces()
    plugin = traces.plugin(propagate_variables=True)
    base = httpx.URL("http://127.0.0.1:1/v2")
    request = OutgoingRequest(
        operation=operations.complete_job,
        request=httpx.Request("POST", "http://127.0.0.1:1/v2/jobs/1/completion"),
        base_url=base,
        config=resolve_config({"CAMUNDA_REST_ADDRESS": str(base)}, environ={}),
        json_body={"variables": {"a": 1}},
    )
    # A worker's completion runs in its job's context, which names the job's kind.
    job_kind_key = tracing_module._JOB_KIND  # pyright: ignore[reportPrivateUsage]
    token = otel_context.attach(otel_context.set_value(job_kind_key, kind)) if kind is not None else None
    try:
        plugin.camunda_edit_request(request)
    finally:
        if token is not None:
            otel_context.detach(token)
    assert "traceparent" in request.headers  # the header is always sent
    assert (TRACE_CONTEXT_VARIABLE in request.json_body["variables"]) is carried
