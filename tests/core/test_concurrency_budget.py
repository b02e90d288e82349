"""The client's one concurrency budget: slots, the AIMD limit, wake-ups across threads and loops, convergence.

The budget reads no clock (rounds are counted, not timed), so the AIMD steps
are checked exactly; waits are synchronised with events, never with sleeps.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest

from camunda_core.backpressure import AimdRule, ConcurrencyBudget, budget_result
from camunda_core.errors import (
    ConfigurationError,
    TransportConnectionError,
    TransportTimeoutError,
    ValidationError,
    api_error_from_response,
)

#: Seconds to wait for what must happen at once; never reached when it works.
WAIT = 10.0


def fill(budget: ConcurrencyBudget) -> list[int]:
    """Take every free slot; the tokens."""
    return [budget.acquire() for _ in range(budget.limit - budget.in_flight)]


def wait_until_queued(budget: ConcurrencyBudget, count: int) -> None:
    done = threading.Event()
    for _ in range(int(WAIT * 1000)):
        if budget.waiting >= count:
            return
        done.wait(0.001)
    raise AssertionError(f"{count} waiters never queued ({budget!r})")


# --------------------------------------------------------------------------- slots


def test_free_slots_are_taken_and_given_back() -> None:
    budget = ConcurrencyBudget(max_limit=2)
    first, second = budget.acquire(), budget.acquire()
    assert (first, second) == (0, 0)
    assert budget.in_flight == 2
    budget.release(first)
    budget.release(second, "neutral")
    assert budget.in_flight == 0
    with pytest.raises(RuntimeError, match="more often than acquire"):
        budget.release(0)


def test_async_free_slot_needs_no_waiting() -> None:
    budget = ConcurrencyBudget(max_limit=1)

    async def main() -> None:
        token = await budget.aacquire()
        assert budget.in_flight == 1
        budget.release(token, "success")

    asyncio.run(main())
    assert budget.in_flight == 0


@pytest.mark.parametrize("timeout", [-1, float("nan"), float("inf"), "1", True])
def test_a_bad_timeout_is_named_sync_and_async(timeout: object) -> None:
    budget = ConcurrencyBudget()
    with pytest.raises(ValidationError, match="timeout"):
        budget.acquire(timeout)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="timeout"):
        asyncio.run(budget.aacquire(timeout))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_limit": 0}, "max_limit"),
        ({"max_limit": True}, "max_limit"),
        ({"min_limit": 0}, "min_limit"),
        ({"min_limit": 5, "max_limit": 4}, "max_limit"),
        ({"decrease_factor": 1.0}, "decrease_factor"),
        ({"decrease_factor": float("nan")}, "decrease_factor"),
    ],
)
def test_bad_limit_arguments_are_named(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ConcurrencyBudget(**kwargs)  # type: ignore[arg-type]
    assert [p.variable for p in caught.value.problems] == [field]


def test_budget_result_from_an_attempts_error() -> None:
    def problem(title: str) -> BaseException:
        return api_error_from_response(
            status=503,
            body=b'{"title":"%s","status":503}' % title.encode(),
            headers={"content-type": "application/problem+json"},
            operation_id="getTopology",
        )

    busy, unavailable = problem("RESOURCE_EXHAUSTED"), problem("UNAVAILABLE")
    assert budget_result(None) == "success"
    assert budget_result(busy) == "backpressure"
    assert budget_result(unavailable) == "neutral"
    assert budget_result(TransportConnectionError("reset")) == "neutral"


# --------------------------------------------------------------------------- the AIMD limit


def test_first_refusal_cuts_to_a_share_of_what_was_in_flight() -> None:
    budget = ConcurrencyBudget(max_limit=64)
    tokens = [budget.acquire() for _ in range(20)]
    budget.release(tokens.pop(), "backpressure")  # 20 in flight at the signal, limit 64
    assert budget.limit == 14  # 0.7 * 20, not 0.7 * 64
    assert budget.in_flight == 19


def test_one_round_of_refusals_cuts_once_and_only_caps_after() -> None:
    budget = ConcurrencyBudget(max_limit=64)
    round_zero = [budget.acquire() for _ in range(40)]
    budget.release(round_zero.pop(), "backpressure")  # 40 in flight: 64 -> 28, a new round
    assert budget.limit == 28
    # 39 in flight: capped at 27.3, not cut again to 19.6.
    budget.release(round_zero.pop(), "backpressure")
    assert budget.limit == 27
    for _ in range(19):  # the rest of the wave comes back refused; 20 in flight at the last
        budget.release(round_zero.pop(), "backpressure")
    assert budget.in_flight == 19
    assert budget.limit == 14  # 0.7 * 20, where compounding cuts would have reached 1
    for token in round_zero:
        budget.release(token, "neutral")
    assert budget.limit == 14


def test_refusals_from_rounds_before_the_last_cut_are_ignored() -> None:
    budget = ConcurrencyBudget(max_limit=10)
    old = [budget.acquire() for _ in range(10)]  # round 0
    budget.release(old.pop(), "backpressure")  # round 0 cut: 10 -> 7, now round 1
    assert budget.limit == 7
    for token in old[3:]:
        budget.release(token, "neutral")
    old = old[:3]
    newer = budget.acquire()  # round 1
    budget.release(newer, "backpressure")  # round 1 cut: min(7, 4 in flight) * 0.7 -> 2
    assert budget.limit == 2
    budget.release(old.pop(), "backpressure")  # round 0 is two cuts ago: ignored
    assert budget.limit == 2


def test_limit_never_falls_below_min_limit() -> None:
    budget = ConcurrencyBudget(max_limit=8, min_limit=2)
    for _ in range(5):
        budget.release(budget.acquire(), "backpressure")
    assert budget.limit == 2


def test_successes_grow_the_limit_by_one_per_limit_worth_while_the_budget_is_full() -> None:
    budget = ConcurrencyBudget(max_limit=10)
    tokens = [budget.acquire() for _ in range(8)]
    budget.release(tokens.pop(), "backpressure")  # 8 in flight: cut to 5.6, last refusal at 8
    for token in tokens[5:]:
        budget.release(token)
    assert (budget.limit, budget.in_flight) == (5, 5)

    def full_round_success() -> None:
        tokens = fill(budget)
        budget.release(tokens.pop(), "success")
        for token in tokens:
            budget.release(token)

    for token in tokens[:5]:
        budget.release(token)
    for _ in range(2):  # 5.6 + 2 * (1/5) = 6.0
        full_round_success()
    assert budget.limit == 6
    # One in flight of six allowed: no evidence, no growth.
    budget.release(budget.acquire(), "success")
    assert budget.limit == 6
    for _ in range(6 + 7):  # 1/6, then 1/7 per success up to 8, where the last refusal came
        full_round_success()
    assert budget.limit == 8
    for _ in range(8 * 4 - 1):  # past it, four times slower: 8 -> 9 takes 32 successes
        full_round_success()
    assert budget.limit == 8
    full_round_success()
    assert budget.limit == 9
    for _ in range(200):
        full_round_success()
    assert budget.limit == 10  # capped at max_limit


def test_a_refusal_with_little_in_flight_slows_growth_only_briefly() -> None:
    budget = ConcurrencyBudget(max_limit=64)
    budget.release(budget.acquire(), "backpressure")  # 1 in flight: down to 1, last refusal at 1
    assert budget.limit == 1
    successes = 0
    while budget.limit < 16:
        tokens = fill(budget)
        budget.release(tokens.pop(), "success")
        for token in tokens:
            budget.release(token)
        successes += 1
    # About one slot per limit-worth of successes (15 * 8.5 on average) plus the slow stretch 1 -> 1.5.
    assert successes < 140


def test_a_fixed_budget_ignores_results() -> None:
    budget = ConcurrencyBudget(max_limit=4, adaptive=False)
    tokens = fill(budget)
    for token in tokens:
        budget.release(token, "backpressure")
    assert budget.limit == 4


def test_aimd_rule_steps() -> None:
    rule = AimdRule(max_limit=10, min_limit=2, decrease_factor=0.5)
    assert rule.increased(4.0, 4, ceiling=10.0) == 4.25
    assert rule.increased(4.0, 4, ceiling=4.0) == 4.0625  # probing past the last refusal
    assert rule.increased(6.0, 6, ceiling=4.0) == 6.0 + 1 / 6  # far past it: the ceiling is stale
    assert rule.increased(9.9, 9, ceiling=10.0) == 10.0
    assert rule.decreased(10.0, 6) == 3.0
    assert rule.decreased(3.0, 2) == 2.0
    assert rule.capped(3.0, 10) == 3.0
    assert rule.capped(3.0, 4) == 2.0
    assert rule.clamp(9.99) == 9
    assert rule.clamp(0.5) == 2


# --------------------------------------------------------------------------- waiting and waking


def test_a_waiting_thread_is_woken_by_a_release_from_the_event_loop() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    token = budget.acquire()
    got: list[int] = []
    waiter = threading.Thread(target=lambda: got.append(budget.acquire()))
    waiter.start()
    wait_until_queued(budget, 1)

    async def release_from_the_loop() -> None:
        budget.release(token, "success")

    asyncio.run(release_from_the_loop())
    waiter.join(WAIT)
    assert got == [0]
    assert budget.in_flight == 1


def test_a_waiting_task_is_woken_by_a_release_from_another_thread() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    token = budget.acquire()

    async def main() -> int:
        waiting = asyncio.ensure_future(budget.aacquire())
        while budget.waiting == 0:
            await asyncio.sleep(0)
        releaser = threading.Thread(target=budget.release, args=(token, "success"))
        releaser.start()
        got = await asyncio.wait_for(waiting, WAIT)
        releaser.join(WAIT)
        return got

    assert asyncio.run(main()) == 0
    assert budget.in_flight == 1


def test_tasks_on_two_event_loops_in_two_threads_share_one_budget() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    order: list[str] = []
    gate = threading.Barrier(2)

    def loop(name: str) -> None:
        async def main() -> None:
            gate.wait(WAIT)
            for _ in range(50):
                token = await budget.aacquire()
                order.append(f"{name}+")
                await asyncio.sleep(0)
                order.append(f"{name}-")
                budget.release(token, "success")

        asyncio.run(main())

    threads = [threading.Thread(target=loop, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert len(order) == 200
    # With one slot, every "+" is followed by the same task's "-".
    assert all(order[i][0] == order[i + 1][0] and order[i + 1][1] == "-" for i in range(0, 200, 2))
    assert budget.in_flight == 0


def test_waiters_are_served_in_arrival_order_and_retries_first() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    token = budget.acquire()
    served: list[str] = []

    async def main() -> None:
        async def take(name: str, retrying: bool) -> None:
            slot = await budget.aacquire(retrying=retrying)
            served.append(name)
            budget.release(slot)

        tasks = []
        for name, retrying in (("first", False), ("second", False), ("retry", True)):
            tasks.append(asyncio.ensure_future(take(name, retrying)))
            while budget.waiting < len(tasks):
                await asyncio.sleep(0)
        budget.release(token)
        await asyncio.wait_for(asyncio.gather(*tasks), WAIT)

    asyncio.run(main())
    assert served == ["retry", "first", "second"]


def test_a_thread_waiting_too_long_gets_a_pool_timeout_naming_the_operation() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    budget.acquire()
    with pytest.raises(TransportTimeoutError) as caught:
        budget.acquire(0.0, operation_id="getTopology")
    assert caught.value.phase == "pool"
    assert caught.value.request_sent is False
    assert "getTopology" in str(caught.value)
    assert budget.waiting == 0
    assert budget.in_flight == 1


def test_a_task_waiting_too_long_gets_a_pool_timeout_and_leaves_the_queue() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    budget.acquire()
    with pytest.raises(TransportTimeoutError) as caught:
        asyncio.run(budget.aacquire(0.0, operation_id="getTopology"))
    assert caught.value.phase == "pool"
    assert budget.waiting == 0


def test_a_cancelled_waiter_leaves_the_queue_without_a_slot() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    token = budget.acquire()

    async def main() -> None:
        waiting = asyncio.ensure_future(budget.aacquire())
        while budget.waiting == 0:
            await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting

    asyncio.run(main())
    assert budget.waiting == 0
    budget.release(token)
    assert budget.in_flight == 0


def test_a_slot_handed_to_a_waiter_cancelled_before_it_ran_is_passed_on() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    token = budget.acquire()

    async def main() -> int:
        doomed = asyncio.ensure_future(budget.aacquire())
        while budget.waiting < 1:
            await asyncio.sleep(0)
        next_in_line = asyncio.ensure_future(budget.aacquire())
        while budget.waiting < 2:
            await asyncio.sleep(0)
        budget.release(token)  # the slot goes to `doomed`...
        doomed.cancel()  # ...which is cancelled before it resumes
        with pytest.raises(asyncio.CancelledError):
            await doomed
        return await asyncio.wait_for(next_in_line, WAIT)

    assert asyncio.run(main()) == 0
    assert budget.in_flight == 1


def test_a_waiter_whose_loop_closed_is_skipped() -> None:
    budget = ConcurrencyBudget(max_limit=1)
    token = budget.acquire()
    loop = asyncio.new_event_loop()
    stranded = loop.create_task(budget.aacquire())
    loop.run_until_complete(asyncio.sleep(0))  # the task queues, then its loop goes away
    assert budget.waiting == 1
    loop.close()
    got: list[int] = []
    waiter = threading.Thread(target=lambda: got.append(budget.acquire()))
    waiter.start()
    wait_until_queued(budget, 2)
    releaser = threading.Thread(target=budget.release, args=(token,))
    releaser.start()
    releaser.join(WAIT)
    waiter.join(WAIT)
    assert got == [0]
    assert budget.in_flight == 1
    assert budget.waiting == 0
    del stranded


# --------------------------------------------------------------------------- threads and tasks together


def _mixed_load(budget: ConcurrencyBudget, *, capacity: int | None, rounds: int) -> tuple[int, int]:
    """4 threads and 4 tasks taking slots from one budget; (peak in flight, refusals).

    With ``capacity``, a pretend server refuses an attempt that finds more than
    that many in flight.
    """
    lock = threading.Lock()
    state = {"in_flight": 0, "peak": 0, "refused": 0}
    start = threading.Barrier(5)

    def enter() -> str:
        with lock:
            state["in_flight"] += 1
            state["peak"] = max(state["peak"], state["in_flight"])
            refused = capacity is not None and state["in_flight"] > capacity
            state["refused"] += refused
        return "backpressure" if refused else "success"

    def leave() -> None:
        with lock:
            state["in_flight"] -= 1

    pause = threading.Event()

    def thread_worker() -> None:
        start.wait(WAIT)
        for _ in range(rounds):
            token = budget.acquire()
            result = enter()
            pause.wait(0.0001)  # hold the slot long enough for others to pile up
            leave()
            budget.release(token, result)  # type: ignore[arg-type]

    async def task_worker() -> None:
        for _ in range(rounds):
            token = await budget.aacquire()
            result = enter()
            await asyncio.sleep(0)
            leave()
            budget.release(token, result)  # type: ignore[arg-type]

    async def tasks() -> None:
        start.wait(WAIT)
        await asyncio.gather(*(task_worker() for _ in range(4)))

    threads = [threading.Thread(target=thread_worker) for _ in range(4)]
    threads.append(threading.Thread(target=asyncio.run, args=(tasks(),)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert budget.in_flight == 0
    assert budget.waiting == 0
    return state["peak"], state["refused"]


def test_four_threads_and_four_tasks_never_exceed_the_limit() -> None:
    budget = ConcurrencyBudget(max_limit=2)
    peak, _ = _mixed_load(budget, capacity=None, rounds=300)
    assert peak == 2


def test_under_backpressure_threads_and_tasks_stay_within_the_limit_and_it_comes_down() -> None:
    budget = ConcurrencyBudget(max_limit=8)
    peak, refused = _mixed_load(budget, capacity=3, rounds=300)
    assert peak <= 8
    assert refused > 0
    assert budget.limit < 8


def _twin_and_async_client_load(url: str, settings: dict[str, object], calls: int) -> tuple[int, int]:
    """4 threads on the blocking twin and 4 tasks on the async client, one core; (limit, budget in flight) after."""
    from camunda_core.api import operations
    from camunda_core.client import CamundaAsyncClient

    topology = operations.get_topology.returning_json()
    config = {"CAMUNDA_REST_ADDRESS": url, "CAMUNDA_RETRY_MAX_ATTEMPTS": 10, **settings}

    async def main() -> tuple[int, int]:
        async with CamundaAsyncClient(config, load_entry_points=False, environ={}) as client:
            runtime = client.runtime
            runtime.blocking_client()  # the twin thread handlers get, on the same core

            def thread_calls() -> None:
                for _ in range(calls):
                    runtime.invoke(topology)

            async def task_calls() -> None:
                for _ in range(calls):
                    await runtime.ainvoke(topology)

            threads = [asyncio.to_thread(thread_calls) for _ in range(4)]
            await asyncio.wait_for(asyncio.gather(*threads, *(task_calls() for _ in range(4))), WAIT * 3)
            return runtime.budget.limit, runtime.budget.in_flight

    return asyncio.run(main())


def test_a_blocking_twin_and_an_async_client_on_one_core_never_exceed_the_limit_together() -> None:
    server = _bench().CapacityServer(capacity=1000, service_time=0.005)
    with server.running() as url:
        limit, in_flight = _twin_and_async_client_load(url, {"CAMUNDA_MAX_CONCURRENT_REQUESTS": 2}, calls=25)
    assert server.accepted == 8 * 25
    assert server.peak_in_flight == 2  # 8 callers, and never more than the limit at the server
    assert (limit, in_flight) == (2, 0)


def test_under_backpressure_the_twin_and_the_async_client_stay_within_the_limit_as_it_comes_down() -> None:
    server = _bench().CapacityServer(capacity=3, service_time=0.005)
    with server.running() as url:
        limit, in_flight = _twin_and_async_client_load(url, {"CAMUNDA_MAX_CONCURRENT_REQUESTS": 8}, calls=25)
    assert server.refused > 0
    assert server.peak_in_flight <= 8
    assert limit < 8 and in_flight == 0


# --------------------------------------------------------------------------- convergence against a real server


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_backpressure.py"
    spec = importlib.util.spec_from_file_location("bench_backpressure", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_backpressure", module)
    spec.loader.exec_module(module)
    return module


def test_the_adaptive_limit_converges_to_a_servers_capacity_of_16() -> None:
    bench = _bench()
    server = bench.CapacityServer(capacity=16, service_time=0.02)
    budget = ConcurrencyBudget(max_limit=64)
    with server.running() as url:
        load = asyncio.run(bench.run_load(url, budget, calls=2000, callers=200))
    assert load.calls == 2000
    assert load.over_limit == 0
    assert load.peak_in_flight <= 64
    assert 8 <= budget.limit <= 24, load.settled_limits
    assert load.failures <= 20
    assert server.refused < 0.1 * load.attempts
