"""``OpenStrEnum``: string enums that tolerate values from a newer server.

A response may carry an enum value this SDK version does not know yet. Instead
of failing to parse, the value becomes a *pseudo-member*: an instance of the
enum whose ``value`` and ``name`` are that string, which compares (and hashes)
equal to the plain string. Pseudo-members are cached per value, so identity
checks hold too.
"""

from __future__ import annotations

import threading
from enum import Enum
from typing import Any

__all__ = ["OpenStrEnum", "is_known_member"]

_pseudo_lock = threading.Lock()


class OpenStrEnum(str, Enum):
    """A ``str`` enum whose unknown values become pseudo-members instead of errors."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        with _pseudo_lock:
            # Enum keeps _value2member_map_ for lookups; adding the pseudo-member
            # there makes the next lookup of the same value a plain dict hit.
            existing = cls._value2member_map_.get(value)
            if existing is not None:
                return existing
            member = str.__new__(cls, value)
            member._name_ = value
            member._value_ = value
            cls._value2member_map_[value] = member
            return member


def is_known_member(member: OpenStrEnum) -> bool:
    """True if ``member`` is declared on its enum, False for a pseudo-member."""
    return member._name_ in type(member).__members__
