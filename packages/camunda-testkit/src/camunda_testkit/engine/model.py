"""The engine's records (process definitions, process instances, jobs) and their wire shapes.

The wire shapes are written by hand, since the test kit cannot use the SDK's generated
models; ``tests/testkit/test_spec_shapes.py`` pins them against the spec.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from .bpmn.runtime import ElementInstance
from .clock import iso_timestamp
from .resources import ProcessModel, TaskModel

__all__ = [
    "ACTIVATABLE",
    "ACTIVATED",
    "BACKOFF",
    "CANCELED",
    "COMPLETED",
    "DEFAULT_LONG_POLL_SECONDS",
    "DEFAULT_TENANT",
    "ERROR_THROWN",
    "FAILED",
    "OPEN_JOB_STATES",
    "Job",
    "ProcessDefinition",
    "ProcessInstance",
    "StoredDocument",
    "selected_variables",
    "wire_job_state",
]

DEFAULT_TENANT = "<default>"
# How long a long poll or an awaited instance waits when the request names no time.
DEFAULT_LONG_POLL_SECONDS = 10.0

# Internal job states. ``JobView.state`` exposes these names.
ACTIVATABLE = "ACTIVATABLE"
ACTIVATED = "ACTIVATED"
BACKOFF = "BACKOFF"  # failed with retries left, waiting out retryBackOff
FAILED = "FAILED"  # failed with no retries left: an incident
ERROR_THROWN = "ERROR_THROWN"  # a BPMN error nobody catches: an incident
COMPLETED = "COMPLETED"
CANCELED = "CANCELED"

OPEN_JOB_STATES = frozenset({ACTIVATABLE, ACTIVATED, BACKOFF, FAILED, ERROR_THROWN})


def wire_job_state(state: str) -> str:
    """The state a rejection message names: a job backing off is FAILED on a broker."""
    return {BACKOFF: "FAILED", ACTIVATABLE: "ACTIVATABLE"}.get(state, state)


def selected_variables(variables: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    """A copy of the variables named (all of them when ``names`` is absent or empty, as on a
    broker)."""
    if not names:
        return dict(variables)
    return {name: variables[name] for name in names if name in variables}


@dataclass(slots=True)
class ProcessDefinition:
    key: str
    model: ProcessModel
    version: int
    resource_name: str
    tenant_id: str
    deployment_key: str
    xml: bytes

    def to_wire(self) -> dict[str, Any]:
        """A ``ProcessDefinitionResult``."""
        return {
            "name": self.model.name,
            "resourceName": self.resource_name,
            "version": self.version,
            "versionTag": self.model.version_tag,
            "processDefinitionId": self.model.process_id,
            "tenantId": self.tenant_id,
            "processDefinitionKey": self.key,
            "hasStartForm": False,
            "state": "ACTIVE",
        }


@dataclass(slots=True)
class ProcessInstance:
    key: str
    definition: ProcessDefinition
    variables: dict[str, Any]
    tenant_id: str
    tags: list[str]
    business_id: str | None
    start_ms: int
    state: str = "ACTIVE"
    has_incident: bool = False
    end_ms: int | None = None
    # The process's element instance (its variables are ``variables``) and all of them
    # by key, in activation order.
    root: ElementInstance | None = None
    element_instances: dict[str, ElementInstance] = field(default_factory=lambda: {})
    # Requests awaiting completion (``awaitCompletion``); resolved when the instance ends.
    completion_waiters: list[asyncio.Future[None]] = field(default_factory=lambda: [])
    # The call activity that started it (None: started directly).
    caller: ElementInstance | None = None

    @property
    def root_key(self) -> str:
        """The key of the top-level instance of its call hierarchy."""
        current = self
        while current.caller is not None:
            current = current.caller.instance
        return current.key

    def to_wire(self) -> dict[str, Any]:
        """A ``ProcessInstanceResult``."""
        definition = self.definition
        return {
            "processDefinitionId": definition.model.process_id,
            "processDefinitionName": definition.model.name,
            "processDefinitionVersion": definition.version,
            "processDefinitionVersionTag": definition.model.version_tag,
            "startDate": iso_timestamp(self.start_ms),
            "endDate": iso_timestamp(self.end_ms),
            "state": self.state,
            "hasIncident": self.has_incident,
            "tenantId": self.tenant_id,
            "processInstanceKey": self.key,
            "processDefinitionKey": definition.key,
            "parentProcessInstanceKey": None if self.caller is None else self.caller.instance.key,
            "parentElementInstanceKey": None if self.caller is None else self.caller.key,
            "rootProcessInstanceKey": self.root_key,
            "tags": list(self.tags),
            "businessId": self.business_id,
        }

    def to_creation_wire(self, variables: dict[str, Any]) -> dict[str, Any]:
        """A ``CreateProcessInstanceResult``."""
        definition = self.definition
        return {
            "processDefinitionId": definition.model.process_id,
            "processDefinitionVersion": definition.version,
            "tenantId": self.tenant_id,
            "variables": variables,
            "processDefinitionKey": definition.key,
            "processInstanceKey": self.key,
            "tags": list(self.tags),
            "businessId": self.business_id,
        }


@dataclass(slots=True)
class Job:
    key: str
    instance: ProcessInstance
    task: TaskModel
    element_instance_key: str
    retries: int
    created_ms: int
    state: str = ACTIVATABLE
    # The spec's JobStateEnum value of the last thing that happened to the job.
    last_event: str = "CREATED"
    worker: str = ""
    deadline_ms: int | None = None
    # Tells a current deadline or back-off heap entry from a stale one (see JobActivation).
    activation_seq: int = 0
    updated_ms: int | None = None
    end_ms: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    has_failed_with_retries_left: bool = False
    completions: int = 0
    completion_attempts: int = 0
    completion_variables: dict[str, Any] | None = None
    element_instance: ElementInstance | None = None

    def to_activated_wire(self, variables: dict[str, Any]) -> dict[str, Any]:
        """An ``ActivatedJobResult``, for a job just activated."""
        instance = self.instance
        definition = instance.definition
        return {
            "type": self.task.job_type,
            "processDefinitionId": definition.model.process_id,
            "processDefinitionVersion": definition.version,
            "elementId": self.task.element_id,
            "customHeaders": dict(self.task.custom_headers),
            "worker": self.worker,
            "retries": self.retries,
            "deadline": self.deadline_ms,
            "variables": variables,
            "tenantId": instance.tenant_id,
            "jobKey": self.key,
            "processInstanceKey": instance.key,
            "processDefinitionKey": definition.key,
            "elementInstanceKey": self.element_instance_key,
            "kind": "BPMN_ELEMENT",
            "listenerEventType": "UNSPECIFIED",
            "userTask": None,
            "tags": list(instance.tags),
            "rootProcessInstanceKey": instance.root_key,
        }

    def to_search_wire(self) -> dict[str, Any]:
        """A ``JobSearchResult`` item."""
        instance = self.instance
        return {
            "customHeaders": dict(self.task.custom_headers),
            "deadline": iso_timestamp(self.deadline_ms),
            "deniedReason": None,
            "elementId": self.task.element_id,
            "elementInstanceKey": self.element_instance_key,
            "endTime": iso_timestamp(self.end_ms),
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "hasFailedWithRetriesLeft": self.has_failed_with_retries_left,
            "isDenied": None,
            "jobKey": self.key,
            "kind": "BPMN_ELEMENT",
            "listenerEventType": "UNSPECIFIED",
            "processDefinitionId": instance.definition.model.process_id,
            "processDefinitionKey": instance.definition.key,
            "processInstanceKey": instance.key,
            "rootProcessInstanceKey": instance.root_key,
            "retries": self.retries,
            "state": self.last_event,
            "tenantId": instance.tenant_id,
            "type": self.task.job_type,
            "worker": self.worker,
            "creationTime": iso_timestamp(self.created_ms),
            "lastUpdateTime": iso_timestamp(self.updated_ms or self.created_ms),
        }


@dataclass(frozen=True, slots=True)
class StoredDocument:
    content: bytes
    metadata: dict[str, Any]  # as the wire's DocumentMetadata
    content_hash: str
