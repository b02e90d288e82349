"""A small loopback HTTP/1.1 server that misbehaves on purpose, for the adversarial suite.

It is deliberately separate from ``camunda_testkit``: it works on raw bytes
(asyncio streams, no HTTP library), records every request line and header
exactly as it arrived, and answers with scripted behaviours: normal JSON,
connection resets before, during or after a response, silence, one byte at a
time, huge or malformed bodies, redirects. :meth:`FaultServer.kill` closes the
listening socket and every connection; :meth:`FaultServer.restart` listens
again on the same port.

A behaviour is an ``async (conn, request) -> bool`` callable; it returns
whether the connection may serve another request (keep-alive).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Behaviour",
    "Connection",
    "FaultServer",
    "RawRequest",
    "drip",
    "http_response",
    "json_response",
    "never_answer",
    "raw_bytes",
    "redirect",
    "reset_after_response",
    "reset_before_response",
    "reset_during_response",
    "truncated_body",
]

LOOPBACK = "127.0.0.1"
_SEND_SLICE = 64 * 1024


@dataclass(frozen=True)
class RawRequest:
    """One request as it arrived: the request line and headers byte for byte."""

    request_line: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    connection_id: int
    received_at: float

    @property
    def method(self) -> str:
        return self.request_line.split(b" ", 1)[0].decode("latin-1")

    @property
    def target(self) -> str:
        """The request target exactly as sent (no decoding, no normalisation)."""
        parts = self.request_line.split(b" ")
        return parts[1].decode("latin-1") if len(parts) > 1 else ""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode("latin-1")
        for key, value in self.headers:
            if key.lower() == wanted:
                return value.decode("latin-1")
        return None

    def raw(self) -> bytes:
        """Request line, headers and body as one blob (to search for leaked secrets)."""
        head = b"\r\n".join([self.request_line, *(k + b": " + v for k, v in self.headers)])
        return head + b"\r\n\r\n" + self.body


class Connection:
    """The server side of one client connection."""

    def __init__(
        self, connection_id: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.id = connection_id
        self.reader = reader
        self.writer = writer

    async def send(self, data: bytes) -> None:
        # In slices, so a huge body is never copied whole into the transport's buffer
        # (the memory tests trace this process, server thread included).
        view = memoryview(data)
        for offset in range(0, len(view), _SEND_SLICE):
            self.writer.write(view[offset : offset + _SEND_SLICE])
            await self.writer.drain()

    def reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0), not an orderly FIN."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Behaviour = Callable[[Connection, RawRequest], Awaitable[bool]]


# --------------------------------------------------------------- behaviours


def http_response(
    status: int,
    body: bytes = b"",
    *,
    content_type: str | None = "application/json",
    headers: Sequence[tuple[str, str]] = (),
    reason: str = "X",
) -> bytes:
    """A complete HTTP/1.1 response with a Content-Length."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(f"{name}: {value}" for name, value in headers)
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def raw_bytes(data: bytes, *, keep_alive: bool = True) -> Behaviour:
    """Send ``data`` as the whole answer."""

    async def behaviour(conn: Connection, request: RawRequest) -> bool:
        await conn.send(data)
        return keep_alive

    return behaviour


def json_response(
    status: int,
    payload: Any,
    *,
    content_type: str = "application/json",
    headers: Sequence[tuple[str, str]] = (),
) -> Behaviour:
    return raw_bytes(
        http_response(
            status, json.dumps(payload).encode(), content_type=content_type, headers=headers
        )
    )


def reset_before_response() -> Behaviour:
    """Read the whole request, then reset: the server got it, the client gets nothing."""

    async def behaviour(conn: Connection, request: RawRequest) -> bool:
        conn.reset()
        return False

    return behaviour


def reset_during_response(response: bytes) -> Behaviour:
    """Send the head and half of the body of ``response``, then reset."""

    async def behaviour(conn: Connection, request: RawRequest) -> bool:
        head_end = response.index(b"\r\n\r\n") + 4
        body_len = len(response) - head_end
        await conn.send(response[: head_end + max(1, body_len // 2)])
        await asyncio.sleep(0.02)  # let the client start reading the body
        conn.reset()
        return False

    return behaviour


def reset_after_response(response: bytes) -> Behaviour:
    """Send the complete response, then reset the (keep-alive) connection."""

    async def behaviour(conn: Connection, request: RawRequest) -> bool:
        await conn.send(response)
        await asyncio.sleep(0.05)
        conn.reset()
        return False

    return behaviour


def truncated_body(response: bytes, keep: int) -> Behaviour:
    """Send the head (whose Content-Length promises more) and ``keep`` body bytes, then close."""

    async def behaviour(conn: Connection, request: RawRequest) -> bool:
        head_end = response.index(b"\r\n\r\n") + 4
        await conn.send(response[: head_end + keep])
        conn.writer.close()
        return False

    return behaviour


def never_answer() -> Behaviour:
    """Accept the request and stay silent until the server stops."""

    async def behaviour(conn: Connection, request: RawRequest) -> bool:
        await asyncio.Event().wait()
        return False

    return behaviour


def drip(
    response: bytes, *, start: int = 0, stop: int | None = None, interval: float = 0.01
) -> Behaviour:
    """Send ``response[:start]`` at once, ``[start:stop]`` one byte per ``interval`` seconds, then the rest."""

    async def behaviour(conn: Connection, request: RawRequest) -> bool:
        end = len(response) if stop is None else stop
        if start:
            await conn.send(response[:start])
        for index in range(start, end):
            await asyncio.sleep(interval)
            await conn.send(response[index : index + 1])
        if end < len(response):
            await conn.send(response[end:])
        return True

    return behaviour


def redirect(status: int, location: str) -> Behaviour:
    body = json.dumps({"title": "MOVED", "status": status}).encode()
    return raw_bytes(http_response(status, body, headers=[("Location", location)]))


# --------------------------------------------------------------- the server


@dataclass
class _Script:
    default: Behaviour | None = None
    queue: list[Behaviour] = field(default_factory=list[Behaviour])
    routes: dict[str, Behaviour] = field(default_factory=dict[str, Behaviour])


class FaultServer:
    """The scripted server, on its own event loop in a daemon thread."""

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._conn_tasks: set[asyncio.Task[None]] = set()
        self._conns: set[Connection] = set()
        self._lock = threading.Lock()
        self._script = _Script()
        self._requests: list[RawRequest] = []
        self._accepted = 0
        self._closed = 0
        self._next_id = 0

    # lifecycle -----------------------------------------------------------

    def start(self) -> FaultServer:
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="fault-server", daemon=True
        )
        self._thread.start()
        ready.result(timeout=10)
        self.restart()
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self.kill()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = None
        self._thread = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def kill(self) -> None:
        """Close the listening socket and reset every open connection."""
        self._call(self._kill())

    def restart(self) -> None:
        """Listen again (on the same port once one was chosen)."""
        self._port = self._call(self._listen())

    def _run(self, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        loop.call_soon(ready.set_result, None)
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def _call(self, coro: Awaitable[Any]) -> Any:
        assert self._loop is not None, "start() the server first"

        async def wrapped() -> Any:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result(timeout=10)

    async def _listen(self) -> int:
        port = self._port if self._port is not None else self._requested_port
        self._server = await asyncio.start_server(
            self._on_connection, self._host, port, reuse_address=True
        )
        return int(self._server.sockets[0].getsockname()[1])

    async def _kill(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for conn in list(self._conns):
            conn.reset()
        for task in list(self._conn_tasks):
            task.cancel()

    # scripting -----------------------------------------------------------

    def set_default(self, behaviour: Behaviour | None) -> None:
        """What every request gets when no one-shot or route applies."""
        with self._lock:
            self._script.default = behaviour

    def push(self, *behaviours: Behaviour) -> None:
        """One-shot behaviours, used in order by the next requests."""
        with self._lock:
            self._script.queue.extend(behaviours)

    def route(self, path: str, behaviour: Behaviour) -> None:
        """A behaviour for one exact path (before one-shots and the default)."""
        with self._lock:
            self._script.routes[path] = behaviour

    def reset(self) -> None:
        """Forget the script and the recordings (between tests)."""
        with self._lock:
            self._script = _Script()
            self._requests.clear()
            self._accepted = 0
            self._closed = 0

    # observations --------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._port is not None
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def rest_address(self) -> str:
        return f"{self.base_url}/v2"

    @property
    def requests(self) -> list[RawRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def accepted_connections(self) -> int:
        with self._lock:
            return self._accepted

    @property
    def closed_connections(self) -> int:
        with self._lock:
            return self._closed

    def wait_until_idle(self, timeout: float = 5.0) -> None:
        """Block until every accepted connection has been closed on the server side."""
        give_up = time.monotonic() + timeout
        while self.closed_connections < self.accepted_connections:
            if time.monotonic() > give_up:
                raise AssertionError("connections still open on the fault server")
            time.sleep(0.005)

    # serving -------------------------------------------------------------

    def _behaviour_for(self, request: RawRequest) -> Behaviour:
        with self._lock:
            script = self._script
            if request.path in script.routes:
                return script.routes[request.path]
            if script.queue:
                return script.queue.pop(0)
            if script.default is not None:
                return script.default
        return json_response(501, {"title": "NOT_SCRIPTED", "detail": request.target})

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        with self._lock:
            self._accepted += 1
            self._next_id += 1
            conn = Connection(self._next_id, reader, writer)
        self._conn_tasks.add(task)
        self._conns.add(conn)
        try:
            while True:
                request = await self._read_request(conn)
                if request is None:
                    break
                with self._lock:
                    self._requests.append(request)
                if not await self._behaviour_for(request)(conn, request):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._conns.discard(conn)
            self._conn_tasks.discard(task)
            writer.transport.abort()
            # abort() closes the socket on a later loop iteration; count it once it has.
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.01)
            with self._lock:
                self._closed += 1

    async def _read_request(self, conn: Connection) -> RawRequest | None:
        try:
            head = await conn.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        lines = head[:-4].split(b"\r\n")
        headers: list[tuple[bytes, bytes]] = []
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers.append((name, value.strip()))
        body = b""
        fields = {k.lower(): v for k, v in headers}
        if b"content-length" in fields:
            body = await conn.reader.readexactly(int(fields[b"content-length"]))
        elif fields.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = await self._read_chunked(conn.reader)
        return RawRequest(lines[0], tuple(headers), body, conn.id, time.monotonic())

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
