"""A transport plugin that answers from a scripted list, for runtime tests.

It is a real plugin (implements ``camunda_http_transport``), so tests also
prove that the transport hook replaces the default.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from camunda_core.hookspecs import hookimpl
from camunda_core.runtime.clock import Clock

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def problem(status: int, title: str, detail: str = "") -> httpx.Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return httpx.Response(status, content=json.dumps(body).encode(), headers={"content-type": "application/problem+json"})


def ok(payload: Any = None, status: int = 200) -> httpx.Response:
    if payload is None:
        return httpx.Response(status)
    return httpx.Response(status, json=payload)


class ScriptedTransport:
    """Plugin + transport: replies in order; the last reply repeats."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def _next(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)

    @hookimpl
    def camunda_http_transport(self, config: Any, asynchronous: bool) -> Any:
        if asynchronous:

            async def handler(request: httpx.Request) -> httpx.Response:
                return self._next(request)

            return httpx.MockTransport(handler)
        return httpx.MockTransport(self._next)


class RecordingClock(Clock):
    """A clock that never waits: sleeps are recorded and advance its time."""

    __slots__ = ("sleeps", "time")

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class NoWaitClock(Clock):
    """Real time, but sleeps return at once (and are recorded)."""

    __slots__ = ("sleeps",)

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
