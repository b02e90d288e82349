"""The single table of what the engine executes. The parser rejects everything else at
deployment, naming the element; ``docs/testkit.md`` lists this table (a test keeps them in
step)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACTIVITIES", "JOB_TASKS", "SUPPORTED", "UNSUPPORTED_REASONS", "ElementSupport", "IGNORED"]


@dataclass(frozen=True, slots=True)
class ElementSupport:
    element: str
    # Event definitions it may carry ("none": without one).
    events: tuple[str, ...]
    behaviour: str


SUPPORTED: dict[str, ElementSupport] = {
    s.element: s
    for s in (
        ElementSupport("startEvent", ("none", "message", "timer"),
                       "none start (process and sub-process); message start and timer start "
                       "(timeDate, timeCycle; process only)"),
        ElementSupport("endEvent", ("none", "terminate", "message", "escalation"),
                       "ends the token; terminate ends its scope; message end needs a "
                       "zeebe:taskDefinition (a job); escalation throws its escalationCode"),
        ElementSupport("intermediateThrowEvent", ("none", "message", "escalation"),
                       "none: passes through; message: needs a zeebe:taskDefinition (a job); "
                       "escalation: throws its escalationCode and goes on unless interrupted"),
        ElementSupport("intermediateCatchEvent", ("message", "timer"),
                       "waits for a message (zeebe:subscription correlationKey) or a timer "
                       "(timeDuration, timeDate) on the engine clock"),
        ElementSupport("boundaryEvent", ("error", "timer", "message", "escalation"),
                       "interrupting error boundary, by errorCode or catch-all; timer boundary "
                       "(timeDuration, timeDate, timeCycle), message boundary (subscribed while "
                       "the activity is active) and escalation boundary (sub-processes and call "
                       "activities, by escalationCode or catch-all), interrupting or not"),
        ElementSupport("serviceTask", ("none",), "a job (zeebe:taskDefinition)"),
        ElementSupport("sendTask", ("none",), "a job (zeebe:taskDefinition)"),
        ElementSupport("scriptTask", ("none",), "a job (zeebe:taskDefinition)"),
        ElementSupport("businessRuleTask", ("none",), "a job (zeebe:taskDefinition)"),
        ElementSupport("receiveTask", ("none",), "waits for a message (messageRef)"),
        ElementSupport("userTask", ("none",),
                       "a user task record (zeebe:userTask) completed through /user-tasks"),
        ElementSupport("callActivity", ("none",),
                       "starts the latest version of zeebe:calledElement processId and waits "
                       "for it"),
        ElementSupport("task", ("none",), "passes through"),
        ElementSupport("manualTask", ("none",), "passes through"),
        ElementSupport("exclusiveGateway", ("none",),
                       "first true condition in document order, else the default flow, "
                       "else an incident"),
        ElementSupport("parallelGateway", ("none",), "forks all flows; joins all incoming"),
        ElementSupport("inclusiveGateway", ("none",),
                       "forks every true flow (else the default, else an incident); joins "
                       "the tokens that can still arrive"),
        ElementSupport("eventBasedGateway", ("none",),
                       "the first message or timer of its intermediate catch events wins"),
        ElementSupport("subProcess", ("none",), "embedded sub-process with its own scope"),
    )
}  # fmt: skip

# Elements that become jobs when they carry a zeebe:taskDefinition.
JOB_TASKS = frozenset({"serviceTask", "sendTask", "scriptTask", "businessRuleTask",
                       "intermediateThrowEvent", "endEvent"})  # fmt: skip

# Elements that may be multi-instance and carry boundary events.
ACTIVITIES = frozenset({"serviceTask", "sendTask", "scriptTask", "businessRuleTask", "receiveTask",
                        "userTask", "task", "manualTask", "subProcess", "callActivity"})  # fmt: skip

# Children of a process or sub-process that carry no execution semantics.
IGNORED = frozenset({"documentation", "laneSet", "textAnnotation", "association", "group",
                     "dataObject", "dataObjectReference", "dataStoreReference", "category",
                     "extensionElements", "sequenceFlow", "property", "ioSpecification"})  # fmt: skip

# Why well-known elements are rejected (anything else: "not executed by the test kit").
UNSUPPORTED_REASONS: dict[str, str] = {
    "timerEventDefinition": "timers are start, intermediate catch and boundary events",
    "signalEventDefinition": "the test kit does not model signals",
    "escalationEventDefinition": "escalations are intermediate throw, end and boundary events "
                                 "(the test kit does not model event sub-processes)",
    "compensateEventDefinition": "the test kit does not model compensation",
    "conditionalEventDefinition": "the test kit does not model conditional events",
    "linkEventDefinition": "the test kit does not model link events",
    "cancelEventDefinition": "the test kit does not model transactions",
    "adHocSubProcess": "the test kit does not model ad-hoc sub-processes",
    "transaction": "the test kit does not model transactions",
    "complexGateway": "Camunda 8 does not execute complex gateways",
    "standardLoopCharacteristics": "the test kit does not model loops",
}
