"""``/v2/process-instances``: create (optionally awaiting completion), get, cancel, search."""

from __future__ import annotations

from typing import Any, cast

from .._http import HttpResponse
from ..engine import Engine, Problem, ProcessDefinition, selected_variables
from .arguments import (
    int_arg,
    invalid_argument,
    key_arg,
    optional_str_arg,
    path_key,
    str_arg,
    string_list_arg,
    tenant_arg,
    variables_arg,
)
from .router import ApiRequest, Route
from .search import SearchFields, search_response

__all__ = ["ROUTES"]


async def create_process_instance(engine: Engine, request: ApiRequest) -> HttpResponse:
    body = request.required_body()
    tenant_id = tenant_arg(body)
    definition = _definition_to_start(engine, body, tenant_id)
    tags = string_list_arg(body, "tags") or []
    instance = engine.create_instance(
        definition, variables_arg(body), tenant_id, tags, optional_str_arg(body, "businessId")
    )
    variables: dict[str, Any] = {}
    if body.get("awaitCompletion") is True:
        await engine.await_completion(instance, int_arg(body, "requestTimeout", 0))
        variables = selected_variables(instance.variables, string_list_arg(body, "fetchVariables"))
    return HttpResponse.json(200, instance.to_creation_wire(variables))


def get_process_instance(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "processInstanceKey")
    return HttpResponse.json(200, engine.get_instance(key).to_wire())


def cancel_process_instance(engine: Engine, request: ApiRequest) -> HttpResponse:
    request.body()  # validates the optional body
    engine.cancel_instance(path_key(request.params[0], "processInstanceKey"))
    return HttpResponse.empty(204)


def _has_tags(item: dict[str, Any], condition: Any) -> bool:
    """``tags``: the instance carries every tag named."""
    wanted: list[Any] = cast("list[Any]", condition) if isinstance(condition, list) else [condition]
    return all(tag in item["tags"] for tag in wanted)


# Filter fields honoured (item fields of the same name, ``tags`` as "has all"); the spec's
# variables, elementId, elementInstanceState, hasElementInstanceIncident, errorMessage,
# hasRetriesLeft, incidentErrorHashCode and batch operation fields are rejected.
SEARCH_FIELDS = SearchFields.declare(
    "searchProcessInstances",
    filters=("processDefinitionId", "processDefinitionName", "processDefinitionVersion",
             "processDefinitionVersionTag", "processDefinitionKey", "processInstanceKey",
             "parentProcessInstanceKey", "parentElementInstanceKey", "state", "hasIncident",
             "tenantId", "startDate", "endDate", "businessId", "tags"),
    sort=("processInstanceKey", "processDefinitionId", "processDefinitionName",
          "processDefinitionVersion", "processDefinitionVersionTag", "processDefinitionKey",
          "parentProcessInstanceKey", "parentElementInstanceKey", "startDate", "endDate",
          "state", "hasIncident", "tenantId", "businessId"),
    allow_or=True,
    custom={"tags": _has_tags},
)  # fmt: skip


def search_process_instances(engine: Engine, request: ApiRequest) -> HttpResponse:
    items = [i.to_wire() for i in engine.instances.values()]
    return search_response(items, request.body(), "processInstanceKey", SEARCH_FIELDS)


def _definition_to_start(engine: Engine, body: dict[str, Any], tenant_id: str) -> ProcessDefinition:
    """By ``processDefinitionKey``, or by ``processDefinitionId`` and version (latest by default)."""
    version = int_arg(body, "processDefinitionVersion", -1)
    if "processDefinitionKey" in body:
        key = key_arg(body, "processDefinitionKey")
        definition = engine.definitions.get(key)
        if definition is None:
            raise Problem(
                404,
                "NOT_FOUND",
                f"Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process "
                f"definition with key '{key}', but none found",
            )
        return definition
    if "processDefinitionId" in body:
        process_id = str_arg(body, "processDefinitionId", required=True)
        return engine.find_definition(process_id, version, tenant_id)
    raise invalid_argument("Expected either a 'processDefinitionKey' or a 'processDefinitionId'.")


ROUTES = (
    Route("POST", "/v2/process-instances", "createProcessInstance", create_process_instance),
    Route(
        "GET",
        "/v2/process-instances/{processInstanceKey}",
        "getProcessInstance",
        get_process_instance,
    ),
    Route(
        "POST",
        "/v2/process-instances/{processInstanceKey}/cancellation",
        "cancelProcessInstance",
        cancel_process_instance,
    ),
    Route(
        "POST",
        "/v2/process-instances/search",
        "searchProcessInstances",
        search_process_instances,
    ),
)
