"""``/v2/user-tasks``: search, get, assign, unassign, update, complete, and a user task's
variables (every scope it sees, innermost first)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from .._http import HttpResponse
from ..engine import Engine
from .arguments import invalid_argument, path_key, str_arg, variables_arg
from .element_instances import variable_item
from .router import ApiRequest, Route
from .search import SearchError, SearchFields, search_response

__all__ = ["ROUTES"]


def _member_of(list_field: str) -> Callable[[dict[str, Any], Any], bool]:
    """``candidateGroup``/``candidateUser``: the task's list names the value (or any of ``$in``)."""

    def matches(item: dict[str, Any], condition: Any) -> bool:
        members: list[Any] = item[list_field]
        if isinstance(condition, dict):
            wanted = cast("dict[str, Any]", condition)
            if "$in" in wanted:
                return any(value in members for value in cast("list[Any]", wanted["$in"]))
            if "$eq" in wanted:
                return wanted["$eq"] in members
            raise SearchError(f"{list_field[:-1]}: only a value, $eq or $in is modelled")
        return condition in members

    return matches


# The spec's processInstanceVariables, localVariables and tags filters are rejected.
SEARCH_FIELDS = SearchFields.declare(
    "searchUserTasks",
    filters=("state", "assignee", "priority", "elementId", "name", "tenantId", "processDefinitionId",
             "creationDate", "completionDate", "followUpDate", "dueDate", "userTaskKey",
             "processDefinitionKey", "processInstanceKey", "elementInstanceKey",
             "candidateGroup", "candidateUser"),
    sort=("creationDate", "completionDate", "followUpDate", "dueDate", "priority", "name"),
    custom={"candidateGroup": _member_of("candidateGroups"), "candidateUser": _member_of("candidateUsers")},
)  # fmt: skip
VARIABLE_SEARCH_FIELDS = SearchFields.declare(
    "searchUserTaskVariables",
    filters=("name",),
    sort=("value", "name", "tenantId", "variableKey", "scopeKey", "processInstanceKey"),
)


def search_user_tasks(engine: Engine, request: ApiRequest) -> HttpResponse:
    items = [task.to_wire() for task in engine.user_tasks.values()]
    return search_response(items, request.body(), "userTaskKey", SEARCH_FIELDS)


def get_user_task(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "userTaskKey")
    return HttpResponse.json(200, engine.get_user_task(key).to_wire())


def complete_user_task(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "userTaskKey")
    engine.complete_user_task(key, variables_arg(request.body()))
    return HttpResponse.empty(204)


def assign_user_task(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "userTaskKey")
    body = request.required_body()
    assignee = str_arg(body, "assignee", required=True)
    allow_override = body.get("allowOverride")
    if allow_override is not None and not isinstance(allow_override, bool):
        raise invalid_argument("Expected 'allowOverride' to be a boolean.")
    engine.assign_user_task(key, assignee, allow_override is not False)
    return HttpResponse.empty(204)


def unassign_user_task(engine: Engine, request: ApiRequest) -> HttpResponse:
    engine.unassign_user_task(path_key(request.params[0], "userTaskKey"))
    return HttpResponse.empty(204)


def update_user_task(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "userTaskKey")
    raw = request.body().get("changeset")
    if raw is not None and not isinstance(raw, dict):
        raise invalid_argument("Expected 'changeset' to be an object.")
    changes = cast("dict[str, Any]", raw or {})
    for name in ("candidateGroups", "candidateUsers"):
        value = changes.get(name)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in cast("list[Any]", value))
        ):
            raise invalid_argument(f"Expected changeset '{name}' to be a list of strings.")
    for name in ("dueDate", "followUpDate"):
        if changes.get(name) is not None:
            str_arg(changes, name)
    priority = changes.get("priority")
    if priority is not None and (
        isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 100
    ):
        raise invalid_argument(f"Expected changeset 'priority' to be 0 to 100, got {json.dumps(priority)}.")
    engine.update_user_task(key, changes)
    return HttpResponse.empty(204)


def search_user_task_variables(engine: Engine, request: ApiRequest) -> HttpResponse:
    task = engine.get_user_task(path_key(request.params[0], "userTaskKey"))
    instance = task.element_instance.instance
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    scope = task.element_instance
    while scope is not None:
        for name in scope.variables:
            if name in seen:
                continue
            seen.add(name)
            items.append(variable_item(engine, instance, scope, name))
        scope = scope.parent
    return search_response(items, request.body(), "variableKey", VARIABLE_SEARCH_FIELDS)


ROUTES = (
    Route("POST", "/v2/user-tasks/search", "searchUserTasks", search_user_tasks),
    Route("GET", "/v2/user-tasks/{userTaskKey}", "getUserTask", get_user_task),
    Route("PATCH", "/v2/user-tasks/{userTaskKey}", "updateUserTask", update_user_task),
    Route("POST", "/v2/user-tasks/{userTaskKey}/completion", "completeUserTask",
          complete_user_task),
    Route("POST", "/v2/user-tasks/{userTaskKey}/assignment", "assignUserTask", assign_user_task),
    Route("DELETE", "/v2/user-tasks/{userTaskKey}/assignee", "unassignUserTask",
          unassign_user_task),
    Route("POST", "/v2/user-tasks/{userTaskKey}/variables/search", "searchUserTaskVariables",
          search_user_task_variables),
)  # fmt: skip
