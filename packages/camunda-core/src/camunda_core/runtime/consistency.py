"""Waiting on eventually consistent reads.

Searches and gets served from the secondary store lag behind commands. Pass
``wait=WaitFor(...)`` to such an operation to poll until the result satisfies
a predicate (default: found and non-empty), within a timeout that raises
:class:`~camunda_core.errors.ConsistencyTimeoutError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from camunda_core.errors import NotFound, ValidationError

__all__ = ["WaitFor", "default_ready"]

R = TypeVar("R")


def default_ready(result: object) -> bool:
    """Ready when a search result has items, or any other result exists."""
    items = getattr(result, "items", None)
    if isinstance(items, list):
        return len(items) > 0  # pyright: ignore[reportUnknownArgumentType]
    return result is not None


class WaitFor(Generic[R]):
    """How long and for what to wait on an eventually consistent operation."""

    __slots__ = ("interval", "max_interval", "timeout", "until")

    def __init__(
        self,
        until: Callable[[R], bool] | None = None,
        *,
        timeout: float = 10.0,
        interval: float = 0.1,
        max_interval: float = 1.0,
    ) -> None:
        if timeout <= 0:
            raise ValidationError(f"WaitFor.timeout must be > 0 seconds, got {timeout!r}")
        if interval <= 0:
            raise ValidationError(f"WaitFor.interval must be > 0 seconds, got {interval!r}")
        self.until: Callable[[Any], bool] = until or default_ready
        self.timeout = timeout
        self.interval = interval
        self.max_interval = max(max_interval, interval)

    def next_interval(self, current: float) -> float:
        return min(current * 2, self.max_interval)

    @staticmethod
    def is_not_yet_visible(error: BaseException) -> bool:
        """A 404 from a get means "not indexed yet" while waiting."""
        return isinstance(error, NotFound)

    def __repr__(self) -> str:
        return f"WaitFor(timeout={self.timeout}, interval={self.interval})"
