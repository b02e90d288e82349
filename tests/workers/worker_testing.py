"""Shared set-up for worker tests: the composed client, a BPMN helper, a client factory."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import camunda_core.client
from camunda_workers import JobWorkerHost

# Process-strategy handlers live in a plain module next to the tests, so a
# spawned child can import them by name (sys.path travels to the child).
_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

T = TypeVar("T")


class CamundaAsyncClient(JobWorkerHost, camunda_core.client.CamundaAsyncClient):
    """What the meta package composes."""


def bpmn(process_id: str, *job_types: str, retries: int = 3, headers: Mapping[str, str] | None = None) -> str:
    """A linear process with one service task per job type."""
    header_xml = ""
    if headers:
        items = "".join(f'<zeebe:header key="{k}" value="{v}"/>' for k, v in headers.items())
        header_xml = f"<zeebe:taskHeaders>{items}</zeebe:taskHeaders>"
    tasks = "".join(
        f'<bpmn:serviceTask id="task_{i}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}" retries="{retries}"/>{header_xml}'
        f"</bpmn:extensionElements></bpmn:serviceTask>"
        for i, job_type in enumerate(job_types)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://example.com">'
        f'<bpmn:process id="{process_id}" isExecutable="true">'
        f'<bpmn:startEvent id="start"/>{tasks}<bpmn:endEvent id="end"/>'
        "</bpmn:process></bpmn:definitions>"
    )


def make_client(rest_address: str, logger: Any = None, **settings: object) -> CamundaAsyncClient:
    configuration: dict[str, object] = {
        "CAMUNDA_REST_ADDRESS": rest_address,
        "CAMUNDA_AUTH_STRATEGY": "NONE",
        "CAMUNDA_RETRY_INITIAL_DELAY_MS": 5,
        "CAMUNDA_RETRY_MAX_DELAY_MS": 50,
    }
    configuration.update(settings)
    return CamundaAsyncClient(configuration=configuration, environ={}, load_entry_points=False, logger=logger)


def run(coro: Awaitable[T], timeout: float = 30.0) -> T:
    """Run a coroutine with an overall safety timeout (a hang fails instead of blocking the suite)."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


async def wait_until(
    condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition", interval: float = 0.005
) -> None:
    """Poll ``condition`` on the event loop without blocking it."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while not condition():
        if loop.time() > give_up:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(interval)


def completed_instances(cluster: Any) -> int:
    return len(cluster.instances(state="COMPLETED"))


async def run_worker_until(
    cluster: Any,
    config: Any,
    handler: Callable[..., Any],
    until: Callable[[], bool],
    *,
    grace: float = 2.0,
    timeout: float = 20.0,
    **settings: object,
) -> Any:
    """Run one worker until ``until()`` holds, then stop it; returns its report."""
    async with make_client(cluster.rest_address, **settings) as client:
        client.create_job_worker(config, handler)
        await wait_until(until, timeout=timeout)
        return await client.stop_workers(grace=grace)
