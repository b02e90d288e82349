"""JobRouter against the fake cluster: injection, results, middleware, exception handlers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
from worker_testing import bpmn, make_client, run, wait_until

from camunda_core.client import CamundaAsyncClient, CamundaClient
from camunda_testkit import FakeCluster
from camunda_workers import Fail, JobContext, JobRouter, ThreadJobContext, ThrowError


@attrs.define
class Charged:
    payment_id: str
    amount: Decimal


class Declined(Exception):
    pass


def _jobs(cluster: FakeCluster, state: str) -> list[Any]:
    return cluster.jobs(state=state)


def test_router_tasks_run_with_injected_variables_and_middleware(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "billing-charge", "ship", "audit"))
    cluster.create_process_instance("p", {"order_id": "A-1", "amount": 12.5})
    seen: list[str] = []
    clients: list[str] = []

    root = JobRouter(timeout=timedelta(seconds=10), request_timeout=timedelta(milliseconds=200))
    billing = JobRouter(max_concurrent_jobs=4)

    @root.before
    def trace(job: JobContext[Any]) -> None:
        seen.append(f"before {job.type}")

    @billing.after
    async def audit(job: JobContext[Any], result: Any) -> None:
        seen.append(f"after {job.type} {type(result).__name__}")

    @billing.task("charge")
    async def charge(order_id: str, amount: Decimal, job: JobContext) -> Charged:
        clients.append(type(job.client).__name__)
        assert isinstance(job.client, CamundaAsyncClient)
        return Charged(payment_id=f"pay-{order_id}", amount=amount)

    @root.task("ship", variable_name="tracking")
    def ship(order_id: str, job: ThreadJobContext, carrier: str = "DHL") -> str:
        assert isinstance(job.client, CamundaClient)
        return f"{carrier}-{order_id}"

    @root.task("audit")
    async def check(payment_id: str, tracking: str, amount: float) -> None:
        assert payment_id == "pay-A-1" and tracking == "DHL-A-1" and amount == 12.5

    root.include_router(billing, prefix="billing-")

    async def main() -> None:
        async with make_client(cluster.rest_address) as client:
            workers = client.include_router(root)
            assert sorted(w.job_type for w in workers) == ["audit", "billing-charge", "ship"]
            await wait_until(lambda: len(cluster.instances(state="COMPLETED")) == 1)
            await client.stop_workers(grace=1)

    run(main())
    (instance,) = cluster.instances(state="COMPLETED")
    assert instance.variables["payment_id"] == "pay-A-1"
    assert instance.variables["amount"] == 12.5  # Decimal sent back as a JSON number
    assert instance.variables["tracking"] == "DHL-A-1"
    assert seen == ["before billing-charge", "after billing-charge Charged", "before ship", "before audit"]
    assert clients == ["CamundaAsyncClient"]


def test_missing_and_unconvertible_variables_fail_the_job_naming_them(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p", "needs-amount", retries=1))
    cluster.create_process_instance("p", {"order_id": "A"})
    cluster.create_process_instance("p", {"order_id": "B", "amount": "lots"})
    router = JobRouter(timeout=timedelta(seconds=10), request_timeout=timedelta(milliseconds=200))

    @router.task("needs-amount")
    async def needs(order_id: str, amount: Decimal) -> None: ...

    async def main() -> None:
        async with make_client(cluster.rest_address) as client:
            client.include_router(router)
            await wait_until(lambda: len(_jobs(cluster, "FAILED")) == 2)
            await client.stop_workers(grace=1)

    run(main())
    messages = sorted(job.error_message for job in _jobs(cluster, "FAILED"))
    assert "missing required variable 'amount'" in messages[0]
    assert "variable 'amount' does not convert to Decimal" in messages[1]
    assert "lots" not in messages[1]  # values are never echoed


def test_exception_handlers_nearest_wins_then_the_client(camunda_cluster: FakeCluster) -> None:
    cluster = camunda_cluster
    cluster.deploy_bpmn(bpmn("p1", "inner-pay"))
    cluster.deploy_bpmn(bpmn("p2", "outer", retries=3))
    cluster.deploy_bpmn(bpmn("p3", "client-level"))
    cluster.create_process_instance("p1", {})
    cluster.create_process_instance("p2", {})
    cluster.create_process_instance("p3", {})
    outer = JobRouter(timeout=timedelta(seconds=10), request_timeout=timedelta(milliseconds=200))
    inner = JobRouter()

    @outer.exception_handler(Declined)
    def outer_declined(job: JobContext[Any], error: Declined) -> Fail:
        return Fail(message=f"outer: {error}", retries=0, retry_back_off_ms=0)

    @inner.exception_handler(Declined)
    async def inner_declined(job: JobContext[Any], error: Declined) -> ThrowError:
        return ThrowError(code="DECLINED", message=str(error))

    @inner.task("pay")
    async def pay() -> None:
        raise Declined("card declined")

    @outer.task("outer")
    def outer_task() -> None:
        raise Declined("no funds")

    @outer.task("client-level")
    async def client_level() -> None:
        raise KeyError("x")

    outer.include_router(inner, prefix="inner-")

    async def main() -> None:
        async with make_client(cluster.rest_address) as client:

            @client.exception_handler(LookupError)
            def lookup(job: JobContext[Any], error: LookupError) -> dict[str, Any] | None:
                return None  # not handled: the job fails as usual

            @client.exception_handler(KeyError)
            def missing(job: JobContext[Any], error: KeyError) -> Any:
                from camunda_workers import Complete

                return Complete(variables={"recovered": True})

            client.include_router(outer)
            await wait_until(
                lambda: len(_jobs(cluster, "ERROR_THROWN")) == 1
                and len(_jobs(cluster, "FAILED")) == 1
                and len(_jobs(cluster, "COMPLETED")) == 1
            )
            await client.stop_workers(grace=1)

    run(main())
    (thrown,) = _jobs(cluster, "ERROR_THROWN")
    assert thrown.job_type == "inner-pay" and thrown.error_code == "DECLINED"
    (failed,) = _jobs(cluster, "FAILED")
    assert failed.job_type == "outer" and failed.error_message == "outer: no funds"
    (done,) = _jobs(cluster, "COMPLETED")
    assert done.job_type == "client-level" and done.completion_variables == {"recovered": True}


def test_a_bad_router_creates_no_worker(camunda_cluster: FakeCluster) -> None:
    router = JobRouter(execution_strategy="async")

    @router.task("x", timeout=timedelta(seconds=1))
    async def ok() -> None: ...

    @router.task("y")  # no timeout anywhere: resolution fails
    async def no_timeout() -> None: ...

    async def main() -> None:
        async with make_client(camunda_cluster.rest_address) as client:
            try:
                client.include_router(router)
            except Exception as exc:
                assert "job_timeout_milliseconds" in str(exc)
            else:
                raise AssertionError("expected a ValidationError")
            assert client.job_workers == ()

    run(main())
