"""Test helpers: real loopback servers for the OAuth tests: a token endpoint and a bearer-checking API.

Both are threaded ``http.server`` instances on 127.0.0.1 that count and record
what they receive. The token endpoint issues unique tokens (and tells the API
server they are valid) unless a scripted reply is queued first.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

from camunda_core.config import CamundaConfig

#: Builds a CamundaConfig aimed at the loopback token server (the make_config fixture).
ConfigFactory = Callable[..., CamundaConfig]

CLIENT_ID = "orders-service"
CLIENT_SECRET = "s3cr3t-Value-That-Must-Never-Leak-42"


@attrs.define
class Reply:
    """A scripted answer from a test server."""

    status: int = 200
    body: bytes | str | dict[str, Any] | None = None
    headers: dict[str, str] = attrs.field(factory=dict)
    #: Seconds to wait before answering.
    delay: float = 0.0
    #: Close the connection without answering.
    drop: bool = False


#: A scripted step meaning "issue a real token now".
ISSUE = Reply(status=-1)


@attrs.define
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # 100 clients may connect at once; the default backlog of 5 would make
    # some of them wait for a SYN retransmit.
    request_queue_size = 512

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out closes its socket; the late answer fails. Expected.
        pass


class _LoopbackServer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self.script: list[Reply] = []
        self.default: Reply | None = None
        handler = self._handler_class()
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def queue(self, *replies: Reply) -> None:
        with self.lock:
            self.script.extend(replies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self) -> Reply | None:
        with self.lock:
            if self.script:
                return self.script.pop(0)
            return self.default

    def answer(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                form = {
                    k: v[0] for k, v in urllib.parse.parse_qs(raw.decode("latin-1")).items()
                }
                recorded = RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    form=form,
                )
                with server.lock:
                    server.requests.append(recorded)
                reply = server.answer(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                body = reply.body
                if isinstance(body, dict):
                    body = json.dumps(body)
                data = body.encode() if isinstance(body, str) else (body or b"")
                self.send_response(reply.status)
                headers = {"content-type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _handle

        return Handler


class TokenServer(_LoopbackServer):
    """The token endpoint at ``/oauth/token``."""

    def __init__(self, api: ApiServer | None = None) -> None:
        super().__init__()
        self.api = api
        self.lifetime: float | str | None = 3600
        self.issued: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oauth/token"

    def answer(self, request: RecordedRequest) -> Reply:
        reply = self._next_reply()
        if reply is not None and reply.status != ISSUE.status:
            return reply
        delay = reply.delay if reply is not None else 0.0
        token = f"tok-{len(self.issued) + 1}-{secrets.token_hex(12)}"
        with self.lock:
            self.issued.append(token)
        if self.api is not None:
            self.api.accept(token)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.lifetime is not None:
            body["expires_in"] = self.lifetime
        return Reply(body=body, delay=delay)


class ApiServer(_LoopbackServer):
    """An API that answers 200 to a valid bearer token and 401 otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.valid: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2/topology"

    def accept(self, token: str) -> None:
        with self.lock:
            self.valid.add(token)

    def revoke_all(self) -> None:
        with self.lock:
            self.valid.clear()

    def bearer_tokens(self) -> list[str]:
        with self.lock:
            return [
                r.headers.get("authorization", "").removeprefix("Bearer ") for r in self.requests
            ]

    def answer(self, request: RecordedRequest) -> Reply:
        reply = self._next_reply()
        if reply is not None:
            return reply
        header = request.headers.get("authorization", "")
        with self.lock:
            ok = header.startswith("Bearer ") and header[len("Bearer ") :] in self.valid
        if ok:
            return Reply(body={"ok": True})
        return Reply(status=401, body={"title": "Unauthorized"})


class FakeClock:
    """Monotonic and wall clocks that move only when told (independently)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._monotonic = 1000.0
        self._wall = 1_700_000_000.0

    def monotonic(self) -> float:
        with self._lock:
            return self._monotonic

    def wall(self) -> float:
        with self._lock:
            return self._wall

    def advance(self, seconds: float) -> None:
        """Time passes: both clocks move."""
        with self._lock:
            self._monotonic += seconds
            self._wall += seconds

    def jump_wall(self, seconds: float) -> None:
        """Only the wall clock moves (NTP correction, a user changing the date)."""
        with self._lock:
            self._wall += seconds
