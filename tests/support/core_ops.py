"""Hand-made operation descriptors, so runtime tests don't depend on generated code."""

from __future__ import annotations

from typing import Any

from camunda_core.runtime.operation import Operation, Param

get_thing: Operation[Any] = Operation(
    "getThing", "GET", "/things/{thingKey}", path_params=(Param("thing_key", "thingKey"),), response_kind="json"
)
create_thing: Operation[Any] = Operation(
    "createThing", "POST", "/things", body_kind="json", body_required=True, response_kind="json", tenant_field="tenantId"
)
search_things: Operation[Any] = Operation(
    "searchThings",
    "POST",
    "/things/search",
    body_kind="json",
    response_kind="json",
    idempotent=True,
    query_params=(Param("truncate_values", "truncateValues", required=False),),
)
complete_thing: Operation[Any] = Operation(
    "completeThing", "POST", "/things/{thingKey}/completion", path_params=(Param("thing_key", "thingKey"),),
    body_kind="json", response_kind="none", success_statuses=(204,), backpressure_exempt=True,
)
upload: Operation[Any] = Operation(
    "upload", "POST", "/uploads", body_kind="multipart", response_kind="json", tenant_field="tenantId",
    file_fields=("resources",),
)
poll: Operation[Any] = Operation(
    "poll", "POST", "/poll", body_kind="json", body_required=True, response_kind="json", long_poll=True
)
