"""What a running instance holds: element instances (the tokens' places, each a variable
scope), incidents and message subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import Element

if TYPE_CHECKING:
    from ..model import ProcessInstance

__all__ = ["ACTIVE", "COMPLETED", "TERMINATED", "ElementInstance", "Incident",
           "MessageSubscription"]  # fmt: skip

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
            "type": _WIRE_TYPES.get(self.element.type, "UNSPECIFIED"),
            "state": self.state,
            "hasIncident": self.incident is not None,
            "tenantId": instance.tenant_id,
            "elementInstanceKey": self.key,
            "processInstanceKey": instance.key,
            "rootProcessInstanceKey": instance.key,
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
    "exclusiveGateway": "EXCLUSIVE_GATEWAY", "parallelGateway": "PARALLEL_GATEWAY",
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
            "rootProcessInstanceKey": instance.key,
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
