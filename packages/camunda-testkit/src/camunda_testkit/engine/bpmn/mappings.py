"""zeebe:ioMapping: inputs build a task's local scope, outputs what it gives back."""

from __future__ import annotations

from collections import ChainMap
from typing import Any

from ...feel import to_json
from .model import Expression, Mapping
from .variables import set_path

__all__ = ["evaluate_expression", "evaluate_mappings"]


def evaluate_expression(expression: Expression, context: ChainMap[str, Any]) -> Any:
    """The JSON-ready value (FeelError on failure); static text is itself."""
    if expression.compiled is None:
        return expression.text
    return to_json(expression.compiled.evaluate(context))


def evaluate_mappings(mappings: tuple[Mapping, ...], context: ChainMap[str, Any]) -> dict[str, Any]:
    """The variables the mappings produce, each seeing the ones before it."""
    result: dict[str, Any] = {}
    view = context.new_child(result)
    for mapping in mappings:
        set_path(result, mapping.target, evaluate_expression(mapping.source, view))
    return result
