"""The clock the SDK reads and sleeps on: one object, replaceable in tests.

Pass ``CamundaClient(clock=...)`` a subclass to run retries, backoff and
deadlines without waiting (record the sleeps, advance a counter instead).
"""

from __future__ import annotations

import asyncio
import time

__all__ = ["Clock"]


class Clock:
    """Monotonic time in seconds, and the two ways to wait on it."""

    __slots__ = ()

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
