"""The testing API: assertions that wait and explain, mocked job workers, run_until_idle."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from camunda_testkit import FakeCluster
from camunda_testkit.testing import (
    BpmnError,
    JobFailure,
    MockJob,
    assert_process_instance,
    assert_process_instance_async,
    default_within,
    set_default_within,
)

from .conftest import TWO_TASK_BPMN

SHORT = timedelta(milliseconds=200)

ERROR_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:error id="declined" errorCode="DECLINED"/>
  <bpmn:process id="pay" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="charge">
      <bpmn:extensionElements><zeebe:taskDefinition type="charge-card"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="on-declined" attachedToRef="charge">
      <bpmn:errorEventDefinition errorRef="declined"/>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="paid"/>
    <bpmn:endEvent id="not-paid"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge"/>
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="paid"/>
    <bpmn:sequenceFlow id="f3" sourceRef="on-declined" targetRef="not-paid"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def cluster() -> Iterator[FakeCluster]:
    with FakeCluster() as running:
        yield running


def test_mocked_workers_complete_and_the_assertions_pass(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)
    charge = cluster.mock_job_worker("charge").complete({"paid": True})
    ship = cluster.mock_job_worker("ship").with_handler(lambda job: {"parcel": job.variables["orderId"]})
    instance = cluster.create_process_instance("order-process", {"orderId": "A-1"})
    result = (
        assert_process_instance(cluster, instance)
        .is_completed()
        .has_passed("start", "charge-card", "ship-parcel", "end")
        .has_variables({"paid": True, "parcel": "A-1"})
        .has_no_incidents()
    )
    assert result is not None
    [seen] = charge.jobs
    assert isinstance(seen, MockJob)
    assert (seen.element_id, seen.job_type, dict(seen.custom_headers)) == ("charge-card", "charge", {"currency": "EUR"})
    assert seen.variables == {"orderId": "A-1"} and seen.process_instance_key == instance.process_instance_key
    assert len(ship.jobs) == 1
    # Real workers see nothing of mocked types.
    assert cluster.jobs(state="ACTIVATABLE") == []


def test_the_failure_message_shows_path_waiting_variables_and_incidents(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)
    cluster.mock_job_worker("charge").complete({"paid": True})
    cluster.mock_job_worker("ship").fail("no courier", retries=0)
    instance = cluster.create_process_instance("order-process", {"orderId": "A-1"})
    with pytest.raises(AssertionError) as caught:
        assert_process_instance(cluster, instance).is_completed(within=SHORT)
    message = str(caught.value)
    assert f"process instance {instance.process_instance_key} (order-process): expected it to be COMPLETED" in message
    assert "but it is ACTIVE" in message
    assert "path:       start -> charge-card -> ship-parcel (ACTIVE)" in message
    assert "waiting at: ship-parcel" in message
    assert '"orderId": "A-1"' in message and '"paid": true' in message
    assert "ship-parcel JOB_NO_RETRIES: no courier" in message
    assert_process_instance(cluster, instance).has_incident("ship-parcel").is_waiting_at("ship-parcel")
    with pytest.raises(AssertionError, match="it has not passed ship-parcel"):
        assert_process_instance(cluster, instance).has_passed("ship-parcel", within=SHORT)
    with pytest.raises(AssertionError, match="it has passed charge-card"):
        assert_process_instance(cluster, instance).has_not_passed("charge-card")
    with pytest.raises(AssertionError, match=r"it has paid=true"):
        assert_process_instance(cluster, instance).has_variables({"paid": False}, within=SHORT)
    with pytest.raises(AssertionError, match="it has 1 active incident"):
        assert_process_instance(cluster, instance).has_no_incidents(within=SHORT)


def test_a_final_state_fails_at_once_and_an_unknown_key_waits(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)
    instance = cluster.create_process_instance("order-process")
    _cancel(cluster, instance.process_instance_key)
    started = time.monotonic()
    with pytest.raises(AssertionError, match="but it is TERMINATED"):
        assert_process_instance(cluster, instance).is_completed(within=timedelta(seconds=5))
    assert time.monotonic() - started < 1
    assert_process_instance(cluster, instance).is_terminated()
    with pytest.raises(AssertionError, match="there is no such process instance"):
        assert_process_instance(cluster, "123").is_active(within=SHORT)


def _cancel(cluster: FakeCluster, key: str) -> None:
    import httpx

    assert httpx.post(f"{cluster.rest_address}/process-instances/{key}/cancellation").status_code == 204


def test_assertions_wait_for_work_done_later(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)
    instance = cluster.create_process_instance("order-process")
    cluster.mock_job_worker("ship").complete()
    worker = cluster.mock_job_worker("charge")
    timer = threading.Timer(0.2, lambda: worker.complete())
    timer.start()
    try:
        assert_process_instance(cluster, instance).is_waiting_at("charge-card").is_completed(within=timedelta(seconds=5))
    finally:
        timer.cancel()


def test_default_within_is_configurable(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)
    instance = cluster.create_process_instance("order-process")
    before = default_within()
    set_default_within(timedelta(milliseconds=50))
    try:
        started = time.monotonic()
        with pytest.raises(AssertionError, match=r"waited 0\.0"):
            assert_process_instance(cluster, instance).is_completed()
        assert time.monotonic() - started < 1
    finally:
        set_default_within(before)


def test_throw_error_and_handlers_raising(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(ERROR_BPMN)
    cluster.mock_job_worker("charge-card").throw_error("DECLINED", message="card declined")
    first = cluster.create_process_instance("pay")
    assert_process_instance(cluster, first).is_completed().has_passed("on-declined", "not-paid").has_not_passed("paid")

    def handler(job: MockJob) -> dict[str, object]:
        if job.variables["amount"] > 100:
            raise BpmnError("DECLINED", "too much")
        if job.variables["amount"] < 0:
            raise JobFailure("negative amount", retries=0)
        if job.variables["amount"] == 0:
            raise ValueError("zero")
        return {"charged": job.variables["amount"]}

    worker = cluster.mock_job_worker("charge-card").with_handler(handler)
    big = cluster.create_process_instance("pay", {"amount": 500})
    small = cluster.create_process_instance("pay", {"amount": 5})
    negative = cluster.create_process_instance("pay", {"amount": -1})
    zero = cluster.create_process_instance("pay", {"amount": 0})
    assert_process_instance(cluster, big).is_completed().has_passed("not-paid")
    assert_process_instance(cluster, small).is_completed().has_passed("paid").has_variables({"charged": 5})
    assert_process_instance(cluster, negative).has_incident("charge")
    # An unexpected exception fails with one retry less: 3 attempts, then an incident.
    assert_process_instance(cluster, zero).has_incident("charge")
    assert [type(e) for e in worker.errors] == [ValueError] * 3
    assert len([j for j in worker.jobs if j.process_instance_key == zero.process_instance_key]) == 3
    assert "ValueError: zero" in cluster.incidents(zero.process_instance_key)[0]["errorMessage"]


def test_fail_decrements_retries_then_incident(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)
    worker = cluster.mock_job_worker("charge").fail("down")
    instance = cluster.create_process_instance("order-process")
    cluster.run_until_idle()
    assert [j.retries for j in worker.jobs] == [3, 2, 1]
    assert_process_instance(cluster, instance).has_incident("charge-card")


def test_run_until_idle(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)
    cluster.mock_job_worker("charge").complete()
    for _ in range(20):
        cluster.create_process_instance("order-process")
    cluster.run_until_idle(timeout=5)
    # Jobs for real workers do not count unless asked to.
    assert len(cluster.jobs(state="ACTIVATABLE", job_type="ship")) == 20
    assert len(cluster.jobs(state="COMPLETED", job_type="charge")) == 20
    with pytest.raises(TimeoutError, match=r"still busy after 0\.1 s: job \d+ \(ship, ACTIVATABLE, ship-parcel\)"):
        cluster.run_until_idle(timeout=0.1, include_jobs=True)
    cluster.mock_job_worker("ship").complete()
    cluster.run_until_idle(timeout=5, include_jobs=True)
    assert len(cluster.instances(state="COMPLETED")) == 20


def test_async_assertions_and_run_until_idle(cluster: FakeCluster) -> None:
    cluster.deploy_bpmn(TWO_TASK_BPMN)

    async def scenario() -> None:
        cluster.mock_job_worker("charge").complete({"paid": True})
        instance = cluster.create_process_instance("order-process")
        await cluster.arun_until_idle(timeout=5)
        await assert_process_instance_async(cluster, instance).has_passed("charge-card").is_waiting_at("ship-parcel")
        # The loop keeps running while an assertion waits.
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        asyncio.get_running_loop().call_later(0.2, lambda: cluster.mock_job_worker("ship").complete())
        await assert_process_instance_async(cluster, instance).is_completed().has_variables({"paid": True})
        ticker.cancel()
        assert ticks >= 5
        with pytest.raises(AssertionError, match="expected it to be TERMINATED, but it is COMPLETED"):
            await assert_process_instance_async(cluster, instance).is_terminated(within=SHORT)

    asyncio.run(scenario())


def test_an_async_chain_never_awaited_warns(cluster: FakeCluster) -> None:
    with pytest.warns(RuntimeWarning, match="never awaited"):
        chain = assert_process_instance_async(cluster, "1").is_completed()
        del chain
        import gc

        gc.collect()


def test_the_sdk_client_fixtures(camunda_cluster: FakeCluster, camunda_client: object,
                                 camunda_async_client: object) -> None:  # fmt: skip
    assert camunda_client.get_topology().brokers  # type: ignore[attr-defined]

    async def main() -> None:
        async with camunda_async_client:  # type: ignore[attr-defined]
            topology = await camunda_async_client.get_topology()  # type: ignore[attr-defined]
            assert topology.brokers

    asyncio.run(main())
