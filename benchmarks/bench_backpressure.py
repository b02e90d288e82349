"""The adaptive concurrency budget against a server of fixed capacity, next to a fixed limit at that capacity.

    uv run python benchmarks/bench_backpressure.py            # 5,000 calls, 500 callers
    uv run python benchmarks/bench_backpressure.py --quick    # 2,000 calls, 200 callers

The server (loopback, its own thread and event loop) holds each request for
``--service-ms`` and answers 503 ``RESOURCE_EXHAUSTED`` at once to any request
that would make more than ``--capacity`` in flight. Each call is a raw
``httpx.AsyncClient`` GET (over httpx-aiohttp, the SDK's default async
transport) gated by a :class:`~camunda_core.backpressure.ConcurrencyBudget`,
retried on backpressure up to 5 attempts with the SDK's backoff. The floor is
the same load through a fixed budget of ``capacity`` slots. Then the same two
through the SDK's own ``CamundaAsyncClient`` (its send loop takes the slots,
its retry policy retries). Also prints the
cost of one uncontended acquire/release pair next to a bare lock.

Nothing here is a test; ``tests/core/test_concurrency_budget.py`` asserts the
convergence on a smaller load with the same helpers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
from httpx_aiohttp import AiohttpTransport

from camunda_core.backpressure import BudgetResult, ConcurrencyBudget
from camunda_core.retry.backoff import backoff_ceiling

_BUSY_BODY = b'{"type":"about:blank","title":"RESOURCE_EXHAUSTED","status":503,"detail":"busy"}'
_OK_BODY = b"{}"


def _response(status: bytes, body: bytes, content_type: bytes) -> bytes:
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Type: "
        + content_type
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


_BUSY = _response(b"503 Service Unavailable", _BUSY_BODY, b"application/problem+json")
_OK = _response(b"200 OK", _OK_BODY, b"application/json")


class CapacityServer:
    """An HTTP/1.1 keep-alive server that refuses what exceeds its capacity, counting what it saw."""

    def __init__(self, *, capacity: int, service_time: float) -> None:
        self.capacity = capacity
        self.service_time = service_time
        self.in_flight = 0
        self.peak_in_flight = 0
        self.accepted = 0
        self.refused = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                self.in_flight += 1
                try:
                    if self.in_flight > self.capacity:
                        self.refused += 1
                        writer.write(_BUSY)
                    else:
                        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                        self.accepted += 1
                        await asyncio.sleep(self.service_time)
                        writer.write(_OK)
                finally:
                    self.in_flight -= 1
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        """Serve on 127.0.0.1 in a thread of its own; yields the base URL."""
        loop = asyncio.new_event_loop()
        started = threading.Event()
        port: list[int] = []
        stop = asyncio.Event()

        async def main() -> None:
            server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)
            port.append(server.sockets[0].getsockname()[1])
            started.set()
            async with server:
                await stop.wait()

        thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
        thread.start()
        started.wait(10)
        try:
            yield f"http://127.0.0.1:{port[0]}"
        finally:
            loop.call_soon_threadsafe(stop.set)
            thread.join(10)
            loop.close()


@dataclass
class LoadResult:
    calls: int = 0
    failures: int = 0
    attempts: int = 0
    backpressure: int = 0
    latencies: list[float] = field(default_factory=list[float])
    #: The budget's limit after each release, in order.
    limits: list[int] = field(default_factory=list[int])
    #: Most requests this client had between acquire and release at once.
    peak_in_flight: int = 0
    #: Times a request was let in while that many or more were already in flight.
    over_limit: int = 0
    seconds: float = 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def settled_limits(self) -> list[int]:
        """The limit over the second half of the run."""
        return self.limits[len(self.limits) // 2 :]


async def run_load(
    url: str,
    budget: ConcurrencyBudget,
    *,
    calls: int,
    callers: int,
    max_attempts: int = 5,
    initial_delay: float = 0.1,
    max_delay: float = 5.0,
    seed: int = 1,
) -> LoadResult:
    """``calls`` GETs from ``callers`` concurrent tasks, each attempt holding a budget slot."""
    rng = random.Random(seed)
    result = LoadResult()
    remaining = calls
    in_flight = 0
    transport = AiohttpTransport(
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=100)
    )
    async with httpx.AsyncClient(transport=transport, base_url=url, timeout=30.0) as client:

        async def one_call() -> None:
            nonlocal in_flight
            started = time.perf_counter()
            for attempt in range(1, max_attempts + 1):
                token = await budget.aacquire(retrying=attempt > 1)
                in_flight += 1
                result.peak_in_flight = max(result.peak_in_flight, in_flight)
                if in_flight > budget.max_limit:
                    result.over_limit += 1
                outcome: BudgetResult = "neutral"
                try:
                    response = await client.get("/v2/topology")
                    if response.status_code == 200:
                        outcome = "success"
                    elif response.status_code == 503 and b"RESOURCE_EXHAUSTED" in response.content:
                        outcome = "backpressure"
                finally:
                    in_flight -= 1
                    budget.release(token, outcome)
                    result.limits.append(budget.limit)
                result.attempts += 1
                if outcome == "success":
                    result.latencies.append(time.perf_counter() - started)
                    return
                result.backpressure += 1
                if attempt < max_attempts:
                    await asyncio.sleep(
                        rng.random() * backoff_ceiling(attempt, initial_delay, max_delay)
                    )
            result.failures += 1
            result.latencies.append(time.perf_counter() - started)

        async def caller() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                result.calls += 1
                await one_call()

        began = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(callers)))
        result.seconds = time.perf_counter() - began
    return result


async def run_sdk_load(
    url: str, *, calls: int, callers: int, max_limit: int, adaptive: bool, server: CapacityServer
) -> tuple[LoadResult, ConcurrencyBudget]:
    """The same load through the SDK's own async client: its send loop, budget and retry policy."""
    from camunda_core.api import operations
    from camunda_core.client import CamundaAsyncClient
    from camunda_core.errors import CamundaError

    topology = operations.get_topology.returning_json()
    config = {
        "CAMUNDA_REST_ADDRESS": url,
        "CAMUNDA_MAX_CONCURRENT_REQUESTS": max_limit,
        "CAMUNDA_BACKPRESSURE_ADAPTIVE": adaptive,
        "CAMUNDA_RETRY_MAX_ATTEMPTS": 5,
        "CAMUNDA_RETRY_INITIAL_DELAY_MS": 100,
        "CAMUNDA_RETRY_MAX_DELAY_MS": 5000,
        "CAMUNDA_HTTP_MAX_CONNECTIONS": 100,
    }
    result = LoadResult()
    remaining = calls
    async with CamundaAsyncClient(config, load_entry_points=False, environ={}) as client:
        runtime = client.runtime

        async def caller() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                result.calls += 1
                started = time.perf_counter()
                try:
                    await runtime.ainvoke(topology)
                except CamundaError:
                    result.failures += 1
                result.latencies.append(time.perf_counter() - started)
                result.limits.append(runtime.budget.limit)
                result.peak_in_flight = max(result.peak_in_flight, server.peak_in_flight)

        began = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(callers)))
        result.seconds = time.perf_counter() - began
        result.attempts = server.accepted + server.refused
        result.backpressure = server.refused
        return result, runtime.budget


def _overhead(pairs: int) -> dict[str, float]:
    """Nanoseconds per uncontended acquire+release pair, and per bare lock pair (the floor)."""
    budget = ConcurrencyBudget(max_limit=64)
    lock = threading.Lock()

    def sync_budget() -> None:
        acquire, release = budget.acquire, budget.release
        for _ in range(pairs):
            release(acquire(), "success")

    def bare_lock() -> None:
        for _ in range(pairs):
            with lock:
                pass
            with lock:
                pass

    async def async_budget() -> None:
        aacquire, release = budget.aacquire, budget.release
        for _ in range(pairs):
            release(await aacquire(), "success")

    async def async_semaphore() -> None:
        semaphore = asyncio.Semaphore(64)
        for _ in range(pairs):
            await semaphore.acquire()
            semaphore.release()

    def timed(run: object) -> float:
        best = float("inf")
        for _ in range(5):
            began = time.perf_counter()
            if asyncio.iscoroutinefunction(run):
                asyncio.run(run())
            else:
                run()  # type: ignore[operator]
            best = min(best, time.perf_counter() - began)
        return best / pairs * 1e9

    return {
        "sync budget": timed(sync_budget),
        "two bare lock sections": timed(bare_lock),
        "async budget": timed(async_budget),
        "asyncio.Semaphore": timed(async_semaphore),
    }


def _row(name: str, load: LoadResult, server: CapacityServer) -> str:
    settled = load.settled_limits
    return (
        f"{name:<22} {load.calls:>6} {load.failures:>6} {load.backpressure / load.attempts:>7.1%} "
        f"{statistics.median(load.latencies):>7.3f} {load.percentile(0.99):>7.3f} {load.seconds:>7.2f} "
        f"{min(settled):>4}-{max(settled):<4} {statistics.median(settled):>6.1f} {load.limits[-1]:>5} "
        f"{load.peak_in_flight:>5} {server.peak_in_flight:>5}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 calls from 200 callers")
    parser.add_argument("--capacity", type=int, default=16)
    parser.add_argument("--service-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each budget")
    parser.add_argument(
        "--max-limit", type=int, default=64, help="the adaptive budget's start and ceiling"
    )
    args = parser.parse_args()
    calls, callers = (2000, 200) if args.quick else (5000, 500)
    print(
        f"{calls} calls, {callers} callers, server capacity {args.capacity}, "
        f"{args.service_ms:g} ms per request, 5 attempts"
    )
    print(
        f"{'budget':<22} {'calls':>6} {'failed':>6} {'503s':>7} {'p50 s':>7} {'p99 s':>7} {'wall s':>7} "
        f"{'limit 2nd half':>9} {'median':>6} {'end':>5} {'peak':>5} {'srv pk':>5}"
    )
    # Alternate the two, so a machine that gets busier mid-run skews both alike.
    for _ in range(args.rounds):
        budgets = [
            (f"adaptive (max {args.max_limit})", ConcurrencyBudget(max_limit=args.max_limit)),
            (
                f"fixed {args.capacity} (floor)",
                ConcurrencyBudget(max_limit=args.capacity, adaptive=False),
            ),
        ]
        for name, budget in budgets:
            server = CapacityServer(capacity=args.capacity, service_time=args.service_ms / 1000)
            with server.running() as url:
                load = asyncio.run(run_load(url, budget, calls=calls, callers=callers))
            print(_row(name, load, server), flush=True)
    # The same two budgets inside the SDK's async client (send loop, retries, adaptive limit).
    for _ in range(args.rounds):
        for name, max_limit, adaptive in (
            (f"SDK client, adaptive {args.max_limit}", args.max_limit, True),
            (f"SDK client, fixed {args.capacity}", args.capacity, False),
        ):
            server = CapacityServer(capacity=args.capacity, service_time=args.service_ms / 1000)
            with server.running() as url:
                load, _ = asyncio.run(
                    run_sdk_load(
                        url, calls=calls, callers=callers, max_limit=max_limit, adaptive=adaptive, server=server
                    )
                )
            print(_row(name, load, server), flush=True)
    print()
    for name, nanoseconds in _overhead(20_000 if args.quick else 200_000).items():
        print(f"{name:<24} {nanoseconds:>7.0f} ns per acquire+release")


if __name__ == "__main__":
    main()
