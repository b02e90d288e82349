"""Events: which boundary event catches a thrown BPMN error or escalation, and message
correlation keys."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .model import Element
from .runtime import ElementInstance

__all__ = ["correlation_key_text", "find_error_catch", "find_escalation_catch"]


def _find_catch(
    element_instance: ElementInstance, event: str, code: str
) -> tuple[ElementInstance, Element] | None:
    """The element instance whose ``event`` boundary event catches ``code`` (innermost
    first, through call activities; at each level an event naming the code before a catch-all
    one), or None."""
    current: ElementInstance | None = element_instance
    while current is not None:
        if current.parent is None:  # a process: a called one passes it on to its caller
            current = current.instance.caller
            continue
        if current.is_inner:  # boundary events belong to the multi-instance body
            current = current.parent
            continue
        boundaries = [b for b in current.element.boundaries if b.event == event]
        codes = [b.error_code if event == "error" else b.escalation_code for b in boundaries]
        for boundary, boundary_code in zip(boundaries, codes, strict=True):
            if boundary_code == code:
                return current, boundary
        for boundary, boundary_code in zip(boundaries, codes, strict=True):
            if boundary_code is None:
                return current, boundary
        current = current.parent
    return None  # reached the top-level process


def find_error_catch(
    element_instance: ElementInstance, error_code: str
) -> tuple[ElementInstance, Element] | None:
    """The element instance whose error boundary event catches ``error_code``, or None."""
    return _find_catch(element_instance, "error", error_code)


def find_escalation_catch(
    element_instance: ElementInstance, escalation_code: str
) -> tuple[ElementInstance, Element] | None:
    """The element instance (an enclosing sub-process or call activity) whose escalation
    boundary event catches ``escalation_code`` thrown at ``element_instance``, or None."""
    return _find_catch(element_instance, "escalation", escalation_code)


def correlation_key_text(value: Any) -> str | None:
    """A correlation key as the broker takes it: a string, or a number as its text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)) and value == int(value):
        return str(int(value))
    return None
