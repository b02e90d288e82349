"""Matching ``METHOD /v2/...`` to a route, and the request a route's handler receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote

from .._http import HttpRequest, HttpResponse
from ..engine import Engine, Problem

__all__ = ["NO_JSON", "ApiRequest", "Handler", "Route", "Router"]

# ``ApiRequest.parsed`` for a body that is not valid JSON.
NO_JSON = object()


@dataclass(slots=True)
class ApiRequest:
    http: HttpRequest
    params: list[str]  # the path parameters, in template order, URL-decoded
    # The parsed JSON body, None for an empty body, NO_JSON for invalid JSON.
    parsed: Any

    def body(self) -> dict[str, Any]:
        """The JSON object body; an empty body counts as ``{}``."""
        parsed = self.parsed
        if parsed is NO_JSON:
            raise Problem(400, "INVALID_ARGUMENT", "The request body is not valid JSON.")
        if parsed is None:
            return {}
        if not isinstance(parsed, dict):
            raise Problem(400, "INVALID_ARGUMENT", "The request body must be a JSON object.")
        return cast("dict[str, Any]", parsed)

    def required_body(self) -> dict[str, Any]:
        if self.parsed is None:
            raise Problem(400, "INVALID_ARGUMENT", "Required request body is missing.")
        return self.body()


Handler = Callable[[Engine, ApiRequest], HttpResponse | Awaitable[HttpResponse]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str  # e.g. "/v2/jobs/{jobKey}/completion"
    operation: str  # the spec's operationId
    handler: Handler


class Router:
    """Matches ``METHOD /v2/...`` by splitting on '/', without regular expressions."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self.routes: list[Route] = []
        # (method, segment count) -> routes with their segments; None marks a path parameter.
        self._by_shape: dict[tuple[str, int], list[tuple[tuple[str | None, ...], Route]]] = {}
        for route in routes:
            self.add(route)

    def add(self, route: Route) -> None:
        segments = tuple(
            None if part.startswith("{") else part for part in route.template.strip("/").split("/")
        )
        self.routes.append(route)
        self._by_shape.setdefault((route.method, len(segments)), []).append((segments, route))

    def match(self, method: str, path: str) -> tuple[Route, list[str]] | None:
        parts = path.strip("/").split("/")
        candidates = self._by_shape.get((method, len(parts)))
        if not candidates:
            return None
        for segments, route in candidates:
            params: list[str] = []
            for expected, actual in zip(segments, parts, strict=True):
                if expected is None:
                    params.append(unquote(actual))
                elif expected != actual:
                    break
            else:
                return route, params
        return None
