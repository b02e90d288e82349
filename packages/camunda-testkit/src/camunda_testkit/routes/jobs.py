"""``/v2/jobs``: activation (with long polls), completion, failure, BPMN errors, updates, search."""

from __future__ import annotations

from typing import Any, cast

from .._http import HttpResponse
from ..engine import DEFAULT_TENANT, ActivationRequest, Engine
from .arguments import (
    int_arg,
    invalid_argument,
    optional_int_arg,
    optional_str_arg,
    path_key,
    str_arg,
    string_list_arg,
    variables_arg,
)
from .router import ApiRequest, Route
from .search import SearchFields, search_response

__all__ = ["ROUTES"]


async def activate_jobs(engine: Engine, request: ApiRequest) -> HttpResponse:
    body = request.required_body()
    job_type = str_arg(body, "type", required=True)
    max_jobs = int_arg(body, "maxJobsToActivate")
    if max_jobs < 1:
        raise invalid_argument(f"Expected 'maxJobsToActivate' to be at least 1, got {max_jobs}.")
    timeout_ms = int_arg(body, "timeout")
    if timeout_ms < 1:
        raise invalid_argument(f"Expected 'timeout' to be at least 1, got {timeout_ms}.")
    worker = str_arg(body, "worker")
    fetch = string_list_arg(body, "fetchVariable")
    request_timeout = int_arg(body, "requestTimeout", 0)
    tenant_list = string_list_arg(body, "tenantIds")
    tenant_ids: frozenset[str] | None
    if body.get("tenantFilter") == "ASSIGNED":
        tenant_ids = None  # the tenants the caller is assigned to: all of them here
    else:
        tenant_ids = frozenset(tenant_list) if tenant_list else frozenset((DEFAULT_TENANT,))
    activation = ActivationRequest(
        job_type, max_jobs, timeout_ms, worker, fetch, tenant_ids, request_timeout
    )
    jobs = await engine.activate_or_wait(activation, request.http.is_disconnected)
    return HttpResponse.json(200, {"jobs": jobs})


def complete_job(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "jobKey")
    body = request.body()
    engine.complete_job(key, variables_arg(body))
    return HttpResponse.empty(204)


def fail_job(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "jobKey")
    body = request.body()
    retries = int_arg(body, "retries", 0)
    backoff = int_arg(body, "retryBackOff", 0)
    if retries < 0 or backoff < 0:
        raise invalid_argument("Expected 'retries' and 'retryBackOff' not to be negative.")
    engine.fail_job(
        key, retries, optional_str_arg(body, "errorMessage"), backoff, variables_arg(body)
    )
    return HttpResponse.empty(204)


def throw_job_error(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "jobKey")
    body = request.required_body()
    engine.throw_error(
        key,
        str_arg(body, "errorCode", required=True),
        optional_str_arg(body, "errorMessage"),
        variables_arg(body),
    )
    return HttpResponse.empty(204)


def update_job(engine: Engine, request: ApiRequest) -> HttpResponse:
    key = path_key(request.params[0], "jobKey")
    body = request.required_body()
    changeset = body.get("changeset")
    if not isinstance(changeset, dict):
        raise invalid_argument("No changeset provided.")
    changes = cast("dict[str, Any]", changeset)
    retries = optional_int_arg(changes, "retries")
    timeout = optional_int_arg(changes, "timeout")
    if retries is None and timeout is None:
        raise invalid_argument("The changeset must change 'retries' or 'timeout'.")
    if (retries is not None and retries < 1) or (timeout is not None and timeout < 1):
        raise invalid_argument("Expected changeset 'retries' and 'timeout' to be at least 1.")
    engine.update_job(key, retries, timeout)
    return HttpResponse.empty(204)


# Every filter and sort field of the spec is a field of the items (deniedReason and
# isDenied are always null: the test kit has no job listeners).
_JOB_FIELDS = ("deadline", "deniedReason", "elementId", "elementInstanceKey", "endTime",
               "errorCode", "errorMessage", "hasFailedWithRetriesLeft", "isDenied", "jobKey",
               "kind", "listenerEventType", "processDefinitionId", "processDefinitionKey",
               "processInstanceKey", "retries", "state", "tenantId", "type", "worker")  # fmt: skip
SEARCH_FIELDS = SearchFields.declare(
    "searchJobs", filters=(*_JOB_FIELDS, "creationTime", "lastUpdateTime"), sort=_JOB_FIELDS
)


def search_jobs(engine: Engine, request: ApiRequest) -> HttpResponse:
    items = [job.to_search_wire() for job in engine.jobs.values()]
    return search_response(items, request.body(), "jobKey", SEARCH_FIELDS)


ROUTES = (
    Route("POST", "/v2/jobs/activation", "activateJobs", activate_jobs),
    Route("POST", "/v2/jobs/{jobKey}/completion", "completeJob", complete_job),
    Route("POST", "/v2/jobs/{jobKey}/failure", "failJob", fail_job),
    Route("POST", "/v2/jobs/{jobKey}/error", "throwJobError", throw_job_error),
    Route("PATCH", "/v2/jobs/{jobKey}", "updateJob", update_job),
    Route("POST", "/v2/jobs/search", "searchJobs", search_jobs),
)
