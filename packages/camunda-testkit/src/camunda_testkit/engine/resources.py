"""Reading deployable resources: BPMN processes (``bpmn/parser.py``), DMN decisions and forms."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Any, cast

from .bpmn.model import TaskModel
from .bpmn.parser import ParsedProcess, ResourceError, parse_definitions

ProcessModel = ParsedProcess

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


def parse_bpmn(resource_name: str, content: bytes) -> list[ProcessModel]:
    """The processes of a BPMN document; ResourceError (naming the element) for anything the
    engine would not execute."""
    return parse_definitions(resource_name, _parse_xml(resource_name, content))


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
