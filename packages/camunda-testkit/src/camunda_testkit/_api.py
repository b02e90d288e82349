"""The ``/v2`` routes the fake cluster models, and their request validation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qsl, unquote

from ._engine import (
    DEFAULT_LONG_POLL_SECONDS,
    DEFAULT_TENANT,
    Engine,
    Problem,
    ProcessDefinition,
)
from ._http import HttpRequest, HttpResponse, parse_multipart
from ._search import SearchError, search

__all__ = ["ApiRequest", "Route", "Router", "build_router"]

_NO_JSON = object()


@dataclass(slots=True)
class ApiRequest:
    http: HttpRequest
    params: list[str]
    # The parsed JSON body, None for an empty body, _NO_JSON for invalid JSON.
    parsed: Any

    def body(self) -> dict[str, Any]:
        """The JSON object body; an empty body counts as ``{}``."""
        parsed = self.parsed
        if parsed is _NO_JSON:
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


Result = HttpResponse | Awaitable[HttpResponse]
Handler = Callable[[ApiRequest], Result]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    segments: tuple[str | None, ...]  # None marks a path parameter
    operation: str
    handler: Handler


class Router:
    """Matches ``METHOD /v2/...`` by splitting on '/', without regular expressions."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, int], list[Route]] = {}

    def add(self, method: str, template: str, operation: str, handler: Handler) -> None:
        segments = tuple(
            None if part.startswith("{") else part for part in template.strip("/").split("/")
        )
        route = Route(method, segments, operation, handler)
        self._routes.setdefault((method, len(segments)), []).append(route)

    def match(self, method: str, path: str) -> tuple[Route, list[str]] | None:
        parts = path.strip("/").split("/")
        candidates = self._routes.get((method, len(parts)))
        if not candidates:
            return None
        for route in candidates:
            params: list[str] = []
            for expected, actual in zip(route.segments, parts, strict=True):
                if expected is None:
                    params.append(unquote(actual))
                elif expected != actual:
                    break
            else:
                return route, params
        return None


# ------------------------------------------------------------ validation
def _bad(detail: str) -> Problem:
    return Problem(400, "INVALID_ARGUMENT", detail)


def _key(value: Any, name: str) -> str:
    """A key must be a string of digits, as the spec's LongKey pattern says."""
    if not isinstance(value, str) or not value.lstrip("-").isdigit() or value.count("-") > 1:
        raise _bad(
            f"Expected '{name}' to be a key (a string of digits, e.g. \"2251799813685249\"), "
            f"got {json.dumps(value)}."
        )
    return value


def _path_key(value: str, name: str) -> str:
    if not value.lstrip("-").isdigit():
        raise _bad(f"The path parameter '{name}' must be a key, got '{value}'.")
    return value


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    if value is None and default is None:
        raise _bad(f"No {name} provided.")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"Expected '{name}' to be an integer, got {json.dumps(value)}.")
    return value


def _opt_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    return _int(body, name)


def _str(body: dict[str, Any], name: str, *, required: bool = False, default: str = "") -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise _bad(f"No {name} provided.")
        return default
    if not isinstance(value, str):
        raise _bad(f"Expected '{name}' to be a string, got {json.dumps(value)}.")
    if required and not value:
        raise _bad(f"No {name} provided.")
    return value


def _opt_str(body: dict[str, Any], name: str) -> str | None:
    if body.get(name) is None:
        return None
    return _str(body, name)


def _variables(body: dict[str, Any], name: str = "variables") -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(f"Expected '{name}' to be a JSON object, got {json.dumps(value)}.")
    return cast("dict[str, Any]", value)


def _string_list(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in cast("list[Any]", value)):
        raise _bad(f"Expected '{name}' to be a list of strings.")
    return cast("list[str]", value)


def _tenant(body: dict[str, Any]) -> str:
    return _str(body, "tenantId") or DEFAULT_TENANT


# --------------------------------------------------------------- handlers
def build_router(engine: Engine) -> Router:
    router = Router()
    add = router.add

    # ------------------------------------------------------------ cluster
    def get_topology(_: ApiRequest) -> HttpResponse:
        return HttpResponse.json(
            200,
            {
                "brokers": [
                    {
                        "nodeId": 0,
                        "host": "127.0.0.1",
                        "port": 26501,
                        "partitions": [{"partitionId": 1, "role": "leader", "health": "healthy"}],
                        "version": "8.9.0",
                    }
                ],
                "clusterId": "camunda-testkit",
                "clusterSize": 1,
                "partitionsCount": 1,
                "replicationFactor": 1,
                "gatewayVersion": "8.9.0",
                "lastCompletedChangeId": "-1",
            },
        )

    add("GET", "/v2/topology", "getTopology", get_topology)
    add("GET", "/v2/status", "getStatus", lambda _: HttpResponse.empty(204))

    # --------------------------------------------------------- deployment
    def create_deployment(request: ApiRequest) -> HttpResponse:
        content_type = request.http.header("content-type")
        try:
            parts = parse_multipart(content_type, request.http.body)
        except ValueError as exc:
            raise _bad(f"The deployment must be a multipart/form-data request: {exc}") from exc
        resources: list[tuple[str, bytes]] = []
        tenant_id = DEFAULT_TENANT
        for part in parts:
            if part.name == "tenantId":
                tenant_id = part.data.decode("utf-8", "replace").strip() or DEFAULT_TENANT
            elif part.name == "resources" or part.filename:
                if not part.filename:
                    raise _bad("Each 'resources' part needs a filename.")
                resources.append((part.filename, part.data))
        return HttpResponse.json(200, engine.deploy(resources, tenant_id))

    add("POST", "/v2/deployments", "createDeployment", create_deployment)

    # -------------------------------------------------- process definitions
    def definition_of(key: str) -> ProcessDefinition:
        definition = engine.definitions.get(_path_key(key, "processDefinitionKey"))
        if definition is None:
            raise Problem(404, "NOT_FOUND", f"Process definition with key '{key}' not found")
        return definition

    add(
        "GET",
        "/v2/process-definitions/{processDefinitionKey}",
        "getProcessDefinition",
        lambda r: HttpResponse.json(200, definition_of(r.params[0]).to_wire()),
    )
    add(
        "GET",
        "/v2/process-definitions/{processDefinitionKey}/xml",
        "getProcessDefinitionXML",
        lambda r: HttpResponse(200, definition_of(r.params[0]).xml, "text/xml"),
    )

    def search_definitions(request: ApiRequest) -> HttpResponse:
        body = dict(request.body())  # copied: the recorded request keeps its original filter
        latest_only = False
        filters = body.get("filter")
        if isinstance(filters, dict):
            remaining = dict(cast("dict[str, Any]", filters))
            latest_only = bool(remaining.pop("isLatestVersion", False))
            body["filter"] = remaining
        items = [d.to_wire() for d in engine.definitions.values()]
        if latest_only:
            newest: dict[tuple[str, str], dict[str, Any]] = {}
            for item in items:
                newest[(item["processDefinitionId"], item["tenantId"])] = item
            items = list(newest.values())
        return _search(items, body, "processDefinitionKey")

    add("POST", "/v2/process-definitions/search", "searchProcessDefinitions", search_definitions)

    # ---------------------------------------------------- process instances
    async def create_instance(request: ApiRequest) -> HttpResponse:
        body = request.required_body()
        tenant_id = _tenant(body)
        version = _int(body, "processDefinitionVersion", -1)
        if "processDefinitionKey" in body:
            key = _key(body["processDefinitionKey"], "processDefinitionKey")
            found = engine.definitions.get(key)
            if found is None:
                raise Problem(
                    404,
                    "NOT_FOUND",
                    f"Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process "
                    f"definition with key '{key}', but none found",
                )
            definition = found
        elif "processDefinitionId" in body:
            process_id = _str(body, "processDefinitionId", required=True)
            definition = engine.find_definition(process_id, version, tenant_id)
        else:
            raise _bad("Expected either a 'processDefinitionKey' or a 'processDefinitionId'.")
        tags = _string_list(body, "tags") or []
        instance = engine.create_instance(
            definition, _variables(body), tenant_id, tags, _opt_str(body, "businessId")
        )
        variables: dict[str, Any] = {}
        if body.get("awaitCompletion") is True:
            timeout_ms = _int(body, "requestTimeout", 0)
            if instance.state == "ACTIVE":
                loop = asyncio.get_running_loop()
                waiter: asyncio.Future[None] = loop.create_future()
                instance.completion_waiters.append(waiter)
                seconds = timeout_ms / 1000 if timeout_ms > 0 else DEFAULT_LONG_POLL_SECONDS
                try:
                    await asyncio.wait_for(waiter, seconds)
                except asyncio.TimeoutError:
                    raise Problem(
                        504,
                        "DEADLINE_EXCEEDED",
                        f"Expected to complete process instance '{instance.key}' within "
                        f"{seconds:g} s, but it did not",
                    ) from None
            fetch = _string_list(body, "fetchVariables")
            source = instance.variables
            variables = (
                {n: source[n] for n in fetch if n in source} if fetch else dict(source)
            )
        return HttpResponse.json(
            200,
            {
                "processDefinitionId": definition.model.process_id,
                "processDefinitionVersion": definition.version,
                "tenantId": instance.tenant_id,
                "variables": variables,
                "processDefinitionKey": definition.key,
                "processInstanceKey": instance.key,
                "tags": list(instance.tags),
                "businessId": instance.business_id,
            },
        )

    add("POST", "/v2/process-instances", "createProcessInstance", create_instance)

    def get_instance(request: ApiRequest) -> HttpResponse:
        key = _path_key(request.params[0], "processInstanceKey")
        return HttpResponse.json(200, engine.get_instance(key).to_wire())

    add("GET", "/v2/process-instances/{processInstanceKey}", "getProcessInstance", get_instance)

    def cancel_instance(request: ApiRequest) -> HttpResponse:
        request.body()  # validates the optional body
        engine.cancel_instance(_path_key(request.params[0], "processInstanceKey"))
        return HttpResponse.empty(204)

    add(
        "POST",
        "/v2/process-instances/{processInstanceKey}/cancellation",
        "cancelProcessInstance",
        cancel_instance,
    )

    def search_instances(request: ApiRequest) -> HttpResponse:
        items = [i.to_wire() for i in engine.instances.values()]
        return _search(items, request.body(), "processInstanceKey")

    add("POST", "/v2/process-instances/search", "searchProcessInstances", search_instances)

    # --------------------------------------------------------------- jobs
    async def activate_jobs(request: ApiRequest) -> HttpResponse:
        body = request.required_body()
        job_type = _str(body, "type", required=True)
        max_jobs = _int(body, "maxJobsToActivate")
        if max_jobs < 1:
            raise _bad(f"Expected 'maxJobsToActivate' to be at least 1, got {max_jobs}.")
        timeout_ms = _int(body, "timeout")
        if timeout_ms < 1:
            raise _bad(f"Expected 'timeout' to be at least 1, got {timeout_ms}.")
        worker = _str(body, "worker")
        fetch = _string_list(body, "fetchVariable")
        request_timeout = _int(body, "requestTimeout", 0)
        tenant_list = _string_list(body, "tenantIds")
        tenant_ids: frozenset[str] | None
        if body.get("tenantFilter") == "ASSIGNED":
            tenant_ids = None
        else:
            tenant_ids = frozenset(tenant_list) if tenant_list else frozenset((DEFAULT_TENANT,))
        engine.counters.activation_requests += 1
        jobs = engine.activate(job_type, max_jobs, timeout_ms, worker, fetch, tenant_ids)
        if jobs or request_timeout < 0:
            return HttpResponse.json(200, {"jobs": jobs})
        loop = asyncio.get_running_loop()
        seconds = request_timeout / 1000 if request_timeout > 0 else DEFAULT_LONG_POLL_SECONDS
        give_up_at = loop.time() + seconds
        while True:
            remaining = give_up_at - loop.time()
            if remaining <= 0 or request.http.is_disconnected():
                return HttpResponse.json(200, {"jobs": []})
            waiter = engine.add_waiter(job_type)
            timer = loop.call_later(remaining, _settle, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                engine.discard_waiter(job_type, waiter)
            if request.http.is_disconnected():
                # Nobody would receive the jobs: leave them for the next poller.
                return HttpResponse.json(200, {"jobs": []})
            jobs = engine.activate(job_type, max_jobs, timeout_ms, worker, fetch, tenant_ids)
            if jobs:
                return HttpResponse.json(200, {"jobs": jobs})

    add("POST", "/v2/jobs/activation", "activateJobs", activate_jobs)

    def complete_job(request: ApiRequest) -> HttpResponse:
        key = _path_key(request.params[0], "jobKey")
        body = request.body()
        engine.complete_job(key, _variables(body))
        return HttpResponse.empty(204)

    add("POST", "/v2/jobs/{jobKey}/completion", "completeJob", complete_job)

    def fail_job(request: ApiRequest) -> HttpResponse:
        key = _path_key(request.params[0], "jobKey")
        body = request.body()
        retries = _int(body, "retries", 0)
        backoff = _int(body, "retryBackOff", 0)
        if retries < 0 or backoff < 0:
            raise _bad("Expected 'retries' and 'retryBackOff' not to be negative.")
        engine.fail_job(key, retries, _opt_str(body, "errorMessage"), backoff, _variables(body))
        return HttpResponse.empty(204)

    add("POST", "/v2/jobs/{jobKey}/failure", "failJob", fail_job)

    def throw_error(request: ApiRequest) -> HttpResponse:
        key = _path_key(request.params[0], "jobKey")
        body = request.required_body()
        engine.throw_error(
            key,
            _str(body, "errorCode", required=True),
            _opt_str(body, "errorMessage"),
            _variables(body),
        )
        return HttpResponse.empty(204)

    add("POST", "/v2/jobs/{jobKey}/error", "throwJobError", throw_error)

    def update_job(request: ApiRequest) -> HttpResponse:
        key = _path_key(request.params[0], "jobKey")
        body = request.required_body()
        changeset = body.get("changeset")
        if not isinstance(changeset, dict):
            raise _bad("No changeset provided.")
        changes = cast("dict[str, Any]", changeset)
        retries = _opt_int(changes, "retries")
        timeout = _opt_int(changes, "timeout")
        if retries is None and timeout is None:
            raise _bad("The changeset must change 'retries' or 'timeout'.")
        if (retries is not None and retries < 1) or (timeout is not None and timeout < 1):
            raise _bad("Expected changeset 'retries' and 'timeout' to be at least 1.")
        engine.update_job(key, retries, timeout)
        return HttpResponse.empty(204)

    add("PATCH", "/v2/jobs/{jobKey}", "updateJob", update_job)

    def search_jobs(request: ApiRequest) -> HttpResponse:
        items = [job.to_search_wire() for job in engine.jobs.values()]
        return _search(items, request.body(), "jobKey")

    add("POST", "/v2/jobs/search", "searchJobs", search_jobs)

    # ----------------------------------------------------------- messages
    def message_args(body: dict[str, Any]) -> tuple[str, str, dict[str, Any], str]:
        return (
            _str(body, "name", required=True),
            _str(body, "correlationKey"),
            _variables(body),
            _tenant(body),
        )

    def publish_message(request: ApiRequest) -> HttpResponse:
        body = request.required_body()
        name, correlation_key, variables, tenant_id = message_args(body)
        message = engine.publish_message(
            name,
            correlation_key,
            variables,
            tenant_id,
            _int(body, "timeToLive", 0),
            _opt_str(body, "messageId"),
            require_correlation=False,
        )
        return HttpResponse.json(200, {"tenantId": tenant_id, "messageKey": message.message_key})

    add("POST", "/v2/messages/publication", "publishMessage", publish_message)

    def correlate_message(request: ApiRequest) -> HttpResponse:
        body = request.required_body()
        name, correlation_key, variables, tenant_id = message_args(body)
        message = engine.publish_message(
            name, correlation_key, variables, tenant_id, 0, None, require_correlation=True
        )
        return HttpResponse.json(
            200,
            {
                "tenantId": tenant_id,
                "messageKey": message.message_key,
                "processInstanceKey": message.correlated_process_instance_key,
            },
        )

    add("POST", "/v2/messages/correlation", "correlateMessage", correlate_message)

    # ---------------------------------------------------------- documents
    def create_document(request: ApiRequest) -> HttpResponse:
        try:
            parts = parse_multipart(request.http.header("content-type"), request.http.body)
        except ValueError as exc:
            raise Problem(
                415, "UNSUPPORTED_MEDIA_TYPE", f"Expected a multipart upload: {exc}"
            ) from exc
        files = [p for p in parts if p.name == "file"]
        if len(files) != 1:
            raise _bad("Expected exactly one 'file' part.")
        metadata: dict[str, Any] = {}
        for part in parts:
            if part.name == "metadata":
                try:
                    loaded = json.loads(part.data)
                except ValueError as exc:
                    raise _bad("The 'metadata' part is not valid JSON.") from exc
                if not isinstance(loaded, dict):
                    raise _bad("The 'metadata' part must be a JSON object.")
                metadata = cast("dict[str, Any]", loaded)
        upload = files[0]
        metadata.setdefault("fileName", upload.filename)
        if upload.content_type:
            metadata.setdefault("contentType", upload.content_type)
        query = dict(parse_qsl(request.http.query))
        reference = engine.store_document(
            upload.data, metadata, query.get("documentId"), query.get("storeId", "in-memory")
        )
        return HttpResponse.json(201, reference)

    add("POST", "/v2/documents", "createDocument", create_document)

    def document_of(request: ApiRequest) -> tuple[bytes, dict[str, Any], str]:
        stored = engine.documents.get(request.params[0])
        if stored is None:
            raise Problem(404, "NOT_FOUND", f"Document with id '{request.params[0]}' not found")
        return stored

    def get_document(request: ApiRequest) -> HttpResponse:
        content, metadata, _ = document_of(request)
        return HttpResponse(200, content, str(metadata["contentType"]))

    def delete_document(request: ApiRequest) -> HttpResponse:
        document_of(request)
        del engine.documents[request.params[0]]
        return HttpResponse.empty(204)

    add("GET", "/v2/documents/{documentId}", "getDocument", get_document)
    add("DELETE", "/v2/documents/{documentId}", "deleteDocument", delete_document)

    return router


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _search(items: list[dict[str, Any]], body: dict[str, Any], key_field: str) -> HttpResponse:
    try:
        return HttpResponse.json(200, search(items, body, key_field))
    except SearchError as exc:
        raise _bad(str(exc)) from exc
