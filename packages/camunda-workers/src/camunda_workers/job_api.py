"""The five job calls a worker makes, at wire level, through the client's send loop.

Workers move thousands of jobs a second, so they skip the model layer: the
activation response is read as plain JSON (one dict per job, no per-job
structuring) and request bodies are dicts. Everything else — auth, plugins,
the long-poll read timeout, typed errors, the adaptive backpressure gate — is
the client's own send loop (``AsyncClientRuntime._send``). Retries are decided
here by the worker (``retry=False`` on every call), because a worker needs to
know whether an earlier attempt may have reached the server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from camunda_core.errors import ValidationError
from camunda_core.runtime.operation import Operation, Param
from camunda_core.runtime.request_builder import PreparedRequest

if TYPE_CHECKING:
    from camunda_core.runtime.async_client import AsyncClientRuntime

__all__ = ["JobApi", "ACTIVATE_JOBS", "COMPLETE_JOB", "FAIL_JOB", "THROW_JOB_ERROR", "UPDATE_JOB", "encode_variables"]

_JSON_HEADERS = {"Content-Type": "application/json"}

ACTIVATE_JOBS: Operation[Any] = Operation(
    "activateJobs", "POST", "/jobs/activation", body_kind="json", body_required=True, response_kind="json",
    long_poll=True,
)
COMPLETE_JOB: Operation[Any] = Operation(
    "completeJob", "POST", "/jobs/{jobKey}/completion", path_params=(Param("job_key", "jobKey"),),
    body_kind="json", response_kind="none", success_statuses=(204,), backpressure_exempt=True,
)
FAIL_JOB: Operation[Any] = Operation(
    "failJob", "POST", "/jobs/{jobKey}/failure", path_params=(Param("job_key", "jobKey"),),
    body_kind="json", response_kind="none", success_statuses=(204,), backpressure_exempt=True,
)
THROW_JOB_ERROR: Operation[Any] = Operation(
    "throwJobError", "POST", "/jobs/{jobKey}/error", path_params=(Param("job_key", "jobKey"),),
    body_kind="json", body_required=True, response_kind="none", success_statuses=(204,), backpressure_exempt=True,
)
UPDATE_JOB: Operation[Any] = Operation(
    "updateJob", "PATCH", "/jobs/{jobKey}", path_params=(Param("job_key", "jobKey"),),
    body_kind="json", body_required=True, response_kind="none", success_statuses=(204,), backpressure_exempt=True,
)


def _to_wire(value: Any) -> Any:
    """JSON-ready data for a variables value: plain JSON as is, models via the SDK converter."""
    from camunda_core.runtime.request_builder import to_wire

    return to_wire(value)


def encode_variables(operation_id: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """Check that ``variables`` is a JSON object with string keys (typed errors, not a server 400)."""
    if not isinstance(variables, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValidationError(f"{operation_id}: variables must be a dict, got {type(variables).__name__}")
    for key in variables:
        if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(f"{operation_id}: variable names must be strings, got {key!r}")
    return dict(variables)


def _encode(operation_id: str, body: dict[str, Any]) -> bytes:
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        pass
    # Not plain JSON: datetimes, enums or attrs models inside. The SDK's converter knows them.
    try:
        wire = _to_wire(body)
        return json.dumps(wire, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except Exception as exc:
        raise ValidationError(f"{operation_id}: the variables are not JSON-serialisable ({type(exc).__name__}: {exc})") from exc


class JobApi:
    """Sends the job operations over one async client."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncClientRuntime) -> None:
        self._client = client

    def _prepared(self, op: Operation[Any], job_key: str | None, body: dict[str, Any]) -> PreparedRequest:
        path = op.path if job_key is None else op.path.replace("{jobKey}", quote(job_key, safe=""))
        return PreparedRequest(
            operation=op,
            method=op.method,
            path=path,
            content=_encode(op.operation_id, body),
            headers=_JSON_HEADERS,
            json_body=body,
        )

    async def activate(
        self,
        *,
        job_type: str,
        worker: str,
        timeout_ms: int,
        max_jobs: int,
        request_timeout_ms: int,
        fetch_variables: Sequence[str] | None,
        tenant_ids: Sequence[str] | None,
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {
            "type": job_type,
            "worker": worker,
            "timeout": timeout_ms,
            "maxJobsToActivate": max_jobs,
            "requestTimeout": request_timeout_ms,
        }
        if fetch_variables is not None:
            body["fetchVariable"] = list(fetch_variables)
        if tenant_ids is not None:
            body["tenantIds"] = list(tenant_ids)
        result = await self._client._send(self._prepared(ACTIVATE_JOBS, None, body), False, None)
        if not isinstance(result, dict):
            return []
        jobs = cast("dict[str, Any]", result).get("jobs")
        if not isinstance(jobs, list):
            return []
        return [job for job in cast("list[Any]", jobs) if isinstance(job, dict)]

    async def complete(
        self, job_key: str, variables: Mapping[str, Any] | None, result: Mapping[str, Any] | None = None
    ) -> None:
        body: dict[str, Any] = {}
        if variables is not None:
            body["variables"] = encode_variables("completeJob", variables)
        if result is not None:
            body["result"] = dict(result)
        await self._client._send(self._prepared(COMPLETE_JOB, job_key, body), False, None)

    async def fail(
        self,
        job_key: str,
        *,
        retries: int,
        message: str,
        retry_back_off_ms: int,
        variables: Mapping[str, Any] | None,
    ) -> None:
        # Always explicit: the spec's default retries of 0 would raise an incident at once.
        body: dict[str, Any] = {"retries": retries, "errorMessage": message, "retryBackOff": retry_back_off_ms}
        if variables is not None:
            body["variables"] = encode_variables("failJob", variables)
        await self._client._send(self._prepared(FAIL_JOB, job_key, body), False, None)

    async def throw_error(
        self, job_key: str, *, code: str, message: str | None, variables: Mapping[str, Any] | None
    ) -> None:
        body: dict[str, Any] = {"errorCode": code}
        if message is not None:
            body["errorMessage"] = message
        if variables is not None:
            body["variables"] = encode_variables("throwJobError", variables)
        await self._client._send(self._prepared(THROW_JOB_ERROR, job_key, body), False, None)

    async def extend_timeout(self, job_key: str, *, timeout_ms: int) -> None:
        body: dict[str, Any] = {"changeset": {"timeout": timeout_ms}}
        await self._client._send(self._prepared(UPDATE_JOB, job_key, body), False, None)
