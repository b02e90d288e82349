"""Helpers of the adversarial suite: client factories for every surface, canned bodies.

A *surface* is how a call is made: ``sync`` (``CamundaClient``), ``async-httpx``
and ``async-aiohttp`` (``CamundaAsyncClient`` over each async transport).
Every client is built with ``environ={}`` so the machine's ``CAMUNDA_*``
variables never leak into a test.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from fault_server import http_response

from camunda_core.models.broker_info import BrokerInfo
from camunda_core.models.partition import Partition, PartitionHealthEnum, PartitionRoleEnum
from camunda_core.models.topology_response import TopologyResponse
from camunda_core.serialization.converter import unstructure
from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient

SURFACES = ("sync", "async-httpx", "async-aiohttp")


def topology_payload(gateway_version: str = "8.9.0") -> dict[str, Any]:
    """A valid ``TopologyResponse`` on the wire, built from the generated model."""
    model = TopologyResponse(
        brokers=[
            BrokerInfo(
                node_id=0,
                host="127.0.0.1",
                port=26501,
                partitions=[
                    Partition(
                        partition_id=1,
                        role=PartitionRoleEnum.LEADER,
                        health=PartitionHealthEnum.HEALTHY,
                    )
                ],
                version="8.9.0",
            )
        ],
        cluster_id=None,
        cluster_size=1,
        partitions_count=1,
        replication_factor=1,
        gateway_version=gateway_version,
        last_completed_change_id="-1",
    )
    return unstructure(model)


def topology_bytes(**kwargs: Any) -> bytes:
    return http_response(200, json.dumps(topology_payload(**kwargs)).encode(), reason="OK")


def problem_bytes(status: int, title: str = "INVALID_ARGUMENT", detail: str = "no") -> bytes:
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}
    ).encode()
    return http_response(status, body, content_type="application/problem+json")


def configuration(
    address: str, surface: str, settings: Mapping[str, object] | None = None
) -> dict[str, object]:
    config: dict[str, object] = {
        "CAMUNDA_REST_ADDRESS": address,
        "CAMUNDA_AUTH_STRATEGY": "NONE",
        "CAMUNDA_RETRY_INITIAL_DELAY_MS": 5,
        "CAMUNDA_RETRY_MAX_DELAY_MS": 20,
        # Nothing adaptive in the way of counting requests.
        "CAMUNDA_BACKPRESSURE_ADAPTIVE": False,
    }
    if surface != "sync":
        config["CAMUNDA_HTTP_TRANSPORT"] = surface.removeprefix("async-")
    config.update(settings or {})
    return config


def call(
    surface: str,
    address: str,
    operation: str,
    settings: Mapping[str, object] | None = None,
    /,
    **kwargs: Any,
) -> Any:
    """Build a client for ``surface``, make one call, close the client; returns the result."""
    config = configuration(address, surface, settings)
    if surface == "sync":
        with CamundaClient(configuration=config, environ={}) as client:
            return getattr(client, operation)(**kwargs)

    async def run() -> Any:
        async with CamundaAsyncClient(configuration=config, environ={}) as client:
            return await getattr(client, operation)(**kwargs)

    return asyncio.run(run())


class Caller:
    """One client of ``surface`` kept open for several calls (async ones on a private loop)."""

    def __init__(
        self,
        surface: str,
        address: str,
        settings: Mapping[str, object] | None = None,
        plugins: tuple[object, ...] = (),
    ) -> None:
        config = configuration(address, surface, settings)
        self._loop: asyncio.AbstractEventLoop | None = None
        if surface == "sync":
            self._client: Any = CamundaClient(configuration=config, environ={}, plugins=plugins)
        else:
            self._loop = asyncio.new_event_loop()

            async def build() -> CamundaAsyncClient:
                return CamundaAsyncClient(configuration=config, environ={}, plugins=plugins)

            self._client = self._loop.run_until_complete(build())

    def __call__(self, operation: str, **kwargs: Any) -> Any:
        result = getattr(self._client, operation)(**kwargs)
        if self._loop is not None:
            return self._loop.run_until_complete(result)
        return result

    def settle(self, seconds: float = 0.05) -> None:
        """Let an async client's loop run a moment, as it would between calls in an application."""
        if self._loop is not None:
            self._loop.run_until_complete(asyncio.sleep(seconds))

    def close(self) -> None:
        if self._loop is None:
            self._client.close()
            return
        self._loop.run_until_complete(self._client.close())
        self._loop.close()

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def construct(
    surface: str, config: Mapping[str, object], environ: Mapping[str, str] | None = None
) -> None:
    """Build (and close) a client of ``surface`` from raw configuration and/or environment."""
    if surface == "sync":
        CamundaClient(configuration=config, environ=environ or {}).close()
        return

    async def run() -> None:
        client = CamundaAsyncClient(configuration=config, environ=environ or {})
        await client.close()

    asyncio.run(run())


def expect_failure(request: pytest.FixtureRequest, reason: str) -> None:
    """Mark the running test as a strict xfail: it must fail until the named fix lands."""
    request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def timed(fn: Callable[[], Any]) -> tuple[float, BaseException | None]:
    """Seconds ``fn`` took, and what it raised (None if it returned)."""
    started = time.monotonic()
    try:
        fn()
    except BaseException as exc:
        return time.monotonic() - started, exc
    return time.monotonic() - started, None
