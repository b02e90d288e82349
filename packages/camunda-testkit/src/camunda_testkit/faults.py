"""Deterministic fault injection for the fake cluster.

A rule matches requests by operation id (``"completeJob"``) and/or path, and
fires on a schedule: every Nth match, the first K matches, or with a seeded
probability. Rules are checked in the order they were added; delays add up,
and the first firing rule that answers (or drops the connection) wins.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._http import HttpResponse

__all__ = ["FaultInjector", "FaultRule"]


class FaultRule:
    """One fault: what it matches, when it fires, and what it does.

    ``matched`` counts requests the rule matched; ``fired`` counts how often it
    actually injected its fault.
    """

    def __init__(
        self,
        kind: str,
        *,
        operation: str | None,
        path: str | None,
        every: int,
        times: int | None,
        probability: float | None,
        seed: int | None,
        status: int = 0,
        body: bytes = b"",
        content_type: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        seconds: float = 0.0,
        after_processing: bool = False,
    ) -> None:
        if operation is not None and not isinstance(operation, str):
            raise TypeError(f"operation must be an operation id string or None, got {operation!r}")
        if path is not None and not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 0
        ):
            raise ValueError(f"times must be a non-negative integer or None, got {times!r}")
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds!r}")
        self.kind = kind
        self.operation = operation
        self.path = path
        self.every = every
        self.times = times
        self.probability = probability
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers
        self.seconds = seconds
        self.after_processing = after_processing
        self.matched = 0
        self.fired = 0
        self._random = random.Random(seed)

    def __repr__(self) -> str:
        target = self.operation or "*"
        if self.path:
            target += f" {self.path}"
        return f"FaultRule({self.kind} {target}, matched={self.matched}, fired={self.fired})"

    def matches(self, operation: str | None, path: str) -> bool:
        if self.operation is not None and self.operation != operation:
            return False
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    def should_fire(self) -> bool:
        """Count one matching request and decide whether the fault fires on it."""
        self.matched += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.probability is not None:
            fire = self._random.random() < self.probability
        else:
            fire = self.matched % self.every == 0
        if fire:
            self.fired += 1
        return fire

    def response(self, instance: str) -> HttpResponse:
        return HttpResponse(
            self.status,
            self.body.replace(b"{instance}", instance.encode()),
            self.content_type,
            self.headers,
        )


@dataclass(slots=True)
class FaultOutcome:
    delay: float = 0.0
    response: HttpResponse | None = None
    drop: FaultRule | None = None


def _problem_body(status: int, title: str, detail: str) -> bytes:
    # "{instance}" is filled with the request path when the rule fires.
    return json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": "{instance}",
        },
        separators=(",", ":"),
    ).encode()


_DEFAULT_TITLES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "INVALID_STATE",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "BAD_GATEWAY",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class FaultInjector:
    """Rules that make the fake cluster misbehave on purpose. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: tuple[FaultRule, ...] = ()

    @property
    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def _add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules = (*self._rules, rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules = tuple(r for r in self._rules if r is not rule)

    def clear(self) -> None:
        with self._lock:
            self._rules = ()

    def backpressure(
        self,
        operation: str | None = None,
        *,
        status: int = 503,
        every: int = 1,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = 0,
        path: str | None = None,
        retry_after: float | None = None,
    ) -> FaultRule:
        """Answer like an overloaded broker.

        ``status=503`` (current servers) and ``status=429`` (8.6/8.7) carry the
        title ``RESOURCE_EXHAUSTED``; ``status=500`` carries it in ``detail``,
        as job activation has been seen to do.
        """
        if status not in (429, 500, 503):
            raise ValueError(f"backpressure status must be 429, 500 or 503, got {status!r}")
        if status == 500:
            body = _problem_body(
                500,
                "INTERNAL",
                "Unexpected error occurred during the request processing: RESOURCE_EXHAUSTED",
            )
        else:
            body = _problem_body(
                status,
                "RESOURCE_EXHAUSTED",
                "Expected to handle request, but the broker is overloaded (RESOURCE_EXHAUSTED)",
            )
        headers = () if retry_after is None else (("Retry-After", _format_seconds(retry_after)),)
        return self._add(
            FaultRule(
                "backpressure",
                operation=operation,
                path=path,
                every=every,
                times=times,
                probability=probability,
                seed=seed,
                status=status,
                body=body,
                content_type="application/problem+json",
                headers=headers,
            )
        )

    def drop_connection(
        self,
        operation: str | None = None,
        *,
        after_processing: bool = False,
        every: int = 1,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = 0,
        path: str | None = None,
    ) -> FaultRule:
        """Close the socket without answering.

        With ``after_processing=True`` the request is applied first, so the
        client loses the response of something that did happen.
        """
        return self._add(
            FaultRule(
                "drop_connection",
                operation=operation,
                path=path,
                every=every,
                times=times,
                probability=probability,
                seed=seed,
                after_processing=after_processing,
            )
        )

    def delay(
        self,
        operation: str | None = None,
        seconds: float = 1.0,
        *,
        every: int = 1,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = 0,
        path: str | None = None,
    ) -> FaultRule:
        """Wait ``seconds`` before handling the request (it is then answered normally)."""
        return self._add(
            FaultRule(
                "delay",
                operation=operation,
                path=path,
                every=every,
                times=times,
                probability=probability,
                seed=seed,
                seconds=float(seconds),
            )
        )

    def html_error(
        self,
        operation: str | None = None,
        *,
        status: int = 503,
        every: int = 1,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = 0,
        path: str | None = None,
    ) -> FaultRule:
        """Answer with an HTML error page, as a proxy or load balancer would."""
        _check_status(status)
        body = (
            f"<html><head><title>{status} Service Temporarily Unavailable</title></head>"
            f"<body><center><h1>{status}</h1></center><hr><center>nginx</center></body></html>"
        ).encode()
        return self._add(
            FaultRule(
                "html_error",
                operation=operation,
                path=path,
                every=every,
                times=times,
                probability=probability,
                seed=seed,
                status=status,
                body=body,
                content_type="text/html",
            )
        )

    def status(
        self,
        operation: str | None,
        status: int,
        body: bytes | str | Mapping[str, Any] | None = None,
        *,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        every: int = 1,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = 0,
        path: str | None = None,
    ) -> FaultRule:
        """Answer with any status. ``body=None`` sends a problem document for the status;
        a mapping is sent as JSON, ``str``/``bytes`` as given."""
        _check_status(status)
        if body is None:
            raw = (
                b""
                if status in (204, 304)
                else _problem_body(
                    status, _DEFAULT_TITLES.get(status, "ERROR"), "Injected by the fake cluster"
                )
            )
            kind = None if not raw else (content_type or "application/problem+json")
        elif isinstance(body, Mapping):
            raw = json.dumps(dict(body), separators=(",", ":")).encode()
            kind = content_type or "application/json"
        elif isinstance(body, str):
            raw = body.encode()
            kind = content_type or "text/plain; charset=utf-8"
        else:
            raw = bytes(body)
            kind = content_type or "application/octet-stream"
        return self._add(
            FaultRule(
                "status",
                operation=operation,
                path=path,
                every=every,
                times=times,
                probability=probability,
                seed=seed,
                status=status,
                body=raw,
                content_type=kind,
                headers=tuple((headers or {}).items()),
            )
        )

    def unauthorized(
        self,
        operation: str | None = None,
        *,
        times: int | None = None,
        every: int = 1,
        probability: float | None = None,
        seed: int | None = 0,
        path: str | None = None,
    ) -> FaultRule:
        """Answer 401, as for an expired or revoked token."""
        return self._add(
            FaultRule(
                "unauthorized",
                operation=operation,
                path=path,
                every=every,
                times=times,
                probability=probability,
                seed=seed,
                status=401,
                body=_problem_body(401, "UNAUTHORIZED", "The token is expired or invalid"),
                content_type="application/problem+json",
                headers=(("WWW-Authenticate", 'Bearer error="invalid_token"'),),
            )
        )

    def evaluate(self, operation: str | None, path: str) -> FaultOutcome | None:
        """Apply the rules to one request; None when no rule fired."""
        rules = self._rules
        if not rules:
            return None
        outcome: FaultOutcome | None = None
        for rule in rules:
            if not rule.matches(operation, path) or not rule.should_fire():
                continue
            if outcome is None:
                outcome = FaultOutcome()
            if rule.kind == "delay":
                outcome.delay += rule.seconds
                continue
            if rule.kind == "drop_connection":
                outcome.drop = rule
            else:
                outcome.response = rule.response(path)
            break
        return outcome


def _check_status(status: int) -> None:
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"status must be an HTTP status code (100-599), got {status!r}")


def _format_seconds(seconds: float) -> str:
    if seconds < 0:
        raise ValueError(f"retry_after must not be negative, got {seconds!r}")
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)
