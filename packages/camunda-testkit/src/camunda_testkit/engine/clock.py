"""The engine's time (epoch milliseconds) and how the wire shows it.

:class:`EngineClock` is wall-clock time plus whatever a test advanced it by,
so timers, job timeouts and message TTLs can be driven by ``cluster.clock.advance(...)``
instead of by waiting. Parts of the engine that hold due work register a
callback with :meth:`EngineClock.on_advance`; it runs after every advance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

__all__ = ["EngineClock", "iso_timestamp", "wall_ms"]


def wall_ms() -> int:
    """The real wall clock in epoch milliseconds."""
    return int(time.time() * 1000)


class EngineClock:
    """Epoch milliseconds as the engine sees them: the wall clock plus an offset tests move forward."""

    __slots__ = ("_listeners", "_offset_ms")

    def __init__(self) -> None:
        self._offset_ms = 0
        self._listeners: list[Callable[[], None]] = []

    def now_ms(self) -> int:
        return wall_ms() + self._offset_ms

    @property
    def offset_ms(self) -> int:
        """How far the tests have moved this clock ahead of the wall clock."""
        return self._offset_ms

    def advance(self, delta: timedelta | float) -> None:
        """Move the clock forward by ``delta`` (a timedelta or seconds) and run what became due.

        Call it on the engine's loop thread (``FakeCluster.clock`` does the hop).
        """
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if seconds < 0:
            raise ValueError(f"the clock only moves forward, got {seconds} s")
        self._offset_ms += round(seconds * 1000)
        for listener in list(self._listeners):
            listener()

    def on_advance(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (no arguments) after every :meth:`advance`."""
        self._listeners.append(listener)


def iso_timestamp(epoch_ms: int | None) -> str | None:
    """``2025-01-31T12:00:00.123Z``, or None for a moment that has not happened."""
    if epoch_ms is None:
        return None
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
