"""Every path parameter of every generated 8.9 operation stays exactly one path segment.

Each call goes through the generated method (sync and async, on every transport)
to a loopback server that reads raw bytes and records the request line as sent,
so nothing between the SDK and the assertion can normalise the path.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest

from camunda_core import CamundaAsyncClient, CamundaClient
from camunda_core.api import operations
from camunda_core.errors import ApiError, ValidationError
from camunda_core.runtime.operation import Operation, Param

_PROBLEM = b'{"type":"about:blank","title":"NOT_FOUND","status":404,"detail":"recorded"}'
_RESPONSE = (
    b"HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\n"
    b"Content-Length: " + str(len(_PROBLEM)).encode() + b"\r\n\r\n" + _PROBLEM
)


class RawRecordingServer:
    """HTTP/1.1 on a plain asyncio stream: records request lines byte for byte, answers 404.

    Deliberately no HTTP library: the point is to see the path exactly as the
    transport wrote it. Connections are kept alive.
    """

    def __init__(self) -> None:
        self.request_lines: list[bytes] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._run, name="raw-recording-server", daemon=True)
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    def __enter__(self) -> RawRecordingServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._connections:
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def take(self) -> list[bytes]:
        lines, self.request_lines = self.request_lines, []
        return lines

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                length, chunked = 0, False
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                    elif (
                        name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower()
                    ):
                        chunked = True
                if chunked:
                    while True:
                        size = int((await reader.readline()).split(b";")[0], 16)
                        await reader.readexactly(size + 2)
                        if size == 0:
                            break
                elif length:
                    await reader.readexactly(length)
                self.request_lines.append(line.rstrip(b"\r\n"))
                writer.write(_RESPONSE)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._connections.discard(task)
            writer.close()


def _path_operations() -> dict[str, Operation[Any]]:
    """Descriptor per generated method name (the descriptor's module name is the method's)."""
    found = {
        name: value for name, value in vars(operations).items() if isinstance(value, Operation)
    }
    return {name: op for name, op in sorted(found.items()) if op.path_params}


_BY_METHOD = _path_operations()
PATH_OPERATIONS = list(_BY_METHOD.values())
METHOD_NAMES = {op.operation_id: name for name, op in _BY_METHOD.items()}

#: Every gen-delim and sub-delim, space, %, controls, unicode, and values that look like dot segments.
HOSTILE_VALUES: tuple[str, ...] = (
    ":/?#[]@!$&'()*+,;=",
    "a b%",
    "%2E%2E",
    ".%2e",
    "../x",
    "a/../b",
    "...",
    "a\\..\\b",
    "\t\r\n\x00",
    "{processInstanceKey}",
    "ünï©ødé-✓-𝄞",
    "-._~AZaz09",
)
FORBIDDEN_VALUES: tuple[str, ...] = (".", "..", "")
ASYNC_TRANSPORTS = ("httpx", "aiohttp")
#: httpx's own async transport costs ~5 ms a call: it gets a rotating share of the values
#: (every value still reaches ~30 operations); the other transports get every pair.
ROTATED_SHARE = 3


def _call_kwargs(op: Operation[Any], values: dict[str, str]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        param.python_name: values[param.wire_name] for param in op.path_params
    }
    if op.body_required:
        # A plain JSON body: the path is what is under test, the server reads nothing else.
        kwargs["data"] = {}
    kwargs["retry"] = False
    return kwargs


def _values_for(op: Operation[Any], value: str) -> dict[str, str]:
    # With two parameters the second gets a different hostile value, so a swap would show.
    params = op.path_params
    return {
        param.wire_name: (value if index == 0 else value[::-1] + "#2")
        for index, param in enumerate(params)
    }


def _check_request_line(op: Operation[Any], values: dict[str, str], line: bytes) -> None:
    method, raw_path, version = line.decode("ascii").split(" ")
    assert (method, version) == (op.method, "HTTP/1.1"), line
    assert "?" not in raw_path and "#" not in raw_path, line
    sent = raw_path.split("/")
    template = ("/v2" + op.path).split("/")
    assert len(sent) == len(template), (
        f"{op.operation_id}: {line!r} has a different number of segments"
    )
    by_placeholder = {"{" + param.wire_name + "}": param for param in op.path_params}
    for sent_segment, template_segment in zip(sent, template, strict=True):
        param: Param | None = by_placeholder.get(template_segment)
        if param is None:
            assert sent_segment == template_segment, f"{op.operation_id}: {line!r}"
            continue
        assert re.fullmatch(r"(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+", sent_segment), line
        assert unquote(sent_segment, errors="strict") == values[param.wire_name], (
            f"{op.operation_id}: {param.python_name} arrived as {sent_segment!r}"
        )


@pytest.fixture(scope="module")
def server() -> Iterator[RawRecordingServer]:
    with RawRecordingServer() as running:
        yield running


def _configuration(server: RawRecordingServer, transport: str = "auto") -> dict[str, object]:
    return {"CAMUNDA_REST_ADDRESS": server.address, "CAMUNDA_HTTP_TRANSPORT": transport}


def test_every_generated_path_operation_is_covered() -> None:
    assert len(PATH_OPERATIONS) > 100
    for op in PATH_OPERATIONS:
        assert hasattr(CamundaClient, METHOD_NAMES[op.operation_id]), op.operation_id
        assert hasattr(CamundaAsyncClient, METHOD_NAMES[op.operation_id]), op.operation_id


def test_hostile_path_values_arrive_as_one_segment_each_sync(server: RawRecordingServer) -> None:
    server.take()
    with CamundaClient(_configuration(server), load_entry_points=False, environ={}) as client:
        for op, values in _cases(HOSTILE_VALUES, rotated=False):
            with pytest.raises(ApiError):
                getattr(client, METHOD_NAMES[op.operation_id])(**_call_kwargs(op, values))
            (line,) = server.take()
            _check_request_line(op, values, line)


def _cases(
    values: tuple[str, ...], rotated: bool
) -> Iterator[tuple[Operation[Any], dict[str, str]]]:
    for index, op in enumerate(PATH_OPERATIONS):
        chosen = values
        if rotated:
            chosen = tuple(
                values[(index * ROTATED_SHARE + k) % len(values)] for k in range(ROTATED_SHARE)
            )
        for value in chosen:
            yield op, _values_for(op, value)


@pytest.mark.parametrize(
    ("transport", "values", "rotated"),
    [
        pytest.param("httpx", HOSTILE_VALUES, True, id="httpx"),
        pytest.param("aiohttp", HOSTILE_VALUES, False, id="aiohttp"),
    ],
)
def test_hostile_path_values_arrive_as_one_segment_each_async(
    server: RawRecordingServer, transport: str, values: tuple[str, ...], rotated: bool
) -> None:
    async def main() -> None:
        async with CamundaAsyncClient(
            _configuration(server, transport), load_entry_points=False, environ={}
        ) as client:
            for op, call_values in _cases(values, rotated):
                with pytest.raises(ApiError):
                    await getattr(client, METHOD_NAMES[op.operation_id])(
                        **_call_kwargs(op, call_values)
                    )
                (line,) = server.take()
                _check_request_line(op, call_values, line)

    server.take()
    asyncio.run(main())


def _forbidden_cases() -> Iterator[tuple[Operation[Any], Param, dict[str, str]]]:
    for op in PATH_OPERATIONS:
        for target in op.path_params:
            for bad in FORBIDDEN_VALUES:
                values = {param.wire_name: "ok" for param in op.path_params}
                values[target.wire_name] = bad
                yield op, target, values


def _assert_names_operation_and_parameter(
    error: ValidationError, op: Operation[Any], param: Param
) -> None:
    message = str(error)
    assert op.operation_id in message and repr(param.python_name) in message, message


def test_dot_and_empty_path_values_are_rejected_before_sending_sync(
    server: RawRecordingServer,
) -> None:
    server.take()
    with CamundaClient(_configuration(server), load_entry_points=False, environ={}) as client:
        for op, target, values in _forbidden_cases():
            method = getattr(client, METHOD_NAMES[op.operation_id])
            with pytest.raises(ValidationError) as caught:
                method(**_call_kwargs(op, values))
            _assert_names_operation_and_parameter(caught.value, op, target)
    assert server.take() == []


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_dot_and_empty_path_values_are_rejected_before_sending_async(
    server: RawRecordingServer, transport: str
) -> None:
    async def main() -> None:
        async with CamundaAsyncClient(
            _configuration(server, transport), load_entry_points=False, environ={}
        ) as client:
            for op, target, values in _forbidden_cases():
                method = getattr(client, METHOD_NAMES[op.operation_id])
                with pytest.raises(ValidationError) as caught:
                    await method(**_call_kwargs(op, values))
                _assert_names_operation_and_parameter(caught.value, op, target)

    server.take()
    asyncio.run(main())
    assert server.take() == []


# The three calls the issue reported as leaving their own path, on every transport.
ISSUE_CALLS = (
    ("unassign_user_from_tenant", {"tenant_id": "..", "username": "bob"}),
    ("get_process_instance", {"process_instance_key": ".."}),
    ("cancel_process_instance", {"process_instance_key": "."}),
)


@pytest.mark.parametrize(("method_name", "kwargs"), ISSUE_CALLS)
def test_reported_dot_segment_calls_raise_before_sending(
    server: RawRecordingServer, method_name: str, kwargs: dict[str, str]
) -> None:
    server.take()
    with (
        CamundaClient(_configuration(server), load_entry_points=False, environ={}) as client,
        pytest.raises(ValidationError, match="must not be"),
    ):
        getattr(client, method_name)(**kwargs, retry=False)

    async def main(transport: str) -> None:
        async with CamundaAsyncClient(
            _configuration(server, transport), load_entry_points=False, environ={}
        ) as client:
            with pytest.raises(ValidationError, match="must not be"):
                await getattr(client, method_name)(**kwargs, retry=False)

    for transport in ASYNC_TRANSPORTS:
        asyncio.run(main(transport))
    assert server.take() == []
