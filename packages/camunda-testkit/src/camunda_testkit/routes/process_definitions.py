"""``/v2/process-definitions``: get one (or its XML) by key, and search."""

from __future__ import annotations

from typing import Any, cast

from .._http import HttpResponse
from ..engine import Engine, Problem, ProcessDefinition
from .arguments import path_key
from .router import ApiRequest, Route
from .search import SearchFields, search_response

__all__ = ["ROUTES"]


def get_process_definition(engine: Engine, request: ApiRequest) -> HttpResponse:
    return HttpResponse.json(200, _definition_in_path(engine, request).to_wire())


def get_process_definition_xml(engine: Engine, request: ApiRequest) -> HttpResponse:
    return HttpResponse(200, _definition_in_path(engine, request).xml, "text/xml")


# isLatestVersion is honoured by the handler (it is not an item field).
SEARCH_FIELDS = SearchFields.declare(
    "searchProcessDefinitions",
    filters=("name", "isLatestVersion", "resourceName", "version", "versionTag",
             "processDefinitionId", "tenantId", "processDefinitionKey", "hasStartForm", "state"),
    sort=("processDefinitionKey", "name", "resourceName", "version", "versionTag",
          "processDefinitionId", "tenantId"),
)  # fmt: skip


def search_process_definitions(engine: Engine, request: ApiRequest) -> HttpResponse:
    body = dict(request.body())  # copied: the recorded request keeps its original filter
    latest_only = False
    filters = body.get("filter")
    if isinstance(filters, dict):
        # isLatestVersion is not a field of the items, so the generic search cannot apply it.
        remaining = dict(cast("dict[str, Any]", filters))
        latest_only = bool(remaining.pop("isLatestVersion", False))
        body["filter"] = remaining
    items = [d.to_wire() for d in engine.definitions.values()]
    if latest_only:
        newest: dict[tuple[str, str], dict[str, Any]] = {}
        for item in items:
            newest[(item["processDefinitionId"], item["tenantId"])] = item
        items = list(newest.values())
    return search_response(items, body, "processDefinitionKey", SEARCH_FIELDS)


def _definition_in_path(engine: Engine, request: ApiRequest) -> ProcessDefinition:
    key = request.params[0]
    definition = engine.definitions.get(path_key(key, "processDefinitionKey"))
    if definition is None:
        raise Problem(404, "NOT_FOUND", f"Process definition with key '{key}' not found")
    return definition


ROUTES = (
    Route(
        "GET",
        "/v2/process-definitions/{processDefinitionKey}",
        "getProcessDefinition",
        get_process_definition,
    ),
    Route(
        "GET",
        "/v2/process-definitions/{processDefinitionKey}/xml",
        "getProcessDefinitionXML",
        get_process_definition_xml,
    ),
    Route(
        "POST",
        "/v2/process-definitions/search",
        "searchProcessDefinitions",
        search_process_definitions,
    ),
)
