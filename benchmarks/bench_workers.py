"""Job worker throughput against the fake cluster, beside a raw activate/complete floor.

    uv run python benchmarks/bench_workers.py [--jobs 5000] [--quick]

Five figures from ONE run: a raw loop (plain httpx over AiohttpTransport,
32 slots, batched activation) as the floor, the SDK worker with a trivial async
handler (32 slots) and with a trivial sync handler (thread strategy, 32 slots),
each both through ``create_job_worker`` and as a ``JobRouter`` task.
Each SDK figure is printed next to the floor with its ratio (goal >= 0.8x).
The fake cluster runs in its own process (as a real server would). The
loops take turns for several rounds on fresh jobs, and each figure is the
median of its rounds, so machine noise falls on all of them alike.
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

from camunda_core.client import CamundaAsyncClient as _CoreAsyncClient
from camunda_workers import JobContext, JobRouter, JobWorkerHost, ThreadJobContext, WorkerConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_server import deploy, fake_cluster_process

__all__ = ["run", "run_heartbeat"]

SLOTS = 32
_BPMN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://example.com">'
    '<bpmn:process id="bench" isExecutable="true"><bpmn:startEvent id="s"/>'
    '<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="bench"/>'
    "</bpmn:extensionElements></bpmn:serviceTask><bpmn:endEvent id=\"e\"/></bpmn:process></bpmn:definitions>"
)


class _Client(JobWorkerHost, _CoreAsyncClient):
    pass


async def _raw_loop(rest_address: str, jobs: int) -> float:
    limits = httpx.Limits(max_connections=SLOTS + 4, max_keepalive_connections=SLOTS + 4)
    async with httpx.AsyncClient(transport=AiohttpTransport(limits=limits), base_url=rest_address, timeout=30.0) as http:
        done = 0
        in_flight = 0
        capacity = asyncio.Event()
        tasks: set[asyncio.Future[None]] = set()

        async def complete(job_key: str) -> None:
            nonlocal done, in_flight
            response = await http.post(f"/jobs/{job_key}/completion", json={"variables": {"ok": True}})
            response.raise_for_status()
            done += 1
            in_flight -= 1
            capacity.set()

        started = time.perf_counter()
        while done < jobs:
            free = SLOTS - in_flight
            if free <= 0:
                capacity.clear()
                await capacity.wait()
                continue
            response = await http.post(
                "/jobs/activation",
                json={"type": "bench", "worker": "raw", "timeout": 60_000, "maxJobsToActivate": free, "requestTimeout": 500},
            )
            for job in response.json()["jobs"]:
                in_flight += 1
                task = asyncio.ensure_future(complete(job["jobKey"]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        return time.perf_counter() - started


async def _async_handler(job: JobContext) -> dict[str, Any]:
    return {"ok": True}


def _sync_handler(job: JobContext) -> dict[str, Any]:
    return {"ok": True}


def _router(strategy: str) -> JobRouter:
    """The same trivial handlers through the router API (binding, middleware chain, result conversion)."""
    router = JobRouter(
        timeout=timedelta(seconds=60), request_timeout=timedelta(milliseconds=500), max_concurrent_jobs=SLOTS
    )
    if strategy == "async":

        @router.task("bench")
        async def routed_async(job: JobContext) -> dict[str, Any]:
            return {"ok": True}

    else:

        @router.task("bench")
        def routed_sync(job: ThreadJobContext) -> dict[str, Any]:
            return {"ok": True}

    return router


async def _router_worker(rest_address: str, jobs: int, strategy: str) -> float:
    configuration = {"CAMUNDA_REST_ADDRESS": rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
    async with _Client(configuration=configuration, environ={}, load_entry_points=False) as client:
        router = _router(strategy)
        started = time.perf_counter()
        (worker,) = client.include_router(router)
        while worker.report.completed < jobs:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        report = await client.stop_workers(grace=1.0)
        assert report.completed == jobs and report.failed == 0, f"{strategy} router worker: {report}"
        return elapsed


async def _sdk_worker(rest_address: str, jobs: int, handler: Any, strategy: str) -> float:
    configuration = {"CAMUNDA_REST_ADDRESS": rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
    async with _Client(configuration=configuration, environ={}, load_entry_points=False) as client:
        config = WorkerConfig(
            job_type="bench",
            job_timeout_milliseconds=60_000,
            request_timeout_milliseconds=500,
            max_concurrent_jobs=SLOTS,
            execution_strategy=strategy,  # type: ignore[arg-type]
        )
        started = time.perf_counter()
        worker = client.create_job_worker(config, handler)
        while worker.report.completed < jobs:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        report = await client.stop_workers(grace=1.0)
        assert report.completed == jobs and report.failed == 0, f"{strategy} worker: {report}"
        return elapsed


async def _create_instances(rest_address: str, count: int) -> None:
    limits = httpx.Limits(max_connections=SLOTS, max_keepalive_connections=SLOTS)
    async with httpx.AsyncClient(transport=AiohttpTransport(limits=limits), base_url=rest_address, timeout=30.0) as http:
        semaphore = asyncio.Semaphore(SLOTS)

        async def one() -> None:
            async with semaphore:
                response = await http.post("/process-instances", json={"processDefinitionId": "bench"})
                response.raise_for_status()

        await asyncio.gather(*(one() for _ in range(count)))


def _measure(rest_address: str, jobs: int, body: Any) -> float:
    asyncio.run(_create_instances(rest_address, jobs))
    elapsed = asyncio.run(body(rest_address, jobs))
    return jobs / elapsed


def run(jobs: int = 5000, quick: bool = False, rounds: int = 3) -> list[dict[str, Any]]:
    """Measure the five figures; returns one dict per figure (name, jobs_per_second, ratio_to_floor)."""
    if quick:
        jobs, rounds = min(jobs, 1000), 1

    async def raw(address: str, count: int) -> float:
        return await _raw_loop(address, count)

    def sdk(handler: Any, strategy: str) -> Any:
        async def body(address: str, count: int) -> float:
            return await _sdk_worker(address, count, handler, strategy)

        return body

    def routed(strategy: str) -> Any:
        async def body(address: str, count: int) -> float:
            return await _router_worker(address, count, strategy)

        return body

    loops = [
        ("raw activate/complete loop (httpx + aiohttp, 32 slots)", raw),
        ("SDK worker, trivial async handler (32 slots)", sdk(_async_handler, "async")),
        ("SDK worker, trivial sync handler (thread, 32 slots)", sdk(_sync_handler, "thread")),
        ("JobRouter task, trivial async handler (32 slots)", routed("async")),
        ("JobRouter task, trivial sync handler (thread, 32 slots)", routed("thread")),
    ]
    rates: list[list[float]] = [[] for _ in loops]
    with fake_cluster_process() as address:
        deploy(address, "bench.bpmn", _BPMN)
        for _ in range(rounds):
            for index, (_, body) in enumerate(loops):
                rates[index].append(_measure(address, jobs, body))
    medians = [statistics.median(r) for r in rates]
    floor = medians[0]
    return [
        {"name": name, "jobs": jobs, "jobs_per_second": rate, "ratio_to_floor": rate / floor}
        for (name, _), rate in zip(loops, medians, strict=True)
    ]


def _heartbeat_router(heartbeat: bool, handler_seconds: float) -> JobRouter:
    """The JobRouter async task of ``run``, with or without the lease heartbeat.

    With ``handler_seconds == 0`` (the trivial handler) the job timeout is the usual 60 s, so
    the heartbeat (every half timeout) never fires: only its bookkeeping is paid. Otherwise
    the heartbeat run uses a 1 s job timeout extended every ``handler_seconds / 2``, so each
    job sends about two ``PATCH /jobs/{key}``; the run without it gets a 60 s timeout, long
    enough not to need one.
    """
    if handler_seconds and heartbeat:
        timeout, interval = timedelta(seconds=1), timedelta(seconds=handler_seconds / 2)
    else:
        timeout, interval = timedelta(seconds=60), None
    router = JobRouter(
        timeout=timeout,
        request_timeout=timedelta(milliseconds=500),
        max_concurrent_jobs=SLOTS,
        auto_extend_lease=(interval or True) if heartbeat else False,
    )

    if handler_seconds:

        @router.task("bench")
        async def slow(job: JobContext) -> dict[str, Any]:
            await asyncio.sleep(handler_seconds)
            return {"ok": True}

    else:

        @router.task("bench")
        async def trivial(job: JobContext) -> dict[str, Any]:
            return {"ok": True}

    return router


async def _heartbeat_worker(rest_address: str, jobs: int, heartbeat: bool, handler_seconds: float,
                            out: list[tuple[float, float, int]]) -> float:  # fmt: skip
    configuration = {"CAMUNDA_REST_ADDRESS": rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
    async with _Client(configuration=configuration, environ={}, load_entry_points=False) as client:
        router = _heartbeat_router(heartbeat, handler_seconds)
        cpu = time.process_time()
        started = time.perf_counter()
        (worker,) = client.include_router(router)
        while worker.report.completed < jobs:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        extensions = worker.metrics().lease_extensions
        report = await client.stop_workers(grace=1.0)
        assert report.completed == jobs and report.failed == 0, f"heartbeat={heartbeat} worker: {report}"
        out.append((jobs / elapsed, cpu / jobs * 1e6, extensions))
        return elapsed


def run_heartbeat(jobs: int = 5000, quick: bool = False, rounds: int = 5, slow_jobs: int = 1000,
                  handler_seconds: float = 0.2) -> list[dict[str, Any]]:  # fmt: skip
    """The lease heartbeat's cost: the JobRouter async task (32 slots) with ``auto_extend_lease``
    beside the same task without it, rounds alternating (ABBA), medians.

    Two pairs: (a) the trivial handler, ``jobs`` jobs: the heartbeat's bookkeeping (a timer
    armed and cancelled per job; no extension is due); (b) a handler sleeping
    ``handler_seconds`` (2x the extension interval), ``slow_jobs`` jobs: extensions really
    sent, against the same handler with a timeout long enough to need none. Returns one
    dict per pair: jobs/s with and without, client CPU µs per job with and without, and
    lease extensions per job.
    """
    if quick:
        jobs, slow_jobs, rounds = min(jobs, 1000), min(slow_jobs, 320), 2
    pairs = [("trivial async handler", jobs, 0.0), (f"{handler_seconds * 1000:.0f} ms async handler", slow_jobs,
             handler_seconds)]  # fmt: skip
    results: list[dict[str, Any]] = []
    with fake_cluster_process() as address:
        deploy(address, "bench.bpmn", _BPMN)
        for name, count, seconds in pairs:
            samples: dict[bool, list[tuple[float, float, int]]] = {True: [], False: []}
            order = [False, True]
            for _ in range(rounds):
                for heartbeat in order:
                    asyncio.run(_create_instances(address, count))
                    asyncio.run(_heartbeat_worker(address, count, heartbeat, seconds, samples[heartbeat]))
                order.reverse()

            def median(heartbeat: bool, field: int, samples: dict[bool, list[tuple[float, float, int]]] = samples) -> float:
                return statistics.median(sample[field] for sample in samples[heartbeat])

            results.append({
                "name": name, "jobs": count, "rounds": rounds,
                "with": median(True, 0), "without": median(False, 0),
                "cpu_with_us": median(True, 1), "cpu_without_us": median(False, 1),
                "extensions_per_job": median(True, 2) / count,
            })  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="at most 1,000 jobs")
    parser.add_argument("--heartbeat", action="store_true", help="the lease heartbeat's cost instead")
    args = parser.parse_args()
    if args.heartbeat:
        for pair in run_heartbeat(jobs=args.jobs, quick=args.quick):
            print(
                f"{pair['name']:<28} heartbeat {pair['with']:7.0f} jobs/s  without {pair['without']:7.0f} jobs/s"
                f"  ratio {pair['with'] / pair['without']:.3f}x  client CPU {pair['cpu_with_us']:.0f} vs"
                f" {pair['cpu_without_us']:.0f} µs/job  extensions/job {pair['extensions_per_job']:.2f}"
            )
        return
    results = run(jobs=args.jobs, quick=args.quick)
    floor = results[0]["jobs_per_second"]
    for result in results:
        print(
            f"{result['name']:<58} {result['jobs_per_second']:8.0f} jobs/s"
            f"   floor {floor:6.0f} jobs/s   ratio {result['ratio_to_floor']:.2f}x"
        )


if __name__ == "__main__":
    main()
