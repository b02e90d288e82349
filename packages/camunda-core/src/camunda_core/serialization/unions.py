"""Registry of discriminated unions, filled by the generated union modules.

``register_discriminator(Union[A, B], "type", {"a": A, "b": B})`` tells the
converter to pick a branch by the value of the ``type`` key. Unions that are
not registered (and inline unions) are resolved structurally by the converter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Discriminator", "register_discriminator", "discriminator_for"]


class Discriminator:
    """The wire name of the discriminating key and its value -> branch class mapping."""

    __slots__ = ("mapping", "wire_name")

    def __init__(self, wire_name: str, mapping: Mapping[str, type[Any]]) -> None:
        self.wire_name = wire_name
        self.mapping: dict[str, type[Any]] = dict(mapping)

    def __repr__(self) -> str:
        return f"Discriminator({self.wire_name!r}, {sorted(self.mapping)!r})"


# Keyed by the frozenset of branch types, so `Union[A, B]`, `A | B` and the same
# union with `None`/`Unset` added all find the registration.
_registry: dict[frozenset[Any], Discriminator] = {}


def register_discriminator(union: Any, wire_name: str, mapping: Mapping[str, type[Any]]) -> None:
    """Register how to choose a branch of ``union`` (called by generated modules)."""
    _registry[_key(getattr(union, "__args__", (union,)))] = Discriminator(wire_name, mapping)


def discriminator_for(branches: tuple[Any, ...]) -> Discriminator | None:
    """The registration covering exactly these branch types, if any."""
    return _registry.get(_key(branches))


def _key(branches: tuple[Any, ...]) -> frozenset[Any]:
    return frozenset(b for b in branches if b is not type(None))
