"""Plugins, openapi-core adapters and the Prism process for the contract tests."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from contract_spec import REPO_ROOT, SchemaResolver, SpecOperation
from contract_values import minimal_json
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from camunda_core.auth.strategy import AuthContext, AuthStrategy
from camunda_core.hookspecs import hookimpl
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.transport import default_transport

__all__ = [
    "BEARER_STRATEGY",
    "BEARER_TOKEN",
    "BearerTokenPlugin",
    "CapturingTransportPlugin",
    "RecordingTransportPlugin",
    "RecordedExchange",
    "OpenApiRequest",
    "OpenApiResponse",
    "describe_validation_error",
    "client_configuration",
    "minimal_response",
    "PRISM_BIN",
    "PrismServer",
    "start_prism",
]

#: A test-only auth strategy: the one operation that declares ``security``
#: (``getAuthentication``) requires a bearer token, and openapi-core checks it.
BEARER_STRATEGY = "CONTRACT_BEARER"
BEARER_TOKEN = "contract-test-token"

PRISM_BIN = REPO_ROOT / ".tools" / "prism" / "node_modules" / ".bin" / "prism"


class _StaticBearer(httpx.Auth):
    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {BEARER_TOKEN}"
        yield request


class BearerTokenPlugin:
    """Registers the CONTRACT_BEARER strategy (a fixed token; nothing secret)."""

    @hookimpl
    def camunda_auth_strategies(self) -> list[AuthStrategy]:
        def create(_: AuthContext) -> httpx.Auth:
            return _StaticBearer()

        return [AuthStrategy(name=BEARER_STRATEGY, create=create, description="contract tests")]


def client_configuration(rest_address: str) -> dict[str, object]:
    return {
        "CAMUNDA_REST_ADDRESS": rest_address,
        "CAMUNDA_AUTH_STRATEGY": BEARER_STRATEGY,
        # One attempt: a contract failure must show as it happened, not after retries.
        "CAMUNDA_RETRY_MAX_ATTEMPTS": 1,
    }


# ------------------------------------------------------------------ in-process capture


Responder = Callable[[httpx.Request], httpx.Response]


class CapturingTransportPlugin:
    """Transport plugin: records every request and answers with ``responder``."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []
        self.responder: Responder | None = None

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if self.responder is None:
            raise AssertionError("no responder set for the captured request")
        response = self.responder(request)
        self.responses.append(response)
        return response

    def reset(self, responder: Responder) -> None:
        self.requests.clear()
        self.responses.clear()
        self.responder = responder

    @hookimpl
    def camunda_http_transport(self, config: Any, asynchronous: bool) -> Any:
        if asynchronous:

            async def handle_async(request: httpx.Request) -> httpx.Response:
                return self._handle(request)

            return httpx.MockTransport(handle_async)
        return httpx.MockTransport(self._handle)


def minimal_response(op: Operation[Any], spec_op: SpecOperation, resolver: SchemaResolver) -> httpx.Response:
    """The smallest response the spec allows for the operation's first success status."""
    status = op.success_statuses[0]
    declared: Mapping[str, Any] = resolver.deref(spec_op.definition["responses"].get(str(status), {}))
    content: Mapping[str, Any] = declared.get("content", {})
    if not content:
        return httpx.Response(status)
    media_type, media = next(iter(content.items()))
    if "json" in media_type:
        body = minimal_json(resolver, media.get("schema", {}), f"{spec_op.operation_id} response")
        return httpx.Response(status, content=json.dumps(body).encode(), headers={"content-type": media_type})
    if media_type.startswith("text/"):
        return httpx.Response(status, content=b"<contract/>", headers={"content-type": media_type})
    return httpx.Response(status, content=b"contract-bytes", headers={"content-type": media_type})


# ------------------------------------------------------------------ openapi-core adapters


class OpenApiRequest:
    """An ``httpx.Request`` as openapi-core's ``Request`` protocol."""

    def __init__(self, request: httpx.Request) -> None:
        url = request.url
        port = f":{url.port}" if url.port else ""
        self.host_url = f"{url.scheme}://{url.host}{port}"
        self.path = url.path
        self.method = request.method.lower()
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(url.params.multi_items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
            path={},
        )


class OpenApiResponse:
    """An ``httpx.Response`` as openapi-core's ``Response`` protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(list(response.headers.items()))
        self.data: bytes | None = response.content


def describe_validation_error(exc: BaseException) -> str:
    """openapi-core's error with the schema errors it wraps (paths and messages), one per line."""
    lines = [f"{type(exc).__name__}: {exc}"]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for schema_error in getattr(current, "schema_errors", ()) or ():
            location = "/".join(str(p) for p in getattr(schema_error, "absolute_path", ()))
            message = getattr(schema_error, "message", str(schema_error))
            lines.append(f"  at /{location}: {message}")
            for sub in getattr(schema_error, "context", ()) or ():
                sub_location = "/".join(str(p) for p in getattr(sub, "absolute_path", ()))
                lines.append(f"    - /{sub_location}: {getattr(sub, 'message', sub)}")
        for nested in getattr(current, "errors", ()) or ():
            if isinstance(nested, BaseException):
                lines.append("  " + describe_validation_error(nested).replace("\n", "\n  "))
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


def load_openapi(spec: Mapping[str, Any]) -> OpenAPI:
    return OpenAPI.from_dict(dict(spec))


# ------------------------------------------------------------------ loopback recording


@dataclass
class RecordedExchange:
    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = b""


class _RecordingSync(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, log: list[RecordedExchange]) -> None:
        self._inner = inner
        self._log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()
        self._log.append(
            RecordedExchange(request.method, str(request.url), response.status_code, dict(response.headers), response.content)
        )
        return response

    def close(self) -> None:
        self._inner.close()


class _RecordingAsync(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, log: list[RecordedExchange]) -> None:
        self._inner = inner
        self._log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self._log.append(
            RecordedExchange(request.method, str(request.url), response.status_code, dict(response.headers), response.content)
        )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class RecordingTransportPlugin:
    """Wraps the SDK's default transport (real sockets) and records each exchange's status and headers."""

    def __init__(self) -> None:
        self.exchanges: list[RecordedExchange] = []

    @hookimpl
    def camunda_http_transport(self, config: Any, asynchronous: bool) -> Any:
        inner = default_transport(config, asynchronous=asynchronous)
        if asynchronous:
            assert isinstance(inner, httpx.AsyncBaseTransport)
            return _RecordingAsync(inner, self.exchanges)
        assert isinstance(inner, httpx.BaseTransport)
        return _RecordingSync(inner, self.exchanges)


# ------------------------------------------------------------------ Prism


@dataclass
class PrismServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    spec_path: Path
    extra: dict[str, Any] = field(default_factory=dict[str, Any])

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def start_prism(spec_path: Path, log_path: Path, *, startup_timeout: float = 90.0) -> Iterator[PrismServer]:
    """Run ``prism mock -d --seed 1`` on a free loopback port until the block ends."""
    port = _free_port()
    command = [str(PRISM_BIN), "mock", "-d", "--seed", "1", "-p", str(port), "-h", "127.0.0.1", str(spec_path)]
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = PrismServer(f"http://127.0.0.1:{port}", process, log_path, spec_path)
    try:
        _wait_until_ready(server, startup_timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(server: PrismServer, timeout: float) -> None:
    # Readiness is "a request gets an HTTP answer"; the deadline only bounds a broken start.
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"Prism exited with {server.process.returncode} before answering:\n{server.log_tail()}")
        try:
            httpx.get(f"{server.base_url}/v2/topology", timeout=2.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prism did not answer within {timeout:.0f} s:\n{server.log_tail()}") from None
            time.sleep(0.2)
