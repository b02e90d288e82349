"""``/v2/element-instances`` (search, get, set variables) and ``POST /v2/variables/search``:
what the interpreter keeps per element instance (every scope's variables, values as JSON
text)."""

from __future__ import annotations

import json
from typing import Any

from .._http import HttpResponse
from ..engine import Engine
from ..engine.bpmn.runtime import ElementInstance
from ..engine.model import ProcessInstance
from .arguments import invalid_argument, path_key, variables_arg
from .router import ApiRequest, Route
from .search import SearchFields, search_response

__all__ = ["ROUTES"]


# elementInstanceScopeKey is rejected (the items do not carry it).
ELEMENT_INSTANCE_FIELDS = SearchFields.declare(
    "searchElementInstances",
    filters=("processDefinitionId", "state", "type", "elementId", "elementName", "hasIncident",
             "tenantId", "elementInstanceKey", "processInstanceKey", "processDefinitionKey",
             "incidentKey", "startDate", "endDate"),
    sort=("elementInstanceKey", "processInstanceKey", "processDefinitionKey",
          "processDefinitionId", "startDate", "endDate", "elementId", "elementName", "type",
          "state", "incidentKey", "tenantId"),
)  # fmt: skip
VARIABLE_FIELDS = SearchFields.declare(
    "searchVariables",
    filters=("name", "value", "tenantId", "isTruncated", "variableKey", "scopeKey",
             "processInstanceKey"),
    sort=("value", "name", "tenantId", "variableKey", "scopeKey", "processInstanceKey"),
)  # fmt: skip


def search_element_instances(engine: Engine, request: ApiRequest) -> HttpResponse:
    items = [
        element_instance.to_wire()
        for instance in engine.instances.values()
        for element_instance in instance.element_instances.values()
    ]
    return search_response(items, request.body(), "elementInstanceKey", ELEMENT_INSTANCE_FIELDS)


def get_element_instance(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "elementInstanceKey")
    return HttpResponse.json(200, engine.find_element_instance(key).to_wire())


def set_variables(engine: Engine, request: ApiRequest) -> HttpResponse:
    body = request.required_body()
    local = body.get("local", False)
    if not isinstance(local, bool):
        raise invalid_argument("The field 'local' must be a boolean.")
    engine.set_variables(
        path_key(request.params[0], "elementInstanceKey"), variables_arg(body), local
    )
    return HttpResponse.empty(204)


def variable_item(engine: Engine, instance: ProcessInstance, scope: ElementInstance, name: str) -> dict[str, Any]:
    """A ``VariableSearchResult`` for ``name`` in ``scope`` (its key is made on first sight)."""
    key = scope.variable_keys.get(name)
    if key is None:
        key = scope.variable_keys[name] = engine.new_key()
    return {
        "name": name,
        "value": json.dumps(scope.variables[name], separators=(",", ":")),
        "isTruncated": False,
        "tenantId": instance.tenant_id,
        "variableKey": key,
        "scopeKey": scope.key,
        "processInstanceKey": instance.key,
        "rootProcessInstanceKey": instance.root_key,
    }


def search_variables(engine: Engine, request: ApiRequest) -> HttpResponse:
    items = [
        variable_item(engine, instance, scope, name)
        for instance in engine.instances.values()
        for scope in instance.element_instances.values()
        for name in scope.variables
    ]
    return search_response(items, request.body(), "variableKey", VARIABLE_FIELDS)


ROUTES = (
    Route("POST", "/v2/element-instances/search", "searchElementInstances",
          search_element_instances),
    Route("GET", "/v2/element-instances/{elementInstanceKey}", "getElementInstance",
          get_element_instance),
    Route("PUT", "/v2/element-instances/{elementInstanceKey}/variables",
          "createElementInstanceVariables", set_variables),
    Route("POST", "/v2/variables/search", "searchVariables", search_variables),
)  # fmt: skip
