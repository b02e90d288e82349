"""Wall-clock time as the engine keeps it (epoch milliseconds) and as the wire shows it."""

from __future__ import annotations

import time
from datetime import datetime, timezone

__all__ = ["iso_timestamp", "now_ms"]


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_timestamp(epoch_ms: int | None) -> str | None:
    """``2025-01-31T12:00:00.123Z``, or None for a moment that has not happened."""
    if epoch_ms is None:
        return None
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
