"""The checks shared by the sync and async in-process contract tests."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import attrs
import httpx
import pytest
from contract_harness import (
    CapturingTransportPlugin,
    OpenApiRequest,
    OpenApiResponse,
    describe_validation_error,
)
from contract_spec import (
    SPEC_FILE,
    SchemaResolver,
    SpecOperation,
    load_spec,
    spec_dir,
    spec_operations,
)

from camunda_core.api import operations
from camunda_core.runtime.operation import Operation

__all__ = [
    "KNOWN_REQUEST_BUGS",
    "operation_params",
    "descriptor",
    "path_regex",
    "check_captured_exchange",
    "openapi_core_view",
    "KNOWN_ACCEPT_BUGS",
    "success_media_types",
    "accept_allows",
]

#: Operations whose success media type the client's Accept header refuses.
#: Keep this empty unless a bug is open (each entry is an xfail(strict=True)).
KNOWN_ACCEPT_BUGS: dict[str, str] = {}

#: Operations whose generated request is known not to validate, with the diagnosed
#: cause. Each is an xfail(strict=True): when the fix lands the test fails until
#: the entry is removed. Keep this empty unless a bug is open.
KNOWN_REQUEST_BUGS: dict[str, str] = {}


def operation_params(known_bugs: dict[str, str] | None = None) -> list[Any]:
    """The 8.9 operation ids as pytest params (one skipped param when the spec is absent)."""
    known = KNOWN_REQUEST_BUGS if known_bugs is None else known_bugs
    directory = spec_dir()
    if not (directory / SPEC_FILE).is_file():
        return [pytest.param("<no spec>", marks=pytest.mark.skip(reason=f"spec not found in {directory}"))]
    params: list[Any] = []
    for spec_op in spec_operations(load_spec(directory)):
        reason = known.get(spec_op.operation_id)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(spec_op.operation_id, marks=marks, id=spec_op.operation_id))
    return params


def descriptor(spec_op: SpecOperation) -> Operation[Any]:
    op = getattr(operations, spec_op.snake_name, None)
    if not isinstance(op, Operation):
        raise AssertionError(f"{spec_op.operation_id}: no descriptor camunda_core.api.operations.{spec_op.snake_name}")
    return typing.cast("Operation[Any]", op)


def path_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^/v2{body}$")


def check_captured_exchange(
    spec_op: SpecOperation,
    op: Operation[Any],
    capture: CapturingTransportPlugin,
    openapi: Any,
    resolver: SchemaResolver,
    outcome: Callable[[], Any],
) -> list[str]:
    """Run ``outcome`` (the client call) and list every contract problem found."""
    problems: list[str] = []
    try:
        result = outcome()
    except Exception as exc:  # the call itself must succeed on a valid minimal response
        problems.append(f"the call raised {type(exc).__name__}: {exc}")
        result = None
    if len(capture.requests) != 1:
        problems.append(f"expected exactly one request, captured {len(capture.requests)}")
        return problems
    request: httpx.Request = capture.requests[0]
    response: httpx.Response = capture.responses[0]
    if request.method != spec_op.method:
        problems.append(f"method {request.method}, spec says {spec_op.method}")
    if not path_regex(spec_op.path).match(request.url.path):
        problems.append(f"path {request.url.path} does not match /v2{spec_op.path}")
    try:
        openapi.validate_request(OpenApiRequest(openapi_core_view(request, spec_op, resolver)))
    except Exception as exc:
        problems.append("request does not validate:\n" + describe_validation_error(exc))
    # openapi-core reads a declared-but-empty ``content: {}`` (the spec's 204s) as
    # "a body is required", and has no deserialiser for text/xml; a bodiless or
    # XML answer is checked by the call's result type instead.
    if response.content and "json" in response.headers.get("content-type", ""):
        try:
            openapi.validate_response(OpenApiRequest(request), OpenApiResponse(response))
        except Exception as exc:  # a bug in the test's minimal response, not in the client
            problems.append("(test harness) mock response does not validate:\n" + describe_validation_error(exc))
    if not problems and op.response_kind == "model":
        expected = op.response_type
        if isinstance(expected, type) and attrs.has(expected) and not isinstance(result, expected):
            problems.append(f"result is {type(result).__name__}, expected {expected.__name__}")
    elif not problems and op.response_kind == "none" and result is not None:
        problems.append(f"result is {type(result).__name__}, expected None")
    return problems


def openapi_core_view(request: httpx.Request, spec_op: SpecOperation, resolver: SchemaResolver) -> httpx.Request:
    """The request as openapi-core can read it; the same request unless a multipart array went as one JSON part.

    ``createDocuments`` sends ``metadataList`` as ONE ``application/json`` part
    holding the array: the spec's description asks for a JSON array and the
    server reads one part into a list. openapi-core reads an array property of
    a multipart body as repeated parts, so here each item becomes its own part
    (same content, the shape openapi-core expects). Everything else is untouched.
    """
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/"):
        return request
    media = spec_op.definition.get("requestBody", {}).get("content", {})
    schema = next((m.get("schema", {}) for t, m in media.items() if t.startswith("multipart/")), {})
    properties = resolver.flatten(schema).get("properties", {})
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + request.content
    )
    files: list[tuple[str, tuple[str | None, bytes, str]]] = []
    changed = False
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = str(part.get_param("name", header="content-disposition") or "")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        part_type = str(part.get("content-type", "application/octet-stream"))
        declared = resolver.flatten(properties.get(name, {}))
        items = resolver.flatten(declared.get("items", {}))
        if (
            filename is None
            and part.get_content_type() == "application/json"
            and declared.get("type") == "array"
            and items.get("format") != "binary"
        ):
            decoded = json.loads(payload)
            if isinstance(decoded, list):
                changed = True
                for item in typing.cast("list[Any]", decoded):
                    files.append((name, (None, json.dumps(item).encode(), "application/json")))
                continue
        files.append((name, (filename, payload, part_type)))
    if not changed:
        return request
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-type", "content-length")}
    view = httpx.Request(request.method, request.url, headers=headers, files=files)
    view.read()
    return view


def success_media_types(spec_op: SpecOperation, resolver: SchemaResolver) -> list[str]:
    """Media types of the operation's 2xx responses that carry a body."""
    found: list[str] = []
    for status, response in spec_op.definition.get("responses", {}).items():
        if str(status).startswith("2"):
            found.extend(resolver.deref(response).get("content", {}).keys())
    return found


def accept_allows(accept: str, media_types: list[str]) -> bool:
    """Whether an ``Accept`` value admits at least one of ``media_types`` (or there is no body)."""
    if not media_types:
        return True
    ranges = [part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()]
    for media_type in media_types:
        kind = media_type.split("/")[0].lower()
        for accepted in ranges:
            if accepted in ("*/*", media_type.lower(), f"{kind}/*"):
                return True
    return False
