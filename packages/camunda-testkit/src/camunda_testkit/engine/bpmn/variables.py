"""Variable scopes as Zeebe keeps them: each element instance has local variables; a name
resolves from the innermost scope outwards; setting a variable (job completion without
output mappings, message variables, output mappings) propagates it to the nearest scope
that already has it, else to the process instance's scope."""

from __future__ import annotations

from collections import ChainMap
from typing import Any

from .runtime import ElementInstance

__all__ = ["propagate", "set_path", "visible"]


def visible(element_instance: ElementInstance | None) -> ChainMap[str, Any]:
    """The variables an expression evaluated at ``element_instance`` sees (local first)."""
    scopes: list[dict[str, Any]] = []
    current = element_instance
    while current is not None:
        scopes.append(current.variables)
        current = current.parent
    return ChainMap(*scopes)


def propagate(scope: ElementInstance, variables: dict[str, Any]) -> None:
    """Set ``variables`` from ``scope`` outwards: where each is defined, else at the root."""
    for name, value in variables.items():
        current: ElementInstance = scope
        while name not in current.variables and current.parent is not None:
            current = current.parent
        current.variables[name] = value


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """``a.b.c`` sets a nested context entry, creating (or copying) the contexts on the way."""
    names = path.split(".")
    current = target
    for name in names[:-1]:
        inner = current.get(name)
        copied: dict[str, Any] = dict(inner) if isinstance(inner, dict) else {}  # pyright: ignore[reportUnknownArgumentType]
        current[name] = copied
        current = copied
    current[names[-1]] = value
