"""Silent and slow-dripping servers: a call ends at its limits (issue 13 item 2).

Per call, ``timeout=`` (seconds) is the total time of one attempt: connect,
write and the whole response. The cut-off checks allow +-10 %, as the issue
asks; nothing else here is timed.
"""

from __future__ import annotations

import json
import time

import pytest
from adversarial_support import Caller, topology_payload
from fault_server import FaultServer, drip, http_response, never_answer

from camunda_orchestration_sdk import TransportTimeoutError

TOLERANCE = 0.10
PAD = 160  # bytes dripped per phase: at 10 ms a byte, well past every limit used here


def _dripping_response() -> tuple[bytes, dict[str, tuple[int, int]]]:
    """A valid topology response padded in each phase, and where each phase lies."""
    body = json.dumps(topology_payload(gateway_version="8.9.0-" + "x" * PAD)).encode()
    response = http_response(200, body, reason="O" * PAD, headers=[("X-Pad", "p" * PAD)])
    status_end = response.index(b"\r\n") + 2
    head_end = response.index(b"\r\n\r\n") + 4
    phases = {
        "status-line": (0, PAD),
        "headers": (status_end, status_end + PAD + 20),
        "body": (head_end, head_end + PAD + 20),
    }
    return response, phases


def _elapsed(invoke: Caller, **kwargs: object) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        invoke("get_topology", **kwargs)
    except Exception as exc:
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


def _names_limit(error: BaseException, seconds: float) -> bool:
    text = str(error).lower()
    value_named = f"{seconds:g}" in text or f"{round(seconds * 1000)}" in text
    return value_named and any(
        word in text for word in ("timeout", "time limit", "deadline", "timed out")
    )


def test_a_server_that_never_answers_ends_at_the_per_call_timeout_as_a_timeout_error(
    fault_server: FaultServer, surface: str
) -> None:
    fault_server.set_default(never_answer())
    with Caller(surface, fault_server.rest_address) as invoke:
        elapsed, error = _elapsed(invoke, timeout=0.5, retry=False)
    assert isinstance(error, TransportTimeoutError), repr(error)
    assert elapsed < 5.0, "a guard against hanging, not a timing check"
    assert len(fault_server.requests) == 1


def test_a_timeout_error_says_which_limit_fired(
    fault_server: FaultServer, surface: str
) -> None:
    fault_server.set_default(never_answer())
    with Caller(surface, fault_server.rest_address) as invoke:
        _, error = _elapsed(invoke, timeout=0.5, retry=False)
    assert isinstance(error, TransportTimeoutError), repr(error)
    assert _names_limit(error, 0.5), str(error)


@pytest.mark.parametrize("phase", ["status-line", "headers", "body"])
def test_a_slow_drip_response_is_cut_off_at_the_per_call_total_timeout_within_ten_percent(
    fault_server: FaultServer, surface: str, phase: str
) -> None:
    response, phases = _dripping_response()
    start, stop = phases[phase]
    fault_server.set_default(drip(response, start=start, stop=stop))
    with Caller(surface, fault_server.rest_address) as invoke:
        elapsed, error = _elapsed(invoke, timeout=1.0, retry=False)
    assert isinstance(error, TransportTimeoutError), f"{error!r} after {elapsed:.2f} s"
    assert 1.0 * (1 - TOLERANCE) <= elapsed <= 1.0 * (1 + TOLERANCE), elapsed
    assert _names_limit(error, 1.0), str(error)


def test_a_slow_drip_is_cut_off_at_the_configured_request_timeout_within_ten_percent(
    fault_server: FaultServer, surface: str
) -> None:
    response, phases = _dripping_response()
    start, stop = phases["body"]
    fault_server.set_default(drip(response, start=start, stop=stop))
    settings = {"CAMUNDA_HTTP_REQUEST_TIMEOUT_MS": 1000, "CAMUNDA_RETRY_MAX_ATTEMPTS": 1}
    with Caller(surface, fault_server.rest_address, settings) as invoke:
        elapsed, error = _elapsed(invoke)
    assert isinstance(error, TransportTimeoutError), f"{error!r} after {elapsed:.2f} s"
    assert 1.0 * (1 - TOLERANCE) <= elapsed <= 1.0 * (1 + TOLERANCE), elapsed


def test_the_retry_deadline_bounds_the_whole_call_including_the_attempt_in_flight(
    fault_server: FaultServer, surface: str
) -> None:
    """Attempts of 0.4 s against a 1 s deadline: the third attempt must not run past it."""
    fault_server.set_default(never_answer())
    settings = {"CAMUNDA_RETRY_DEADLINE_MS": 1000, "CAMUNDA_RETRY_MAX_ATTEMPTS": 10}
    with Caller(surface, fault_server.rest_address, settings) as invoke:
        elapsed, error = _elapsed(invoke, timeout=0.4)
    assert isinstance(error, TransportTimeoutError), repr(error)
    assert elapsed <= 1.0 * (1 + TOLERANCE), elapsed
    assert len(fault_server.requests) >= 2
