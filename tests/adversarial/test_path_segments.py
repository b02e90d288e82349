"""Path parameter values can never change which resource a request addresses (issue 13 item 1).

The fault server records the raw request line, so what is checked is what the
transport really put on the wire, after any normalisation it does.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from adversarial_support import Caller, call, problem_bytes
from fault_server import FaultServer, RawRequest, raw_bytes

from camunda_orchestration_sdk import ApiError, CamundaError, ValidationError

# (method name, path arguments, the parameter that gets the hostile value, the path template)
SAMPLE_OPERATIONS: list[tuple[str, dict[str, str], str, str]] = [
    ("unassign_user_from_tenant", {"username": "bob"}, "tenant_id", "/v2/tenants/{}/users/bob"),
    ("unassign_user_from_tenant", {"tenant_id": "acme"}, "username", "/v2/tenants/acme/users/{}"),
    ("get_process_instance", {}, "process_instance_key", "/v2/process-instances/{}"),
    (
        "cancel_process_instance",
        {},
        "process_instance_key",
        "/v2/process-instances/{}/cancellation",
    ),
    ("get_user", {}, "username", "/v2/users/{}"),
]
# Free-text parameters: the reserved-character check needs values no pattern rejects.
TEXT_OPERATIONS = [op for op in SAMPLE_OPERATIONS if op[2] in ("tenant_id", "username")]

DOT_SEGMENTS = [".", "..", ""]
GEN_DELIMS = ":/?#[]@"
SUB_DELIMS = "!$&'()*+,;="
OTHER_HOSTILE = [
    "%",
    " ",
    "\t",
    "\\",
    '"',
    "<",
    ">",
    "^",
    "`",
    "{",
    "|",
    "}",
    "é",
    "%2E%2E",
    "%2F",
    "a/../b",
    "./",
    "../",
]
HOSTILE_VALUES = [f"a{c}b" for c in GEN_DELIMS + SUB_DELIMS] + OTHER_HOSTILE
UNRESERVED_OR_ESCAPE = re.compile(r"^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+$")


def _operation_named(error: BaseException, method: str) -> bool:
    text = str(error)
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), method)
    return method in text or camel in text


def _parameter_named(error: BaseException, parameter: str) -> bool:
    text = str(error)
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), parameter)
    return parameter in text or camel in text


@pytest.mark.parametrize("value", DOT_SEGMENTS, ids=["dot", "dot-dot", "empty"])
@pytest.mark.parametrize(
    ("method", "fixed", "parameter", "template"),
    SAMPLE_OPERATIONS,
    ids=[f"{m}-{p}" for m, _, p, _ in SAMPLE_OPERATIONS],
)
def test_dot_segment_path_values_are_rejected_before_sending(
    fault_server: FaultServer,
    surface: str,
    method: str,
    fixed: dict[str, str],
    parameter: str,
    template: str,
    value: str,
) -> None:
    fault_server.set_default(raw_bytes(problem_bytes(404, "NOT_FOUND")))
    with pytest.raises(ValidationError) as caught:
        call(surface, fault_server.rest_address, method, **fixed, **{parameter: value})
    assert fault_server.requests == [], f"sent {[r.request_line for r in fault_server.requests]}"
    assert _operation_named(caught.value, method), str(caught.value)
    assert _parameter_named(caught.value, parameter), str(caught.value)


def _send_each(
    server: FaultServer, surface: str, method: str, fixed: dict[str, str], parameter: str
) -> list[tuple[str, RawRequest | None, str | None]]:
    """Call ``method`` once per hostile value: (value, the request sent or None, a problem)."""
    server.set_default(raw_bytes(problem_bytes(404, "NOT_FOUND")))
    results: list[tuple[str, RawRequest | None, str | None]] = []
    with Caller(surface, server.rest_address) as invoke:
        for value in HOSTILE_VALUES:
            before = len(server.requests)
            try:
                invoke(method, **fixed, **{parameter: value})
            except ValidationError:
                sent_after = len(server.requests) != before
                results.append(
                    (value, None, "rejected, but only after sending" if sent_after else None)
                )
                continue
            except ApiError:
                pass  # the scripted 404: the request went out
            sent = server.requests[before:]
            if len(sent) != 1:
                results.append((value, None, f"{len(sent)} requests"))
            else:
                results.append((value, sent[0], None))
    return results


def _segment(request: RawRequest, template: str) -> str | None:
    prefix, suffix = template.split("{}")
    path = request.path
    if not (path.startswith(prefix) and path.endswith(suffix)) or len(path) < len(prefix) + len(
        suffix
    ):
        return None
    return path[len(prefix) : len(path) - len(suffix)]


@pytest.mark.parametrize(
    ("method", "fixed", "parameter", "template"),
    TEXT_OPERATIONS,
    ids=[f"{m}-{p}" for m, _, p, _ in TEXT_OPERATIONS],
)
def test_every_reserved_character_in_a_path_value_stays_inside_its_one_segment(
    fault_server: FaultServer,
    surface: str,
    method: str,
    fixed: dict[str, str],
    parameter: str,
    template: str,
) -> None:
    """Each value arrives as exactly one segment that decodes back to it, or is rejected unsent."""
    wrong: list[str] = []
    for value, request, problem in _send_each(fault_server, surface, method, fixed, parameter):
        if problem is not None:
            wrong.append(f"{value!r}: {problem}")
        if request is None:
            continue
        segment = _segment(request, template)
        if segment is None or "/" in segment or segment in (".", "..") or unquote(segment) != value:
            wrong.append(f"{value!r}: sent as {request.request_line!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "surface",
    [
        "sync",
        "async-httpx",
        "async-aiohttp",
    ],
)
def test_path_values_are_percent_encoded_outside_the_unreserved_set_on_the_wire(
    fault_server: FaultServer, surface: str
) -> None:
    """Stricter than one segment: what the wire carries is only unreserved characters and escapes."""
    method, fixed, parameter, template = TEXT_OPERATIONS[1]
    wrong: list[str] = []
    for value, request, problem in _send_each(fault_server, surface, method, fixed, parameter):
        if problem is not None:
            wrong.append(f"{value!r}: {problem}")
        if request is None:
            continue
        segment = _segment(request, template)
        if segment is None or not UNRESERVED_OR_ESCAPE.match(segment):
            wrong.append(f"{value!r}: sent as {request.request_line!r}")
    assert not wrong, "\n".join(wrong)


def test_percent_encoded_dots_reach_the_server_as_a_literal_value_not_a_dot_segment(
    fault_server: FaultServer, surface: str
) -> None:
    """``%2E%2E`` is a legitimate name: it must arrive double-encoded, never as ``..``."""
    fault_server.set_default(raw_bytes(problem_bytes(404, "NOT_FOUND")))
    with pytest.raises(CamundaError):
        call(surface, fault_server.rest_address, "get_user", username="%2E%2E")
    (request,) = fault_server.requests
    assert request.path == "/v2/users/%252E%252E", request.request_line
