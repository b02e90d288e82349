"""Every operation's request, as the sync and async clients send it, validates against the 8.9 spec.

The arguments come from the generated signatures and the spec's constraints
(see contract_values.py); the request is captured by a transport plugin that
answers the smallest valid response, and openapi-core validates method, path,
query, headers (including the bearer token where ``security`` is declared) and
body, then the call must return the declared model.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from contract_checks import (
    KNOWN_ACCEPT_BUGS,
    accept_allows,
    check_captured_exchange,
    descriptor,
    operation_params,
    success_media_types,
)
from contract_harness import (
    BearerTokenPlugin,
    CapturingTransportPlugin,
    client_configuration,
    minimal_response,
)
from contract_spec import SpecContract
from contract_values import build_call_arguments

from camunda_core.api import operations
from camunda_core.client import CamundaAsyncClient, CamundaClient
from camunda_core.runtime.operation import Operation

REST_ADDRESS = "http://localhost:8080"
OPERATIONS_IN_89 = 183


@pytest.fixture(scope="module")
def capture() -> CapturingTransportPlugin:
    return CapturingTransportPlugin()


@pytest.fixture(scope="module")
def sync_client(capture: CapturingTransportPlugin) -> Iterator[CamundaClient]:
    client = CamundaClient(
        client_configuration(REST_ADDRESS),
        plugins=[capture, BearerTokenPlugin()],
        load_entry_points=False,
        environ={},
    )
    yield client
    client.close()


def test_every_spec_operation_has_a_descriptor_and_both_methods(contract_89: SpecContract) -> None:
    missing: list[str] = []
    for operation_id, spec_op in contract_89.operations.items():
        op = getattr(operations, spec_op.snake_name, None)
        if not isinstance(op, Operation):
            missing.append(f"{operation_id}: no descriptor")
            continue
        for cls in (CamundaClient, CamundaAsyncClient):
            if not callable(getattr(cls, spec_op.snake_name, None)):
                missing.append(f"{operation_id}: no {cls.__name__}.{spec_op.snake_name}")
        if op.method != spec_op.method or op.path != spec_op.path:
            missing.append(f"{operation_id}: descriptor says {op.method} {op.path}, spec {spec_op.method} {spec_op.path}")
    assert not missing, "\n".join(missing)
    assert len(contract_89.operations) == OPERATIONS_IN_89


@pytest.mark.parametrize("operation_id", operation_params())
def test_sync_request_validates(
    operation_id: str,
    contract_89: SpecContract,
    sync_client: CamundaClient,
    capture: CapturingTransportPlugin,
) -> None:
    spec_op = contract_89.operations[operation_id]
    op = descriptor(spec_op)
    arguments = build_call_arguments(CamundaClient, op, spec_op, contract_89.resolver)
    capture.reset(lambda _: minimal_response(op, spec_op, contract_89.resolver))
    method: Any = getattr(sync_client, spec_op.snake_name)

    problems = check_captured_exchange(
        spec_op, op, capture, contract_89.openapi, contract_89.resolver, lambda: method(**arguments.kwargs)
    )
    assert not problems, f"{operation_id} ({spec_op.method} {spec_op.path}):\n" + "\n".join(problems)


@pytest.mark.parametrize("operation_id", operation_params())
def test_async_request_validates(
    operation_id: str,
    contract_89: SpecContract,
    capture: CapturingTransportPlugin,
) -> None:
    spec_op = contract_89.operations[operation_id]
    op = descriptor(spec_op)
    arguments = build_call_arguments(CamundaAsyncClient, op, spec_op, contract_89.resolver)
    capture.reset(lambda _: minimal_response(op, spec_op, contract_89.resolver))

    async def call() -> Any:
        async with CamundaAsyncClient(
            client_configuration(REST_ADDRESS),
            plugins=[capture, BearerTokenPlugin()],
            load_entry_points=False,
            environ={},
        ) as client:
            method: Any = getattr(client, spec_op.snake_name)
            return await method(**arguments.kwargs)

    problems = check_captured_exchange(
        spec_op, op, capture, contract_89.openapi, contract_89.resolver, lambda: asyncio.run(call())
    )
    assert not problems, f"{operation_id} ({spec_op.method} {spec_op.path}):\n" + "\n".join(problems)


@pytest.mark.parametrize("operation_id", operation_params(KNOWN_ACCEPT_BUGS))
def test_accept_header_admits_the_success_media_type(
    operation_id: str,
    contract_89: SpecContract,
    sync_client: CamundaClient,
    capture: CapturingTransportPlugin,
) -> None:
    # openapi-core does not check Accept, but a server that honours it answers 406.
    spec_op = contract_89.operations[operation_id]
    op = descriptor(spec_op)
    arguments = build_call_arguments(CamundaClient, op, spec_op, contract_89.resolver)
    capture.reset(lambda _: minimal_response(op, spec_op, contract_89.resolver))
    getattr(sync_client, spec_op.snake_name)(**arguments.kwargs)
    accept = capture.requests[0].headers.get("accept", "*/*")
    media_types = success_media_types(spec_op, contract_89.resolver)
    assert accept_allows(accept, media_types), (
        f"{operation_id}: Accept {accept!r} admits none of the success media types {media_types}"
    )
