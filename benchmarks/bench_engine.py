"""The test kit's engine at scale: an order process run to completion by real job workers.

    uv run python benchmarks/bench_engine.py [--instances 1000] [--quick]

The process has 10 elements: start, service task ``validate``, an exclusive gateway
(``amount > 100`` goes through service task ``review``, half the instances), a merging
exclusive gateway, a parallel fork into service task ``ship`` and a message catch
(``bench-paid``, correlation key ``=orderId``), the parallel join and the end. So each
instance takes 2.5 jobs and one message on average.

Three figures, from one run:

* **through the SDK** (instances/s): ``camunda_testkit`` in its own process (as a real
  server would be; ``python -m camunda_testkit``); the SDK's async client runs one
  ``JobRouter`` with the three tasks (32 slots each), creates the instances through
  ``create_process_instance`` (32 at a time) while the workers run, and the ``ship``
  handler publishes the ``bench-paid`` message through ``job.client.publish_message``
  (with a time to live, as a real worker would) before completing. Timed from the first
  creation until the cluster reports every instance COMPLETED (a search polled every
  20 ms). The cluster process's CPU time (``/proc/<pid>/stat``, all its threads: HTTP
  server and engine) is read before and after, so its share of the wall time is printed.
* **floor**: the raw activate/complete loop of ``bench_workers.py`` (plain httpx, 32 slots)
  on a one-task process, in the same cluster process, rounds alternating with the figure
  above; its jobs/s divided by 2.5 jobs per instance. The floor sends no creations and no
  messages, so it is the cost of the jobs alone: an upper bound, not a like-for-like pair.
* **engine alone** (instances/s): the same workload on ``camunda_testkit.engine.Engine``
  driven directly, no HTTP (deploy, ``create_instance``, ``activate`` / ``complete_job`` in
  batches, ``publish_message`` before completing each ``ship`` job). Its CPU time per
  instance, times the SDK run's instances/s, is the engine's own share of that run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from camunda_orchestration_sdk.models import MessagePublicationRequest
from camunda_workers import JobContext, JobRouter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_workers import _BPMN as RAW_BPMN
from bench_workers import _create_instances, _raw_loop
from fake_server import cluster_process, deploy, process_cpu_seconds

__all__ = ["ORDER_BPMN", "JOBS_PER_INSTANCE", "engine_only", "run"]

SLOTS = 32
#: validate + ship for every instance, review for half of them.
JOBS_PER_INSTANCE = 2.5
ORDER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench-orders"
                  targetNamespace="http://example.com">
  <bpmn:message id="paid-msg" name="bench-paid">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="bench-order" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="validate">
      <bpmn:extensionElements><zeebe:taskDefinition type="bench-validate"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="big" default="small"/>
    <bpmn:serviceTask id="review">
      <bpmn:extensionElements><zeebe:taskDefinition type="bench-review"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="merge"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:serviceTask id="ship">
      <bpmn:extensionElements><zeebe:taskDefinition type="bench-ship"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="paid">
      <bpmn:messageEventDefinition messageRef="paid-msg"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:parallelGateway id="join"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="validate"/>
    <bpmn:sequenceFlow id="f2" sourceRef="validate" targetRef="big"/>
    <bpmn:sequenceFlow id="large" sourceRef="big" targetRef="review">
      <bpmn:conditionExpression>=amount &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="big" targetRef="merge"/>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="merge"/>
    <bpmn:sequenceFlow id="f4" sourceRef="merge" targetRef="fork"/>
    <bpmn:sequenceFlow id="f5" sourceRef="fork" targetRef="ship"/>
    <bpmn:sequenceFlow id="f6" sourceRef="fork" targetRef="paid"/>
    <bpmn:sequenceFlow id="f7" sourceRef="ship" targetRef="join"/>
    <bpmn:sequenceFlow id="f8" sourceRef="paid" targetRef="join"/>
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
PAID_TTL_MS = 60_000


def _variables(index: int, run: int) -> dict[str, Any]:
    return {"orderId": f"r{run}-o{index}", "amount": 150 if index % 2 else 50}


# -- the engine alone ------------------------------------------------------------------


def engine_only(instances: int) -> dict[str, float]:
    """Run the workload on ``Engine`` directly; instances/s and CPU µs per instance."""
    from camunda_testkit.engine import DEFAULT_TENANT, ActivationRequest, Engine

    engine = Engine()
    engine.deploy([("order.bpmn", ORDER_BPMN.encode())], DEFAULT_TENANT)
    requests = {
        job_type: ActivationRequest(job_type, SLOTS, 60_000, "bench", None, None, -1)
        for job_type in ("bench-validate", "bench-review", "bench-ship")
    }
    cpu = time.process_time()
    started = time.perf_counter()
    definition = engine.find_definition("bench-order", -1, DEFAULT_TENANT)
    keys = [
        engine.create_instance(definition, _variables(i, 0), DEFAULT_TENANT, [], None).key
        for i in range(instances)
    ]
    jobs = 0
    while True:
        progressed = False
        for job_type, request in requests.items():
            for job in engine.activate(request):
                progressed = True
                jobs += 1
                if job_type == "bench-ship":
                    engine.publish_message(
                        "bench-paid", job["variables"]["orderId"], {}, DEFAULT_TENANT, PAID_TTL_MS, None,
                        require_correlation=False,
                    )  # fmt: skip
                engine.complete_job(job["jobKey"], {"ok": True})
        if not progressed:
            break
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    unfinished = [key for key in keys if engine.get_instance(key).state != "COMPLETED"]
    assert not unfinished, f"{len(unfinished)} instances did not complete, e.g. {unfinished[0]}"
    assert jobs == instances * JOBS_PER_INSTANCE, jobs
    return {"instances_per_second": instances / elapsed, "cpu_us_per_instance": cpu / instances * 1e6}


# -- through the SDK -------------------------------------------------------------------


def _router() -> JobRouter:
    router = JobRouter(
        timeout=timedelta(seconds=60), request_timeout=timedelta(milliseconds=500), max_concurrent_jobs=SLOTS
    )

    @router.task("bench-validate")
    async def validate(job: JobContext) -> dict[str, Any]:
        return {"valid": True}

    @router.task("bench-review")
    async def review(job: JobContext) -> dict[str, Any]:
        return {"approved": True}

    @router.task("bench-ship")
    async def ship(job: JobContext) -> dict[str, Any]:
        await job.client.publish_message(
            data=MessagePublicationRequest(
                name="bench-paid", correlation_key=job.variables["orderId"], time_to_live=PAID_TTL_MS
            )
        )
        return {"shipped": True}

    return router


async def _completed(http: httpx.AsyncClient) -> int:
    response = await http.post(
        "/process-instances/search",
        json={"filter": {"processDefinitionId": "bench-order", "state": "COMPLETED"}, "page": {"limit": 1}},
    )
    response.raise_for_status()
    return int(response.json()["page"]["totalItems"])


async def _through_sdk(address: str, pid: int, instances: int, run: int) -> dict[str, float]:
    from camunda_orchestration_sdk import CamundaAsyncClient
    from camunda_orchestration_sdk.models import ProcessCreationById

    configuration = {"CAMUNDA_REST_ADDRESS": address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
    async with (
        CamundaAsyncClient(configuration=configuration) as client,
        httpx.AsyncClient(transport=AiohttpTransport(), base_url=address, timeout=30.0) as http,
    ):
        before = await _completed(http)
        semaphore = asyncio.Semaphore(SLOTS)

        async def create(index: int) -> None:
            async with semaphore:
                await client.create_process_instance(
                    data=ProcessCreationById(process_definition_id="bench-order", variables=_variables(index, run))  # type: ignore[arg-type]
                )

        server_cpu = process_cpu_seconds(pid)
        started = time.perf_counter()
        client.include_router(_router())
        creating = asyncio.gather(*(create(i) for i in range(instances)))
        while await _completed(http) - before < instances:
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        server_cpu = process_cpu_seconds(pid) - server_cpu
        await creating
        report = await client.stop_workers(grace=1.0)
        assert report.failed == 0, report
        return {"instances_per_second": instances / elapsed, "server_cpu_share": server_cpu / elapsed}


def run(instances: int = 1000, quick: bool = False, rounds: int = 3) -> dict[str, Any]:
    """Measure the three figures (medians of ``rounds`` alternating rounds)."""
    if quick:
        instances, rounds = min(instances, 300), 1
    sdk: list[dict[str, float]] = []
    raw: list[float] = []
    engine: list[dict[str, float]] = []
    raw_jobs = round(instances * JOBS_PER_INSTANCE)
    with cluster_process() as (address, pid):
        deploy(address, "bench.bpmn", RAW_BPMN)
        deploy(address, "order.bpmn", ORDER_BPMN)
        for index in range(rounds):
            sdk.append(asyncio.run(_through_sdk(address, pid, instances, index)))
            asyncio.run(_create_instances(address, raw_jobs))
            raw.append(raw_jobs / asyncio.run(_raw_loop(address, raw_jobs)))
            # The engine alone, in this process while the cluster idles.
            engine.append(engine_only(instances))
    sdk_rate = statistics.median(s["instances_per_second"] for s in sdk)
    engine_cpu_us = statistics.median(e["cpu_us_per_instance"] for e in engine)
    return {
        "instances": instances,
        "rounds": rounds,
        "sdk_instances_per_second": sdk_rate,
        "server_cpu_share": statistics.median(s["server_cpu_share"] for s in sdk),
        "engine_share": engine_cpu_us * sdk_rate / 1e6,
        "raw_jobs_per_second": statistics.median(raw),
        "floor_instances_per_second": statistics.median(raw) / JOBS_PER_INSTANCE,
        "engine_instances_per_second": statistics.median(e["instances_per_second"] for e in engine),
        "engine_cpu_us_per_instance": engine_cpu_us,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="300 instances, one round")
    args = parser.parse_args()
    r = run(instances=args.instances, quick=args.quick)
    print(
        f"{r['instances']} instances through SDK workers: {r['sdk_instances_per_second']:.0f} inst/s"
        f"  (cluster process CPU {r['server_cpu_share']:.0%} of wall time, engine's own {r['engine_share']:.0%})\n"
        f"floor: raw activate/complete loop {r['raw_jobs_per_second']:.0f} jobs/s"
        f" = {r['floor_instances_per_second']:.0f} inst/s at {JOBS_PER_INSTANCE} jobs/instance\n"
        f"engine alone (no HTTP): {r['engine_instances_per_second']:.0f} inst/s,"
        f" {r['engine_cpu_us_per_instance']:.0f} µs CPU/instance"
    )


if __name__ == "__main__":
    main()
