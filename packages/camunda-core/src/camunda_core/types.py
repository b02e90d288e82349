"""Small shared types: the UNSET sentinel and the secret wrapper.

UNSET marks an optional field or argument that was not given. It is distinct
from ``None``, which the wire format uses for an explicit ``null``.
"""

from __future__ import annotations

import enum
from typing import Final, Literal

__all__ = ["UNSET", "Unset", "Secret", "is_set"]


class Unset(enum.Enum):
    """The type of :data:`UNSET`. An enum so that type checkers can narrow on it."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = Unset.UNSET


def is_set(value: object) -> bool:
    """True unless ``value`` is :data:`UNSET` (``None`` counts as set)."""
    return value is not UNSET


class Secret:
    """A string that never shows itself in ``repr``, ``str``, logs or exceptions.

    Call :meth:`reveal` at the single place the raw value is needed (an
    ``Authorization`` header, a token request body).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        # Picklable so that a configuration can cross into worker processes.
        return (Secret, (self._value,))
