"""What a running instance holds: element instances (the tokens' places, each a variable
scope), incidents and message subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import Element
from .timers import Interval

if TYPE_CHECKING:
    from ..model import ProcessDefinition, ProcessInstance

__all__ = ["ACTIVE", "COMPLETED", "TERMINATED", "ElementInstance", "Incident",
           "MessageSubscription", "MultiInstanceState", "Timer", "UserTask"]  # fmt: skip

ACTIVE = "ACTIVE"
COMPLETED = "COMPLETED"
TERMINATED = "TERMINATED"


@dataclass(eq=False, slots=True)
class ElementInstance:
    key: str
    element: Element
    instance: ProcessInstance
    parent: ElementInstance | None  # the flow scope; None for the process itself
    start_ms: int
    variables: dict[str, Any] = field(default_factory=lambda: {})  # local scope
    state: str = ACTIVE
    end_ms: int | None = None
    # Active children (for scopes), by key, in activation order.
    children: dict[str, ElementInstance] = field(default_factory=lambda: {})
    # Tokens waiting at joining gateways of this scope: gateway id -> flow id -> count.
    joins: dict[str, dict[str, int]] = field(default_factory=lambda: {})
    # Tokens scheduled into this scope (on the agenda) and not yet arrived.
    in_transit: int = 0
    job_key: str | None = None
    subscriptions: list[MessageSubscription] = field(default_factory=lambda: [])
    incident: Incident | None = None
    # Keys of its variables, handed out when they are first searched.
    variable_keys: dict[str, str] = field(default_factory=lambda: {})
    timers: list[Timer] = field(default_factory=lambda: [])  # its own and its boundaries'
    user_task_key: str | None = None
    child_instance: ProcessInstance | None = None  # a call activity's called instance
    # Multi-instance: the body holds the state; each inner instance its index.
    multi: MultiInstanceState | None = None
    inner_index: int | None = None

    @property
    def is_inner(self) -> bool:
        return self.inner_index is not None

    @property
    def is_body(self) -> bool:
        return self.element.loop is not None and self.inner_index is None

    def to_wire(self) -> dict[str, Any]:
        """An ``ElementInstanceResult``."""
        from ..clock import iso_timestamp

        instance = self.instance
        return {
            "processDefinitionId": instance.definition.model.process_id,
            "startDate": iso_timestamp(self.start_ms),
            "endDate": iso_timestamp(self.end_ms),
            "elementId": self.element.id,
            "elementName": self.element.name or self.element.id,
            "type": "MULTI_INSTANCE_BODY" if self.is_body
            else _WIRE_TYPES.get(self.element.type, "UNSPECIFIED"),
            "state": self.state,
            "hasIncident": self.incident is not None,
            "tenantId": instance.tenant_id,
            "elementInstanceKey": self.key,
            "processInstanceKey": instance.key,
            "rootProcessInstanceKey": instance.root_key,
            "processDefinitionKey": instance.definition.key,
            "incidentKey": None if self.incident is None else self.incident.key,
        }


_WIRE_TYPES = {
    "process": "PROCESS", "subProcess": "SUB_PROCESS", "startEvent": "START_EVENT",
    "endEvent": "END_EVENT", "intermediateCatchEvent": "INTERMEDIATE_CATCH_EVENT",
    "intermediateThrowEvent": "INTERMEDIATE_THROW_EVENT", "boundaryEvent": "BOUNDARY_EVENT",
    "serviceTask": "SERVICE_TASK", "sendTask": "SEND_TASK", "scriptTask": "SCRIPT_TASK",
    "businessRuleTask": "BUSINESS_RULE_TASK", "receiveTask": "RECEIVE_TASK",
    "task": "TASK", "manualTask": "MANUAL_TASK", "userTask": "USER_TASK",
    "callActivity": "CALL_ACTIVITY", "exclusiveGateway": "EXCLUSIVE_GATEWAY", "parallelGateway": "PARALLEL_GATEWAY",
    "inclusiveGateway": "INCLUSIVE_GATEWAY", "eventBasedGateway": "EVENT_BASED_GATEWAY",
}  # fmt: skip


@dataclass(eq=False, slots=True)
class Incident:
    key: str
    element_instance: ElementInstance
    error_type: str  # the spec's IncidentErrorTypeEnum
    message: str
    creation_ms: int
    job_key: str | None = None
    state: str = "ACTIVE"
    # What resolving the incident does again (the step that failed).
    retry: Callable[[], None] | None = None

    def to_wire(self) -> dict[str, Any]:
        """An ``IncidentResult``."""
        from ..clock import iso_timestamp

        element_instance = self.element_instance
        instance = element_instance.instance
        return {
            "processDefinitionId": instance.definition.model.process_id,
            "errorType": self.error_type,
            "errorMessage": self.message,
            "elementId": element_instance.element.id,
            "creationTime": iso_timestamp(self.creation_ms),
            "state": self.state,
            "tenantId": instance.tenant_id,
            "incidentKey": self.key,
            "processDefinitionKey": instance.definition.key,
            "processInstanceKey": instance.key,
            "rootProcessInstanceKey": instance.root_key,
            "elementInstanceKey": element_instance.key,
            "jobKey": self.job_key,
        }


@dataclass(eq=False, slots=True)
class MessageSubscription:
    """An open wait for a message: ``catch`` is the element the message completes (for an
    event-based gateway, one of its targets; ``element_instance`` is then the gateway)."""

    name: str
    correlation_key: str
    tenant_id: str
    element_instance: ElementInstance
    catch: Element
    open: bool = True


@dataclass(eq=False, slots=True)
class MultiInstanceState:
    items: list[Any]
    created: int = 0
    completed: int = 0


@dataclass(eq=False, slots=True)
class Timer:
    """A due time on the engine clock: ``catch`` is the event it triggers; ``owner`` the
    element instance waiting (None for a timer start event of ``definition``)."""

    key: str
    due_ms: int
    catch: Element
    owner: ElementInstance | None
    definition: ProcessDefinition | None = None
    interval: Interval | None = None
    remaining: int | None = 0  # firings left after this one; None: forever
    state: str = "ACTIVE"  # TRIGGERED, CANCELED


@dataclass(eq=False, slots=True)
class UserTask:
    key: str
    element_instance: ElementInstance
    creation_ms: int
    assignee: str | None = None
    candidate_groups: list[str] = field(default_factory=lambda: [])
    candidate_users: list[str] = field(default_factory=lambda: [])
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: int = 50
    form_key: str | None = None
    external_form_reference: str | None = None
    headers: dict[str, str] = field(default_factory=lambda: {})
    state: str = "CREATED"  # COMPLETED, CANCELED
    completion_ms: int | None = None

    def to_wire(self) -> dict[str, Any]:
        """A ``UserTaskResult``."""
        from ..clock import iso_timestamp

        element_instance = self.element_instance
        instance = element_instance.instance
        definition = instance.definition
        return {
            "name": element_instance.element.name,
            "state": self.state,
            "assignee": self.assignee,
            "elementId": element_instance.element.id,
            "candidateGroups": list(self.candidate_groups),
            "candidateUsers": list(self.candidate_users),
            "processDefinitionId": definition.model.process_id,
            "creationDate": iso_timestamp(self.creation_ms),
            "completionDate": iso_timestamp(self.completion_ms),
            "followUpDate": self.follow_up_date,
            "dueDate": self.due_date,
            "tenantId": instance.tenant_id,
            "externalFormReference": self.external_form_reference,
            "processDefinitionVersion": definition.version,
            "customHeaders": dict(self.headers),
            "priority": self.priority,
            "userTaskKey": self.key,
            "elementInstanceKey": element_instance.key,
            "processName": definition.model.name,
            "processDefinitionKey": definition.key,
            "processInstanceKey": instance.key,
            "rootProcessInstanceKey": instance.root_key,
            "formKey": self.form_key,
            "tags": list(instance.tags),
        }
