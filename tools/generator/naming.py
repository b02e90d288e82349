"""Naming rules: wire names and schema names to Python identifiers.

Every naming decision the generator makes goes through these functions, so the
same wire name always becomes the same Python name.
"""

from __future__ import annotations

import keyword
import re

__all__ = [
    "snake_case",
    "pascal_case",
    "python_identifier",
    "enum_member_name",
    "title_to_class_name",
]

# Wire names that can't be derived mechanically, e.g. "$notIn" or
# "camunda.document.type", lose their punctuation first.
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")
# "processDefinitionXML" -> "process_definition_xml"; "c8Links" -> "c8_links".
_ACRONYM_BOUNDARY = re.compile(r"([A-Z]+)([A-Z][a-z])")
_LOWER_UPPER_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """``processDefinitionKey`` -> ``process_definition_key``; ``$notIn`` -> ``not_in``."""
    words = _NON_WORD.sub("_", name)
    words = _ACRONYM_BOUNDARY.sub(r"\1_\2", words)
    words = _LOWER_UPPER_BOUNDARY.sub(r"\1_\2", words)
    return re.sub(r"_+", "_", words).strip("_").lower()


def pascal_case(name: str) -> str:
    """``process-definition key`` / ``processDefinitionKey`` -> ``ProcessDefinitionKey``."""
    parts = [p for p in snake_case(name).split("_") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)


def python_identifier(name: str) -> str:
    """A safe attribute or parameter name for a wire name (``from`` -> ``from_``)."""
    ident = snake_case(name) or "value"
    if ident[0].isdigit():
        ident = "n_" + ident
    # Hard keywords only: soft keywords ("match", "type") are valid names, and
    # their list differs between Python versions, which would make output vary.
    if keyword.iskeyword(ident):
        ident += "_"
    return ident


def enum_member_name(value: str) -> str:
    """``actorId`` -> ``ACTOR_ID``; ``<default>`` -> ``DEFAULT``."""
    ident = snake_case(value).upper() or "EMPTY"
    if ident[0].isdigit():
        ident = "V_" + ident
    if keyword.iskeyword(ident):
        ident += "_"
    return ident


def title_to_class_name(title: str) -> str:
    """A schema title such as ``Process creation by key`` -> ``ProcessCreationByKey``."""
    words = [w for w in _NON_WORD.split(title) if w]
    return "".join(w[:1].upper() + w[1:] for w in words)
