"""Time sources, injectable so that expiry can be tested without waiting.

In-process expiry uses the monotonic clock: a wall-clock jump (NTP, a
suspended laptop, a user changing the date) can neither expire a token early
nor keep it late. Only persisted tokens use wall-clock time, because another
process must understand them.
"""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (``time.monotonic``)."""
        ...

    def wall(self) -> float:
        """Epoch seconds (``time.time``)."""
        ...


class SystemClock:
    """The real clocks."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    def __repr__(self) -> str:
        return "SystemClock()"
