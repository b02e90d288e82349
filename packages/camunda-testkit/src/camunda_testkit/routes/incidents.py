"""``/v2/incidents``: search, get and resolve (the failed step runs again)."""

from __future__ import annotations

from .._http import HttpResponse
from ..engine import Engine, Problem
from .arguments import path_key
from .router import ApiRequest, Route
from .search import SearchFields, search_response

__all__ = ["ROUTES"]


SEARCH_FIELDS = SearchFields.declare(
    "searchIncidents",
    filters=("processDefinitionId", "errorType", "errorMessage", "elementId", "creationTime",
             "state", "tenantId", "incidentKey", "processDefinitionKey", "processInstanceKey",
             "elementInstanceKey", "jobKey"),
    sort=("incidentKey", "processDefinitionKey", "processDefinitionId", "processInstanceKey",
          "errorType", "elementId", "elementInstanceKey", "creationTime", "state", "jobKey",
          "tenantId"),
)  # fmt: skip


def search_incidents(engine: Engine, request: ApiRequest) -> HttpResponse:
    items = [incident.to_wire() for incident in engine.incidents.values()]
    return search_response(items, request.body(), "incidentKey", SEARCH_FIELDS)


def get_incident(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "incidentKey")
    incident = engine.incidents.get(key)
    if incident is None:
        raise Problem(404, "NOT_FOUND", f"Incident with key '{key}' not found")
    return HttpResponse.json(200, incident.to_wire())


def resolve_incident(engine: Engine, request: ApiRequest) -> HttpResponse:
    request.body()  # validates the optional body
    engine.resolve_incident(path_key(request.params[0], "incidentKey"))
    return HttpResponse.empty(204)


ROUTES = (
    Route("POST", "/v2/incidents/search", "searchIncidents", search_incidents),
    Route("GET", "/v2/incidents/{incidentKey}", "getIncident", get_incident),
    Route("POST", "/v2/incidents/{incidentKey}/resolution", "resolveIncident", resolve_incident),
)
