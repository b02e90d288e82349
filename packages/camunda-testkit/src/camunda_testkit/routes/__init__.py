"""The ``/v2`` routes the fake cluster models, one module per API area, assembled into a
:class:`Router`.

Each area module lists its ``ROUTES``; a handler takes the engine and the request,
validates the request's arguments (``arguments``) and shapes the JSON answer.
"""

from __future__ import annotations

from . import (
    deployments,
    documents,
    element_instances,
    incidents,
    jobs,
    messages,
    process_definitions,
    process_instances,
    topology,
    user_tasks,
)
from .router import NO_JSON, ApiRequest, Route, Router

__all__ = ["NO_JSON", "ApiRequest", "Route", "Router", "build_router"]

_AREAS = (
    topology,
    deployments,
    process_definitions,
    process_instances,
    jobs,
    messages,
    documents,
    incidents,
    element_instances,
    user_tasks,
)


def build_router() -> Router:
    return Router(route for area in _AREAS for route in area.ROUTES)
