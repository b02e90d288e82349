"""The cluster is killed and restarted on the same port under a running job worker.

The test kit's fake cluster plays the cluster here (the worker needs job
semantics). Killing it closes the listening socket and every connection;
the same ``FakeCluster`` instance then listens again on the same port with its
state intact, like a gateway coming back. Attempts while it is down are
counted on the client side through the ``camunda_on_request`` observer: with
the port closed, every attempt is one refused connection.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import time
from typing import Any

from camunda_orchestration_sdk import CamundaAsyncClient, JobContext, WorkerConfig, hookimpl
from camunda_testkit import FakeCluster

JOB_TYPE = "adversarial-restart"
PROCESS_ID = "adversarial-restart-process"
DOWN_SECONDS = 2.0
SLOTS = 8
#: While the cluster is down, each in-flight job's completion and the poller back off
#: exponentially (from CAMUNDA_RETRY_INITIAL_DELAY_MS, 100 ms by default), so early in an
#: outage a few attempts a second each; a loop that spins makes thousands.
MAX_ATTEMPTS_PER_SECOND_DOWN = 5.0 * (SLOTS + 1)


class AttemptClock:
    """Records when each attempt started, per operation."""

    def __init__(self) -> None:
        self.attempts: list[tuple[float, str]] = []

    @hookimpl
    def camunda_on_request(self, event: Any) -> None:
        self.attempts.append((time.monotonic(), event.operation_id))

    def between(self, start: float, end: float) -> list[str]:
        return [op for at, op in list(self.attempts) if start <= at < end]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bpmn() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://example.com">'
        f'<bpmn:process id="{PROCESS_ID}" isExecutable="true"><bpmn:startEvent id="s"/>'
        f'<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="{JOB_TYPE}" retries="3"/>'
        '</bpmn:extensionElements></bpmn:serviceTask><bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>'
    )


async def _wait_until(condition: Any, timeout: float, what: str) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def test_a_worker_survives_a_cluster_kill_and_restart_without_double_execution_or_a_retry_storm() -> (
    None
):
    cluster = FakeCluster(port=_free_port()).start()
    clock = AttemptClock()
    executions: collections.Counter[str] = collections.Counter()
    figures: dict[str, Any] = {}

    async def handler(job: JobContext) -> dict[str, Any]:
        executions[str(job.job_key)] += 1
        await asyncio.sleep(0.2)  # jobs are in flight when the kill comes
        return {"done": True}

    async def scenario() -> None:
        cluster.deploy_bpmn(_bpmn())
        for _ in range(40):
            cluster.create_process_instance(PROCESS_ID)
        # The default retry delays: the rate while down is what a real deployment would see.
        settings = {"CAMUNDA_REST_ADDRESS": cluster.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
        async with CamundaAsyncClient(
            configuration=settings, environ={}, plugins=(clock,)
        ) as client:
            # A long job timeout: a job is offered again only if the worker itself gives it back.
            config = WorkerConfig(
                job_type=JOB_TYPE,
                job_timeout_milliseconds=60_000,
                max_concurrent_jobs=SLOTS,
                request_timeout_milliseconds=1_000,
            )
            client.create_job_worker(config, handler)
            await _wait_until(lambda: len(cluster.stats.completions) >= 10, 10, "first completions")
            assert len(cluster.stats.completions) < 40, (
                "the kill must come while jobs are in flight"
            )

            killed = time.monotonic()
            await asyncio.to_thread(cluster.stop)
            await asyncio.sleep(DOWN_SECONDS)
            restarted = time.monotonic()
            await asyncio.to_thread(cluster.start)
            # The first 0.2 s are left out: attempts already under way when the port closed.
            down = clock.between(killed + 0.2, restarted)
            figures["attempts_per_second_down"] = len(down) / (restarted - killed - 0.2)
            figures["attempts_down_by_operation"] = dict(collections.Counter(down))

            after_restart = [
                cluster.create_process_instance(PROCESS_ID).process_instance_key for _ in range(10)
            ]
            await _wait_until(
                lambda: any(
                    op == "activateJobs" for op in clock.between(restarted, time.monotonic())
                ),
                10,
                "an activation after the restart",
            )
            first = next(
                at for at, op in list(clock.attempts) if at >= restarted and op == "activateJobs"
            )
            figures["first_activation_after_restart_s"] = first - restarted
            # Recovered: every instance created after the restart completes.
            await _wait_until(
                lambda: all(cluster.instance(key).state == "COMPLETED" for key in after_restart),
                15,
                "the instances created after the restart to complete",
            )
            await client.stop_workers(grace=2)

    try:
        asyncio.run(asyncio.wait_for(scenario(), 60))
        stats = cluster.stats
    finally:
        cluster.stop()
    print(f"kill/restart figures: {figures}")
    assert stats.duplicate_completions == {}
    twice = {key: executions[key] for key in stats.completions if executions[key] > 1}
    assert twice == {}, f"jobs the server saw completed ran more than once: {twice}"
    assert figures["attempts_per_second_down"] <= MAX_ATTEMPTS_PER_SECOND_DOWN, figures
