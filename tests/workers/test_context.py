"""Typed variables, user task listener completion, job.client, the job logger, the context's data."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import attrs
from worker_testing import bpmn, make_client, run, run_worker_until, wait_until

from camunda_core.logging import NullLogger
from camunda_testkit import FakeCluster
from camunda_workers import JobContext, WorkerConfig


@attrs.define
class Address:
    city: str


@attrs.define
class Order:
    order_id: str
    amount: float
    address: Address | None = None


@dataclasses.dataclass
class Receipt:
    order_id: str
    charged: float


def cfg(**kwargs: Any) -> WorkerConfig:
    base: dict[str, Any] = {"job_type": "work", "job_timeout_milliseconds": 10_000, "request_timeout_milliseconds": 200}
    base.update(kwargs)
    return WorkerConfig(**base)


def done(cluster: FakeCluster, state: str, count: int = 1) -> bool:
    return len(cluster.jobs(state=state)) >= count


def test_typed_variables_in_and_out(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "work"))
    cluster.create_process_instance("p", {"order_id": "A-1", "amount": 12, "address": {"city": "Berlin"}, "secret": "x"})

    async def handler(job: JobContext) -> Receipt:
        order = job.variables_as(Order)
        assert job.typed_variables is order
        assert order.address == Address(city="Berlin")
        assert "secret" not in job.variables  # only the class's fields were fetched
        return Receipt(order_id=order.order_id, charged=order.amount * 2)

    report = run(run_worker_until(cluster, cfg(variables_type=Order), handler, lambda: done(cluster, "COMPLETED")))
    assert report.completed == 1
    [job] = cluster.jobs()
    assert dict(job.completion_variables or {}) == {"order_id": "A-1", "charged": 24}
    [activation] = [r.json for r in cluster.requests if r.operation == "activateJobs"][:1]
    assert activation["fetchVariable"] == ["order_id", "amount", "address"]


def test_invalid_typed_variables_fail_the_job_before_the_handler(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "work", retries=2))
    cluster.create_process_instance("p", {"order_id": 5})
    called: list[bool] = []

    def handler(job: JobContext) -> None:
        called.append(True)

    run(run_worker_until(cluster, cfg(variables_type=Order, retry_back_off_milliseconds=60_000), handler, lambda: done(cluster, "BACKOFF")))
    assert called == []
    [job] = cluster.jobs()
    assert job.retries == 1
    assert "missing required variable(s): amount" in (job.error_message or "")
    [body] = [r.json for r in cluster.requests if r.operation == "failJob"]
    assert body["retries"] == 1 and body["retryBackOff"] == 60_000


def test_user_task_listener_completion_with_corrections(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "listener"))
    cluster.create_process_instance("p")
    cluster.create_process_instance("p")

    async def handler(job: JobContext) -> None:
        if job.process_instance_key == first:
            await job.complete_user_task_listener(corrections={"assignee": "anna", "priority": 80})
        else:
            await job.complete_user_task_listener(denied=True, denied_reason="not allowed")

    first = cluster.instances()[0].process_instance_key
    report = run(run_worker_until(cluster, cfg(job_type="listener"), handler, lambda: done(cluster, "COMPLETED", 2)))
    assert report.completed == 2
    results = sorted(
        (r.json["result"] for r in cluster.requests if r.operation == "completeJob"), key=lambda result: result["denied"]
    )
    assert results == [
        {"type": "userTask", "denied": False, "corrections": {"assignee": "anna", "priority": 80}},
        {"type": "userTask", "denied": True, "deniedReason": "not allowed"},
    ]


def test_job_client_from_async_and_thread_handlers(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "a", "b"))
    cluster.create_process_instance("p")
    seen: dict[str, Any] = {}

    async def async_handler(job: JobContext) -> None:
        topology = await job.client.get_topology()
        seen["async"] = (type(job.client).__name__, topology is not None)

    def thread_handler(job: JobContext) -> None:
        topology = job.client.get_topology()
        seen["thread"] = (type(job.client).__name__, topology is not None)
        assert job.client is client.runtime.blocking_client()  # same configuration, plugins and auth
        assert job.client.runtime.budget is client.runtime.budget

    async def main() -> None:
        nonlocal client
        async with make_client(cluster.rest_address) as client:
            client.create_job_worker(cfg(job_type="a"), async_handler)
            client.create_job_worker(cfg(job_type="b"), thread_handler)
            await wait_until(lambda: done(cluster, "COMPLETED", 2))
            await client.stop_workers(grace=0.5)

    client: Any = None
    run(main())
    assert seen == {"async": ("CamundaAsyncClient", True), "thread": ("CamundaClient", True)}


def test_context_data_logger_and_pickling(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "work", headers={"region": "eu"}))
    instance = cluster.create_process_instance("p", {"n": 1})
    captured: list[JobContext] = []
    messages: list[str] = []

    class ListLogger:
        def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
            messages.append(msg)

        info = warning = error = debug

    async def handler(job: JobContext) -> None:
        job.log.info("hello from the handler")
        captured.append(job)

    async def main() -> None:
        async with make_client(cluster.rest_address, ListLogger(), CAMUNDA_SDK_LOG_LEVEL="info") as client:
            client.create_job_worker(cfg(worker_name="w1"), handler)
            await wait_until(lambda: done(cluster, "COMPLETED"))
            await client.stop_workers(grace=0.5)

    run(main())
    [job] = captured
    assert job.process_instance_key == instance.process_instance_key
    assert job.custom_headers == {"region": "eu"} and job.retries == 3 and job.type == "work"
    assert job.worker == "w1" and job.element_id == "task_0" and isinstance(job.deadline, int)
    assert job.variables.to_dict() == {"n": 1} and job.variables["n"] == 1
    assert any("job_type=work" in m and "worker=w1" in m and f"job_key={job.job_key}" in m and "hello" in m for m in messages)
    copy = pickle.loads(pickle.dumps(job))
    assert copy.job_key == job.job_key and copy.client is None and isinstance(copy.log, NullLogger)
    assert copy.decision is not None  # the completion travelled with it
