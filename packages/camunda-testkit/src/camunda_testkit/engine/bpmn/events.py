"""Events: which boundary event catches a thrown BPMN error, and message correlation keys."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .model import Element
from .runtime import ElementInstance

__all__ = ["correlation_key_text", "find_error_catch"]


def find_error_catch(
    element_instance: ElementInstance, error_code: str
) -> tuple[ElementInstance, Element] | None:
    """The element instance whose error boundary event catches ``error_code`` (innermost
    first, through call activities; at each level an event naming the code before a catch-all
    one), or None."""
    current: ElementInstance | None = element_instance
    while current is not None:
        if current.parent is None:  # a process: a called one passes the error to its caller
            current = current.instance.caller
            continue
        if current.is_inner:  # boundary events belong to the multi-instance body
            current = current.parent
            continue
        boundaries = [b for b in current.element.boundaries if b.event == "error"]
        for boundary in boundaries:
            if boundary.error_code == error_code:
                return current, boundary
        for boundary in boundaries:
            if boundary.error_code is None:
                return current, boundary
        current = current.parent
    return None  # reached the top-level process


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
