"""Connections reset before, during and after a response (issue 13 items 2 and 5).

The rule under test: a request that may have reached the server is replayed
only when the operation is idempotent, within the configured attempts, and
never with ``retry=False``.
"""

from __future__ import annotations

import json

import pytest
from adversarial_support import Caller, call, topology_bytes
from fault_server import (
    FaultServer,
    RawRequest,
    http_response,
    raw_bytes,
    reset_after_response,
    reset_before_response,
    reset_during_response,
    truncated_body,
)

from camunda_orchestration_sdk import TransportConnectionError, TransportError
from camunda_orchestration_sdk.models.process_creation_by_id import ProcessCreationById

ATTEMPTS = {"CAMUNDA_RETRY_MAX_ATTEMPTS": 3}
CREATED = http_response(
    200,
    json.dumps(
        {
            "processDefinitionId": "p",
            "processDefinitionVersion": 1,
            "tenantId": "<default>",
            "variables": {},
            "processDefinitionKey": "2251799813685249",
            "processInstanceKey": "2251799813685250",
            "tags": [],
        }
    ).encode(),
)

FAULTS = {
    "before": reset_before_response,
    "during": lambda: reset_during_response(topology_bytes()),
    "cut-body": lambda: truncated_body(topology_bytes(), keep=10),
}


def _create(surface: str, server: FaultServer, **kwargs: object) -> object:
    data = ProcessCreationById(process_definition_id="p")  # type: ignore[arg-type]
    return call(
        surface, server.rest_address, "create_process_instance", ATTEMPTS, data=data, **kwargs
    )


@pytest.mark.parametrize("fault", FAULTS)
def test_reset_of_an_idempotent_get_is_retried_up_to_the_attempts_then_a_connection_error(
    fault_server: FaultServer, surface: str, fault: str
) -> None:
    fault_server.set_default(FAULTS[fault]())
    with pytest.raises(TransportConnectionError) as caught:
        call(surface, fault_server.rest_address, "get_topology", ATTEMPTS)
    assert len(fault_server.requests) == 3
    assert "getTopology" in str(caught.value)


@pytest.mark.parametrize("fault", FAULTS)
def test_reset_of_an_idempotent_get_recovers_on_the_next_attempt(
    fault_server: FaultServer, surface: str, fault: str
) -> None:
    fault_server.push(FAULTS[fault]())
    fault_server.set_default(raw_bytes(topology_bytes()))
    topology = call(surface, fault_server.rest_address, "get_topology", ATTEMPTS)
    assert topology.cluster_size == 1
    assert len(fault_server.requests) == 2


@pytest.mark.parametrize("fault", ["before", "during"])
def test_create_process_instance_is_never_replayed_once_the_server_may_have_it(
    fault_server: FaultServer, surface: str, fault: str
) -> None:
    behaviour = reset_before_response() if fault == "before" else reset_during_response(CREATED)
    fault_server.set_default(behaviour)
    with pytest.raises(TransportError) as caught:
        _create(surface, fault_server)
    assert len(fault_server.requests) == 1, [r.request_line for r in fault_server.requests]
    assert caught.value.request_sent is not False


@pytest.mark.parametrize("fault", FAULTS)
def test_retry_false_sends_exactly_one_request_after_a_reset(
    fault_server: FaultServer, surface: str, fault: str
) -> None:
    fault_server.set_default(FAULTS[fault]())
    with pytest.raises(TransportError):
        call(surface, fault_server.rest_address, "get_topology", ATTEMPTS, retry=False)
    assert len(fault_server.requests) == 1


def test_reset_after_a_complete_response_returns_the_result_and_sends_nothing_again(
    fault_server: FaultServer, surface: str
) -> None:
    fault_server.set_default(reset_after_response(CREATED))
    result = _create(surface, fault_server)
    assert str(getattr(result, "process_instance_key", "")) == "2251799813685250"
    assert len(fault_server.requests) == 1


def test_a_pooled_connection_reset_between_calls_never_gets_the_next_create_sent_twice(
    fault_server: FaultServer, surface: str
) -> None:
    """The server resets a keep-alive connection while it idles in the pool.

    The next create may fail (the transport may have written it into the dead
    connection) but it reaches the server at most once, and the client recovers.
    """
    fault_server.push(reset_after_response(topology_bytes()))
    fault_server.set_default(raw_bytes(CREATED))
    with Caller(surface, fault_server.rest_address, ATTEMPTS) as invoke:
        invoke("get_topology")
        fault_server.wait_until_idle()  # the reset has happened before the next call starts
        invoke.settle()
        try:
            invoke("create_process_instance", data=ProcessCreationById(process_definition_id="p"))  # type: ignore[arg-type]
        except TransportError as error:
            assert error.request_sent is not False or not _posts(fault_server)
        assert len(_posts(fault_server)) <= 1
        fault_server.set_default(raw_bytes(topology_bytes()))
        assert invoke("get_topology").cluster_size == 1


def _posts(server: FaultServer) -> list[RawRequest]:
    return [r for r in server.requests if r.method == "POST"]
