"""BPMN XML to the process graph (``model.py``), with the zeebe extensions the engine executes.

Whatever the engine would not execute is rejected here with :class:`ResourceError`, naming
the element, its type and what is unsupported (see ``support.py``), never silently skipped.

A process (or sub-process) without any sequence flow is read as its flow nodes in document
order: the test kit's shorthand for linear test processes.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from ...feel import FeelError, compile
from .model import (
    CalledElement,
    Element,
    Expression,
    Flow,
    LoopDef,
    Mapping,
    MessageRef,
    Scope,
    TaskModel,
    TimerDef,
    UserTaskDef,
)
from .support import ACTIVITIES, IGNORED, JOB_TASKS, SUPPORTED, UNSUPPORTED_REASONS
from .timers import timer_schedule

__all__ = ["BPMN_NS", "ZEEBE_NS", "ParsedProcess", "ResourceError", "parse_definitions"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"

# Extensions (zeebe namespace) the engine reads; others are rejected.
_ZEEBE_READ = frozenset({"taskDefinition", "taskHeaders", "ioMapping", "properties",
                         "versionTag", "userTask", "assignmentDefinition", "taskSchedule",
                         "formDefinition", "priorityDefinition", "calledElement"})  # fmt: skip
_USER_TASK_EXTENSIONS = ("userTask", "assignmentDefinition", "taskSchedule", "formDefinition",
                         "priorityDefinition")  # fmt: skip
# Which timer definitions each event accepts.
_TIMER_KINDS = {"startEvent": ("date", "cycle"), "intermediateCatchEvent": ("duration", "date"),
                "boundaryEvent": ("duration", "date", "cycle")}  # fmt: skip
_FLOW_NODE_CHILDREN = frozenset({"incoming", "outgoing", "extensionElements", "documentation",
                                 "ioSpecification", "dataInputAssociation",
                                 "dataOutputAssociation", "property"})  # fmt: skip


class ResourceError(ValueError):
    """A resource could not be deployed; the message names the resource."""


@dataclass(frozen=True, slots=True)
class ParsedProcess:
    process_id: str
    name: str | None
    version_tag: str | None
    root: Element  # type "process"; its scope holds the elements
    tasks: tuple[TaskModel, ...]  # job tasks in document order
    message_start_names: tuple[str, ...]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


class _Parser:
    def __init__(self, resource: str, root: ElementTree.Element) -> None:
        self.resource = resource
        self.messages: dict[str, tuple[str, str | None]] = {}
        self.errors: dict[str, str] = {}
        self.escalations: dict[str, str] = {}
        for child in root:
            kind = _local(child.tag)
            if kind == "message":
                key: str | None = None
                subscription = _zeebe(child, "subscription")
                if subscription is not None:
                    key = subscription.get("correlationKey")
                self.messages[child.get("id", "")] = (child.get("name", ""), key)
            elif kind == "error":
                self.errors[child.get("id", "")] = child.get("errorCode", "")
            elif kind == "escalation":
                self.escalations[child.get("id", "")] = child.get("escalationCode", "")
        self.tasks: list[TaskModel] = []

    def fail(self, message: str) -> ResourceError:
        return ResourceError(f"'{self.resource}': {message}")

    def unsupported(self, what: str, element: Element | ElementTree.Element, why: str) -> ResourceError:
        if isinstance(element, Element):
            where = element.describe()
        else:
            where = f"{_local(element.tag)} '{element.get('id', '?')}'"
        return self.fail(f"unsupported BPMN element: {what} on {where} ({why})")

    def expression(self, text: str, where: str) -> Expression:
        stripped = text.strip()
        if not stripped.startswith("="):
            return Expression(text, None)
        try:
            return Expression(text, compile(stripped))
        except FeelError as exc:
            raise self.fail(f"invalid FEEL expression in {where}: {exc}") from None

    # -- scopes -----------------------------------------------------------------------------

    def scope(self, container: ElementTree.Element, is_process: bool) -> Scope:
        scope = Scope()
        raw_flows: list[ElementTree.Element] = []
        for child in container:
            if _ns(child.tag) != BPMN_NS:
                continue
            kind = _local(child.tag)
            if kind == "sequenceFlow":
                raw_flows.append(child)
            elif kind in IGNORED or kind.endswith("LoopCharacteristics"):
                continue  # a sub-process's own loop: read (or rejected) by element()
            else:
                element = self.element(child, kind, is_process)
                if element.id in scope.elements:
                    raise self.fail(f"two elements have the id '{element.id}'")
                scope.elements[element.id] = element
        if raw_flows:
            for raw in raw_flows:
                scope.flows.append(self.flow(raw, scope))
        else:  # the shorthand: document order
            chain = [e for e in scope.elements.values() if e.type != "boundaryEvent"]
            for index, (a, b) in enumerate(itertools.pairwise(chain)):
                scope.flows.append(Flow(f"implicit-{index}", a.id, b.id))
        for flow in scope.flows:
            scope.elements[flow.source].outgoing.append(flow)
            scope.elements[flow.target].incoming.append(flow)
        self.link(scope, is_process)
        return scope

    def flow(self, raw: ElementTree.Element, scope: Scope) -> Flow:
        flow_id = raw.get("id", "")
        source, target = raw.get("sourceRef", ""), raw.get("targetRef", "")
        for end in (source, target):
            if end not in scope.elements:
                raise self.fail(f"sequenceFlow '{flow_id}' refers to '{end}', which is not "
                                "an element of its scope")  # fmt: skip
        flow = Flow(flow_id, source, target)
        condition = raw.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None and (condition.text or "").strip():
            text = (condition.text or "").strip()
            source_type = scope.elements[source].type
            if source_type not in ("exclusiveGateway", "inclusiveGateway"):
                raise self.fail(f"sequenceFlow '{flow_id}' has a condition but leaves "
                                f"{source_type} '{source}' (only exclusive and inclusive "
                                "gateways evaluate conditions)")  # fmt: skip
            if not text.startswith("="):
                raise self.fail(f"the condition of sequenceFlow '{flow_id}' must be a FEEL "
                                f"expression starting with '=', got {text!r}")  # fmt: skip
            expression = self.expression(text, f"sequenceFlow '{flow_id}'")
            flow.condition = expression.compiled
        return flow

    def link(self, scope: Scope, is_process: bool) -> None:
        for element in scope.elements.values():
            if element.default_flow is not None and element.default_flow not in {
                f.id for f in element.outgoing
            }:
                raise self.fail(f"the default flow '{element.default_flow}' of "
                                f"{element.describe()} is not one of its outgoing flows")  # fmt: skip
            if element.type == "boundaryEvent":
                host = scope.elements.get(element.attached_to or "")
                if host is None:
                    raise self.fail(f"{element.describe()} is attached to "
                                    f"'{element.attached_to}', not an element of its scope")  # fmt: skip
                self.attach(host, element)
            if element.type == "startEvent":
                if element.event == "message":
                    if not is_process:
                        raise self.unsupported("messageEventDefinition", element,
                                               "a sub-process starts with a none start event")  # fmt: skip
                    assert element.message is not None
                    scope.message_starts[element.message.name.text] = element
                elif element.event == "timer":
                    if not is_process:
                        raise self.unsupported("timerEventDefinition", element,
                                               "a sub-process starts with a none start event")  # fmt: skip
                    scope.timer_starts.append(element)
                elif scope.none_start is not None:
                    raise self.fail(f"{element.describe()}: a scope has one none start event")
                else:
                    scope.none_start = element
            if element.type == "eventBasedGateway":
                for flow in element.outgoing:
                    target = scope.elements[flow.target]
                    if target.type != "intermediateCatchEvent" or target.event not in (
                        "message", "timer"
                    ):
                        raise self.unsupported(f"{target.type} after an eventBasedGateway",
                                               element, "its targets must be message or timer "
                                               "intermediate catch events")  # fmt: skip
        if not is_process and scope.none_start is None:
            raise self.fail("an embedded subProcess needs a none start event")
        # Reachability along flows, for inclusive joins.
        for element in scope.elements.values():
            seen: set[str] = set()
            stack = [f.target for f in element.outgoing]
            while stack:
                current = stack.pop()
                if current not in seen:
                    seen.add(current)
                    stack.extend(f.target for f in scope.elements[current].outgoing)
            element.reachable = frozenset(seen)

    # -- elements ---------------------------------------------------------------------------

    def element(self, raw: ElementTree.Element, kind: str, is_process: bool) -> Element:
        element_id = raw.get("id")
        if not element_id:
            raise self.fail(f"a bpmn:{kind} has no id")
        if kind not in SUPPORTED:
            reason = UNSUPPORTED_REASONS.get(kind, "the test kit does not execute it")
            raise self.fail(f"unsupported BPMN element: {kind} '{element_id}' ({reason})")
        element = Element(id=element_id, type=kind, name=raw.get("name"))
        element.default_flow = raw.get("default")
        support = SUPPORTED[kind]
        event = "none"
        for child in raw:
            child_kind = _local(child.tag)
            if _ns(child.tag) != BPMN_NS:
                continue
            if child_kind.endswith("EventDefinition"):
                event = child_kind.removesuffix("EventDefinition")
                if event not in support.events:
                    reason = UNSUPPORTED_REASONS.get(child_kind, "the test kit does not execute it")
                    raise self.unsupported(child_kind, element, reason)
                self.event_definition(element, event, child)
            elif child_kind == "multiInstanceLoopCharacteristics" and kind in ACTIVITIES:
                element.loop = self.loop(element, child)
            elif child_kind in UNSUPPORTED_REASONS:
                raise self.unsupported(child_kind, element, UNSUPPORTED_REASONS[child_kind])
            elif child_kind not in _FLOW_NODE_CHILDREN and kind != "subProcess":
                raise self.unsupported(child_kind, element, "the test kit does not execute it")
        if event == "none" and "none" not in support.events:
            raise self.fail(f"{element.describe()} needs an event definition "
                            f"({', '.join(support.events)})")  # fmt: skip
        element.event = None if event == "none" else event
        self.extensions(element, raw)
        if kind == "receiveTask":
            self.message_of(element, raw.get("messageRef", ""))
        if kind == "boundaryEvent":
            element.attached_to = raw.get("attachedToRef")
            if raw.get("cancelActivity", "true") == "false":
                if element.event == "error":
                    raise self.unsupported("cancelActivity=\"false\"", element,
                                           "an error boundary event always interrupts")  # fmt: skip
                element.interrupting = False
        if kind == "subProcess":
            if raw.get("triggeredByEvent", "false") == "true":
                raise self.unsupported("triggeredByEvent=\"true\"", element,
                                       "the test kit does not model event sub-processes")  # fmt: skip
            element.scope = self.scope(raw, is_process=False)
        return element

    def event_definition(self, element: Element, event: str, raw: ElementTree.Element) -> None:
        if event == "message" and element.type in ("startEvent", "intermediateCatchEvent",
                                                   "boundaryEvent"):  # fmt: skip
            self.message_of(element, raw.get("messageRef", ""))
        elif event == "escalation":
            self.escalation(element, raw)
        elif event == "timer":
            self.timer(element, raw)
        elif event == "error":
            ref = raw.get("errorRef")
            if ref:
                if ref not in self.errors:
                    raise self.fail(f"{element.describe()} refers to the unknown error '{ref}'")
                element.error_code = self.errors[ref]

    def escalation(self, element: Element, raw: ElementTree.Element) -> None:
        ref = raw.get("escalationRef")
        code: str | None = None
        if ref:
            if ref not in self.escalations:
                raise self.fail(f"{element.describe()} refers to the unknown escalation '{ref}'")
            code = self.escalations[ref] or None
        if code is not None and code.strip().startswith("="):
            raise self.unsupported("escalationCode expression", element,
                                   "the test kit takes a static escalationCode")  # fmt: skip
        if code is None and element.type != "boundaryEvent":
            raise self.fail(f"{element.describe()} throws an escalation: it needs an "
                            "escalationRef to an escalation with an escalationCode")  # fmt: skip
        element.escalation_code = code  # on a boundary event, None catches any

    def attach(self, host: Element, boundary: Element) -> None:
        """Attach a boundary event to its activity, with Zeebe's rules for them."""
        if host.type not in ACTIVITIES:
            raise self.fail(f"{boundary.describe()} is attached to {host.describe()}, which "
                            "is not an activity")  # fmt: skip
        if boundary.event == "escalation" and host.type not in ("subProcess", "callActivity"):
            raise self.unsupported("escalationEventDefinition", boundary,
                                   "an escalation boundary event is attached to a sub-process "
                                   "or a call activity")  # fmt: skip
        for other in host.boundaries:
            if other.event != boundary.event:
                continue
            if boundary.event == "message":
                assert other.message is not None and boundary.message is not None
                name = boundary.message.name
                if name.is_static and other.message.name.is_static and name.text == other.message.name.text:
                    raise self.fail(f"{host.describe()} has two message boundary events for "
                                    f"the message '{name.text}'")  # fmt: skip
            elif boundary.event == "escalation" and other.escalation_code == boundary.escalation_code:
                what = ("catch-all" if boundary.escalation_code is None
                        else f"'{boundary.escalation_code}'")  # fmt: skip
                raise self.fail(f"{host.describe()} has two escalation boundary events for "
                                f"the same escalation code ({what})")  # fmt: skip
        host.boundaries.append(boundary)

    def timer(self, element: Element, raw: ElementTree.Element) -> None:
        allowed = _TIMER_KINDS.get(element.type, ())
        found = [(_local(c.tag), (c.text or "").strip()) for c in raw if _ns(c.tag) == BPMN_NS]
        if len(found) != 1 or not found[0][1]:
            raise self.unsupported("timerEventDefinition", element, "a timer needs one of "
                                   "timeDuration, timeDate or timeCycle with a value")  # fmt: skip
        tag, text = found[0]
        kind = tag.removeprefix("time").lower()
        if kind not in allowed:
            names = ", ".join("time" + k.capitalize() for k in allowed)
            raise self.unsupported(f"{tag}", element, f"a {element.type} timer takes {names}")
        expression = self.expression(text, f"the {tag} of {element.describe()}")
        if expression.is_static:
            try:
                timer_schedule(kind, text, 0)
            except ValueError as exc:
                raise self.fail(f"the {tag} of {element.describe()}: {exc}") from None
        element.timer = TimerDef(kind, expression)

    def loop(self, element: Element, raw: ElementTree.Element) -> LoopDef:
        for child in raw:
            if _ns(child.tag) == BPMN_NS and _local(child.tag) == "loopCardinality":
                raise self.unsupported("loopCardinality", element,
                                       "Camunda 8 iterates over zeebe:loopCharacteristics "
                                       "inputCollection")  # fmt: skip
        characteristics = _zeebe(raw, "loopCharacteristics")
        collection = None if characteristics is None else characteristics.get("inputCollection")
        if characteristics is None or not collection:
            raise self.unsupported("multiInstanceLoopCharacteristics", element,
                                   "it needs zeebe:loopCharacteristics inputCollection")  # fmt: skip
        where = f"the zeebe:loopCharacteristics of {element.describe()}"
        output_element = characteristics.get("outputElement")
        output_collection = characteristics.get("outputCollection") or None
        if (output_element is None) != (output_collection is None):
            raise self.fail(f"{where}: outputCollection and outputElement go together")
        condition = raw.find(f"{{{BPMN_NS}}}completionCondition")
        compiled = None
        if condition is not None and (condition.text or "").strip():
            text = (condition.text or "").strip()
            if not text.startswith("="):
                raise self.fail(f"the completionCondition of {element.describe()} must be a "
                                f"FEEL expression starting with '=', got {text!r}")  # fmt: skip
            compiled = self.expression(text, f"the completionCondition of {element.describe()}").compiled
        return LoopDef(
            sequential=raw.get("isSequential", "false") == "true",
            input_collection=self.expression(
                collection if collection.startswith("=") else "=" + collection, where
            ),
            input_element=characteristics.get("inputElement") or None,
            output_collection=output_collection,
            output_element=None if output_element is None else self.expression(output_element, where),
            completion_condition=compiled,
        )

    def message_of(self, element: Element, ref: str) -> None:
        if ref not in self.messages:
            raise self.fail(f"{element.describe()} refers to the unknown message '{ref}'")
        name, key = self.messages[ref]
        if not name:
            raise self.fail(f"the message '{ref}' of {element.describe()} has no name")
        where = f"the message of {element.describe()}"
        correlation = None if key is None else self.expression(key, where)
        if element.type != "startEvent" and correlation is None:
            raise self.fail(f"{where} needs a zeebe:subscription correlationKey")
        element.message = MessageRef(self.expression(name, where), correlation)

    def extensions(self, element: Element, raw: ElementTree.Element) -> None:
        extensions = raw.find(f"{{{BPMN_NS}}}extensionElements")
        found: dict[str, ElementTree.Element] = {}
        if extensions is not None:
            for child in extensions:
                if _ns(child.tag) != ZEEBE_NS:
                    continue
                kind = _local(child.tag)
                if kind not in _ZEEBE_READ:
                    raise self.unsupported(f"zeebe:{kind}", element,
                                           "the test kit does not execute it")  # fmt: skip
                found[kind] = child
        if element.type == "userTask":
            self.user_task(element, found)
        elif any(kind in found for kind in _USER_TASK_EXTENSIONS):
            kind = next(k for k in _USER_TASK_EXTENSIONS if k in found)
            raise self.unsupported(f"zeebe:{kind}", element, "only user tasks take it")
        if element.type == "callActivity":
            self.called_element(element, found.get("calledElement"))
        elif "calledElement" in found:
            raise self.unsupported("zeebe:calledElement", element, "only call activities take it")
        definition = found.get("taskDefinition")
        if definition is not None:
            if element.type not in JOB_TASKS or element.event == "escalation":
                raise self.unsupported("zeebe:taskDefinition", element,
                                       "only service, send, script and business rule tasks and "
                                       "message throw events are jobs")  # fmt: skip
            self.task(element, definition, found.get("taskHeaders"))
        elif element.type in ("serviceTask", "sendTask", "scriptTask", "businessRuleTask") or (
            element.type in ("intermediateThrowEvent", "endEvent") and element.event == "message"
        ):
            raise self.unsupported(f"{element.type} without zeebe:taskDefinition", element,
                                   "the test kit runs these only as jobs (no zeebe:script, "
                                   "zeebe:calledDecision)")  # fmt: skip
        io = found.get("ioMapping")
        if io is not None:
            inputs: list[Mapping] = []
            outputs: list[Mapping] = []
            for mapping in io:
                kind = _local(mapping.tag)
                target = mapping.get("target", "")
                if not target:
                    raise self.fail(f"a zeebe:{kind} of {element.describe()} has no target")
                source = self.expression(mapping.get("source", ""),
                                         f"zeebe:{kind} '{target}' of {element.describe()}")  # fmt: skip
                (inputs if kind == "input" else outputs).append(Mapping(source, target))
            element.inputs, element.outputs = tuple(inputs), tuple(outputs)

    def user_task(self, element: Element, found: dict[str, ElementTree.Element]) -> None:
        if "userTask" not in found:
            raise self.unsupported("userTask without zeebe:userTask", element,
                                   "job-worker user tasks are not modelled; add zeebe:userTask")  # fmt: skip
        if "taskDefinition" in found:
            raise self.unsupported("zeebe:taskDefinition", element,
                                   "a Camunda user task is not a job")  # fmt: skip

        def attribute(kind: str, name: str) -> Expression | None:
            raw = found.get(kind)
            text = None if raw is None else raw.get(name)
            if not text:
                return None
            return self.expression(text, f"zeebe:{kind} {name} of {element.describe()}")

        form = found.get("formDefinition")
        form_id = external = None
        if form is not None:
            form_id = form.get("formId") or None
            external = form.get("externalReference") or form.get("formKey") or None
        headers: dict[str, str] = {}
        headers_raw = found.get("taskHeaders")
        if headers_raw is not None:
            for header in headers_raw.iter(f"{{{ZEEBE_NS}}}header"):
                key = header.get("key")
                if key:
                    headers[key] = header.get("value", "")
        element.user_task = UserTaskDef(
            assignee=attribute("assignmentDefinition", "assignee"),
            candidate_groups=attribute("assignmentDefinition", "candidateGroups"),
            candidate_users=attribute("assignmentDefinition", "candidateUsers"),
            due_date=attribute("taskSchedule", "dueDate"),
            follow_up_date=attribute("taskSchedule", "followUpDate"),
            priority=attribute("priorityDefinition", "priority"),
            form_id=form_id,
            external_reference=external,
            headers=headers,
        )

    def called_element(self, element: Element, raw: ElementTree.Element | None) -> None:
        process_id = None if raw is None else raw.get("processId")
        if raw is None or not process_id:
            raise self.fail(f"{element.describe()} needs a zeebe:calledElement with a processId")
        if raw.get("bindingType", "latest") != "latest":
            raise self.unsupported(f"bindingType=\"{raw.get('bindingType')}\"", element,
                                   "the test kit calls the latest version")  # fmt: skip
        element.called = CalledElement(
            self.expression(process_id, f"the zeebe:calledElement of {element.describe()}"),
            propagate_all_child=raw.get("propagateAllChildVariables", "true") != "false",
            propagate_all_parent=raw.get("propagateAllParentVariables", "true") != "false",
        )

    def task(self, element: Element, definition: ElementTree.Element,
             headers_raw: ElementTree.Element | None) -> None:  # fmt: skip
        type_text = definition.get("type", "")
        if not type_text:
            raise self.fail(f"the zeebe:taskDefinition of {element.describe()} needs a type")
        where = f"the zeebe:taskDefinition of {element.describe()}"
        element.job_type = self.expression(type_text, where)
        retries_text = definition.get("retries", "3")
        element.retries = self.expression(retries_text, where)
        retries = 3
        if element.retries.is_static:
            try:
                retries = int(retries_text)
            except ValueError:
                raise self.fail(f"{where}: retries must be a number or a FEEL expression, "
                                f"got {retries_text!r}") from None  # fmt: skip
        headers: dict[str, str] = {}
        if headers_raw is not None:
            for header in headers_raw.iter(f"{{{ZEEBE_NS}}}header"):
                key = header.get("key")
                if key:
                    headers[key] = header.get("value", "")
        element.task = TaskModel(element.id, element.type, type_text, retries, headers)
        self.tasks.append(element.task)


def _zeebe(raw: ElementTree.Element, kind: str) -> ElementTree.Element | None:
    extensions = raw.find(f"{{{BPMN_NS}}}extensionElements")
    return None if extensions is None else extensions.find(f"{{{ZEEBE_NS}}}{kind}")


def parse_definitions(resource: str, root: ElementTree.Element) -> list[ParsedProcess]:
    parser = _Parser(resource, root)
    processes: list[ParsedProcess] = []
    for raw in root.iter(f"{{{BPMN_NS}}}process"):
        process_id = raw.get("id")
        if not process_id:
            raise parser.fail("a bpmn:process has no id")
        parser.tasks = []
        process = Element(id=process_id, type="process", name=raw.get("name"))
        for listener in ("executionListeners",):
            if _zeebe(raw, listener) is not None:
                raise parser.unsupported(f"zeebe:{listener}", process, "the test kit does not "
                                         "run listeners")  # fmt: skip
        process.scope = parser.scope(raw, is_process=True)
        tag = _zeebe(raw, "versionTag")
        processes.append(
            ParsedProcess(
                process_id=process_id,
                name=raw.get("name"),
                version_tag=None if tag is None else tag.get("value"),
                root=process,
                tasks=tuple(parser.tasks),
                message_start_names=tuple(process.scope.message_starts),
            )
        )
    if not processes:
        raise parser.fail("the BPMN resource contains no bpmn:process")
    return processes
