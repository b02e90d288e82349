"""Reading deployable resources: BPMN processes, DMN decisions and forms.

Only the parts the fake cluster executes are extracted: a process is a list of
job-based tasks in document order (plus any message start events).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import Any, cast

__all__ = [
    "DecisionModel",
    "DecisionRequirementsModel",
    "FormModel",
    "ProcessModel",
    "ResourceError",
    "TaskModel",
    "parse_bpmn",
    "parse_dmn",
    "parse_form",
]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"

_PROCESS = f"{{{BPMN_NS}}}process"
_EXTENSIONS = f"{{{BPMN_NS}}}extensionElements"
_MESSAGE = f"{{{BPMN_NS}}}message"
_START_EVENT = f"{{{BPMN_NS}}}startEvent"
_MESSAGE_DEFINITION = f"{{{BPMN_NS}}}messageEventDefinition"
_TASK_DEFINITION = f"{{{ZEEBE_NS}}}taskDefinition"
_TASK_HEADERS = f"{{{ZEEBE_NS}}}taskHeaders"
_HEADER = f"{{{ZEEBE_NS}}}header"


class ResourceError(ValueError):
    """A resource could not be deployed; the message names the resource."""


@dataclass(frozen=True, slots=True)
class TaskModel:
    element_id: str
    element_type: str  # BPMN local name, e.g. "serviceTask"
    job_type: str
    retries: int
    custom_headers: dict[str, str] = field(default_factory=lambda: {})


@dataclass(frozen=True, slots=True)
class ProcessModel:
    process_id: str
    name: str | None
    version_tag: str | None
    tasks: tuple[TaskModel, ...]
    message_start_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DecisionModel:
    decision_id: str
    name: str


@dataclass(frozen=True, slots=True)
class DecisionRequirementsModel:
    requirements_id: str
    name: str
    decisions: tuple[DecisionModel, ...]


@dataclass(frozen=True, slots=True)
class FormModel:
    form_id: str


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(resource_name: str, content: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise ResourceError(f"'{resource_name}': the XML is not well-formed: {exc}") from exc


def _task_of(element: ElementTree.Element, resource_name: str) -> TaskModel | None:
    extensions = element.find(_EXTENSIONS)
    if extensions is None:
        return None
    definition = extensions.find(_TASK_DEFINITION)
    if definition is None:
        return None
    element_id = element.get("id")
    job_type = definition.get("type")
    if not element_id or not job_type:
        raise ResourceError(
            f"'{resource_name}': a zeebe:taskDefinition needs a type and its element an id"
        )
    retries_text = definition.get("retries", "3")
    try:
        retries = int(retries_text)
    except ValueError:
        # A FEEL expression; the engine would evaluate it, the fake uses the default.
        retries = 3
    headers: dict[str, str] = {}
    task_headers = extensions.find(_TASK_HEADERS)
    if task_headers is not None:
        for header in task_headers.iter(_HEADER):
            key = header.get("key")
            if key:
                headers[key] = header.get("value", "")
    return TaskModel(
        element_id=element_id,
        element_type=_local_name(element.tag),
        job_type=job_type,
        retries=retries,
        custom_headers=headers,
    )


def parse_bpmn(resource_name: str, content: bytes) -> list[ProcessModel]:
    root = _parse_xml(resource_name, content)
    message_names = {
        message.get("id", ""): message.get("name", "") for message in root.iter(_MESSAGE)
    }
    processes: list[ProcessModel] = []
    for process in root.iter(_PROCESS):
        process_id = process.get("id")
        if not process_id:
            raise ResourceError(f"'{resource_name}': a bpmn:process has no id")
        tasks: list[TaskModel] = []
        message_starts: list[str] = []
        for element in process.iter():
            if element is process:
                continue
            if element.tag == _START_EVENT:
                definition = element.find(_MESSAGE_DEFINITION)
                if definition is not None:
                    name = message_names.get(definition.get("messageRef", ""), "")
                    if name:
                        message_starts.append(name)
                continue
            task = _task_of(element, resource_name)
            if task is not None:
                tasks.append(task)
        processes.append(
            ProcessModel(
                process_id=process_id,
                name=process.get("name"),
                version_tag=_version_tag(process),
                tasks=tuple(tasks),
                message_start_names=tuple(message_starts),
            )
        )
    if not processes:
        raise ResourceError(f"'{resource_name}': the BPMN resource contains no bpmn:process")
    return processes


def _version_tag(process: ElementTree.Element) -> str | None:
    extensions = process.find(_EXTENSIONS)
    if extensions is None:
        return None
    tag = extensions.find(f"{{{ZEEBE_NS}}}versionTag")
    return None if tag is None else tag.get("value")


def parse_dmn(resource_name: str, content: bytes) -> DecisionRequirementsModel:
    root = _parse_xml(resource_name, content)
    if _local_name(root.tag) != "definitions":
        raise ResourceError(f"'{resource_name}': a DMN resource must have <definitions> as root")
    requirements_id = root.get("id")
    if not requirements_id:
        raise ResourceError(f"'{resource_name}': the DMN <definitions> has no id")
    decisions: list[DecisionModel] = []
    for child in root:
        if _local_name(child.tag) == "decision":
            decision_id = child.get("id")
            if not decision_id:
                raise ResourceError(f"'{resource_name}': a DMN <decision> has no id")
            decisions.append(DecisionModel(decision_id, child.get("name", decision_id)))
    if not decisions:
        raise ResourceError(f"'{resource_name}': the DMN resource contains no decision")
    return DecisionRequirementsModel(
        requirements_id, root.get("name", requirements_id), tuple(decisions)
    )


def parse_form(resource_name: str, content: bytes) -> FormModel:
    try:
        document: Any = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ResourceError(f"'{resource_name}': the form is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ResourceError(f"'{resource_name}': a form must be a JSON object")
    form_id = cast("dict[str, Any]", document).get("id")
    if not isinstance(form_id, str) or not form_id:
        raise ResourceError(f"'{resource_name}': the form has no string 'id'")
    return FormModel(form_id)
