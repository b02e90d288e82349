"""A request body rejected before sending is also the operation's documented 400 class.

The seed's error-handling example catches ``CreateProcessInstanceBadRequest`` for a key
of the wrong type; our client finds that mistake before sending, and the same ``except``
must still catch it.
"""

from __future__ import annotations

import asyncio
import pickle

import pytest

from camunda_core.errors import ValidationError
from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient
from camunda_orchestration_sdk.errors import BadRequest, CreateProcessInstanceBadRequest
from camunda_orchestration_sdk.models.process_creation_by_key import ProcessCreationByKey

# Nothing listens on port 9: an attempt to send would fail with a transport error instead.
CONFIG = {"CAMUNDA_REST_ADDRESS": "http://127.0.0.1:9", "CAMUNDA_RETRY_MAX_ATTEMPTS": "1"}
BAD = ProcessCreationByKey(process_definition_key=99999)  # type: ignore[arg-type]


def _check(error: BaseException) -> None:
    assert isinstance(error, CreateProcessInstanceBadRequest)
    assert isinstance(error, BadRequest)
    assert isinstance(error, ValidationError)
    assert error.status == 400
    assert "process_definition_key" in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, CreateProcessInstanceBadRequest) and again.problems == error.problems  # type: ignore[attr-defined]


def test_sync_client_raises_the_operations_bad_request_before_sending() -> None:
    with CamundaClient(configuration=CONFIG) as client, pytest.raises(CreateProcessInstanceBadRequest) as info:
        client.create_process_instance(data=BAD)
    _check(info.value)


def test_async_client_raises_the_operations_bad_request_before_sending() -> None:
    async def run() -> BaseException:
        async with CamundaAsyncClient(configuration=CONFIG) as client:
            try:
                await client.create_process_instance(data=BAD)
            except CreateProcessInstanceBadRequest as error:
                return error
        raise AssertionError("not raised")

    _check(asyncio.run(run()))
