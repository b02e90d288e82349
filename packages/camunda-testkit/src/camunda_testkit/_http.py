"""A small HTTP/1.1 server core on asyncio streams.

Only what SDK traffic needs: keep-alive (and pipelining, since requests on one
connection are answered in order), ``Content-Length`` and chunked request
bodies, ``Expect: 100-continue``, and ``multipart/form-data`` decoding.
Parsing is plain ``bytes`` splitting: the worker benchmark pushes thousands of
requests a second through here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DROP_AFTER",
    "DROP_BEFORE",
    "HttpRequest",
    "HttpResponse",
    "MultipartPart",
    "ProtocolError",
    "parse_multipart",
    "serve_connection",
]

_MAX_HEAD_BYTES = 1 << 20
_MAX_BODY_BYTES = 256 << 20

_REASONS = {
    100: "Continue",
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    411: "Length Required",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ProtocolError(Exception):
    """The peer sent something that is not HTTP/1.1 we can parse."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class HttpRequest:
    method: str
    target: str
    path: str
    query: str
    version: str
    headers: dict[str, str]
    body: bytes = b""
    # Set by the connection loop: lets a long poll notice that its client left.
    is_disconnected: Callable[[], bool] = field(default=lambda: False)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)


@dataclass(slots=True)
class HttpResponse:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, payload: Any) -> HttpResponse:
        return cls(
            status,
            json.dumps(payload, separators=(",", ":")).encode(),
            "application/json",
        )

    @classmethod
    def problem(cls, status: int, title: str, detail: str, instance: str) -> HttpResponse:
        payload = {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": instance,
        }
        return cls(
            status,
            json.dumps(payload, separators=(",", ":")).encode(),
            "application/problem+json",
        )

    @classmethod
    def empty(cls, status: int = 204) -> HttpResponse:
        return cls(status)

    def encode(self, *, close: bool) -> bytes:
        lines = [f"HTTP/1.1 {self.status} {_REASONS.get(self.status, 'Status')}"]
        if self.content_type is not None:
            lines.append(f"Content-Type: {self.content_type}")
        lines.append(f"Content-Length: {len(self.body)}")
        for name, value in self.headers:
            lines.append(f"{name}: {value}")
        if close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


class _Drop:
    """Marker responses: close the socket without answering."""

    __slots__ = ("after_processing",)

    def __init__(self, after_processing: bool) -> None:
        self.after_processing = after_processing


DROP_BEFORE = _Drop(False)
DROP_AFTER = _Drop(True)

Handler = Callable[[HttpRequest], Awaitable["HttpResponse | _Drop"]]


def _parse_head(head: bytes) -> HttpRequest:
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes anything
        raise ProtocolError(400, "undecodable request head") from exc
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise ProtocolError(400, f"malformed request line {lines[0][:100]!r}")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name[-1] in " \t":
            raise ProtocolError(400, f"malformed header line {line[:100]!r}")
        key = name.lower()
        value = value.strip()
        # Repeated headers fold into one comma-separated value (RFC 9110 5.3).
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    path, _, query = target.partition("?")
    return HttpRequest(method, target, path, query, version, headers)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size_text = size_line[:-2].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise ProtocolError(400, "malformed chunk size") from exc
        if size == 0:
            # Skip trailer fields up to the empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(chunks)
        total += size
        if total > _MAX_BODY_BYTES:
            raise ProtocolError(413, "request body too large")
        chunks.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ProtocolError(400, "chunk not terminated by CRLF")


async def _read_body(
    request: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bytes:
    headers = request.headers
    transfer_encoding = headers.get("transfer-encoding", "").lower()
    length_text = headers.get("content-length")
    expects_body = bool(transfer_encoding) or (length_text not in (None, "0"))
    if expects_body and headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if transfer_encoding:
        if transfer_encoding.split(",")[-1].strip() != "chunked":
            raise ProtocolError(400, f"unsupported Transfer-Encoding {transfer_encoding!r}")
        return await _read_chunked(reader)
    if length_text is None:
        return b""
    try:
        length = int(length_text)
    except ValueError as exc:
        raise ProtocolError(400, "malformed Content-Length") from exc
    if length < 0:
        raise ProtocolError(400, "negative Content-Length")
    if length > _MAX_BODY_BYTES:
        raise ProtocolError(413, "request body too large")
    return await reader.readexactly(length) if length else b""


def _wants_close(request: HttpRequest) -> bool:
    connection = request.headers.get("connection", "").lower()
    if request.version == "HTTP/1.0":
        return "keep-alive" not in connection
    return "close" in connection


#: The first byte of a TLS record carrying a handshake (a ClientHello).
_TLS_HANDSHAKE_RECORD = b"\x16"


async def serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler
) -> None:
    """Answer requests on one connection until the peer or the handler closes it."""
    transport = writer.transport

    def disconnected() -> bool:
        return reader.at_eof() or transport.is_closing()

    try:
        try:
            first_byte = await reader.readexactly(1)
        except asyncio.IncompleteReadError:
            return
        if first_byte == _TLS_HANDSHAKE_RECORD:
            # A client configured with https://: answer in plain HTTP at once, as Tomcat and
            # nginx do, so its TLS layer fails now ("wrong version number") instead of waiting
            # for a handshake timeout.
            writer.write(
                HttpResponse.problem(
                    400, "Bad Request", "this server speaks plain HTTP: use an http:// address", "/"
                ).encode(close=True)
            )
            await writer.drain()
            return
        prefix = first_byte
        while True:
            try:
                head = prefix + await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            except asyncio.LimitOverrunError:
                writer.write(
                    HttpResponse.problem(431, "Bad Request", "request head too large", "/").encode(
                        close=True
                    )
                )
                return
            prefix = b""
            try:
                request = _parse_head(head[:-4])
                request.body = await _read_body(request, reader, writer)
            except ProtocolError as exc:
                writer.write(
                    HttpResponse.problem(exc.status, "Bad Request", str(exc), "/").encode(
                        close=True
                    )
                )
                return
            except asyncio.IncompleteReadError:
                return
            request.is_disconnected = disconnected
            response = await handler(request)
            if isinstance(response, _Drop):
                transport.abort()
                return
            close = _wants_close(request)
            writer.write(response.encode(close=close))
            if transport.get_write_buffer_size() > 65536:
                await writer.drain()
            if close:
                await writer.drain()
                return
    except (ConnectionError, asyncio.CancelledError):
        return
    finally:
        if not transport.is_closing():
            transport.close()


@dataclass(slots=True)
class MultipartPart:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``form-data; name="a"; filename="b"`` into its value and parameters."""
    pieces = value.split(";")
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        key, sep, raw = piece.strip().partition("=")
        if not sep:
            continue
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
            raw = raw[1:-1].replace('\\"', '"')
        params[key.strip().lower()] = raw
    return pieces[0].strip().lower(), params


def parse_multipart(content_type: str, body: bytes) -> list[MultipartPart]:
    """Decode a ``multipart/form-data`` body; raises ValueError when it is malformed."""
    kind, params = _header_params(content_type)
    if kind != "multipart/form-data":
        raise ValueError(f"expected multipart/form-data, got Content-Type {content_type!r}")
    boundary = params.get("boundary")
    if not boundary:
        raise ValueError("multipart Content-Type has no boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    segments = body.split(delimiter)
    if len(segments) < 3 or not segments[-1].startswith(b"--"):
        raise ValueError("multipart body is not terminated by its closing boundary")
    parts: list[MultipartPart] = []
    for segment in segments[1:-1]:
        # Each segment is CRLF, headers, CRLF CRLF, data, CRLF.
        if not segment.startswith(b"\r\n") or not segment.endswith(b"\r\n"):
            raise ValueError("multipart part is not framed by CRLF")
        head, sep, data = segment[2:-2].partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part has no header/body separator")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, sep2, value = line.partition(":")
            if sep2:
                headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition")
        if disposition is None:
            raise ValueError("multipart part has no Content-Disposition")
        _, disposition_params = _header_params(disposition)
        parts.append(
            MultipartPart(
                name=disposition_params.get("name", ""),
                filename=disposition_params.get("filename"),
                content_type=headers.get("content-type"),
                data=data,
            )
        )
    return parts
