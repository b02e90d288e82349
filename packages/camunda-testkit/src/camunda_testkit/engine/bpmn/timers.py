"""Timer values: ISO 8601 durations (``PT5M``), dates (``2025-01-01T10:00:00Z``) and
repeating intervals (``R3/PT1H``, ``R/PT10S``, ``R2/2025-01-01T10:00:00Z/P1D``), static or
the result of a FEEL expression, turned into due times on the engine clock."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ...feel import YearsMonthsDuration, parse_duration

__all__ = ["Interval", "TimerSchedule", "add_interval", "timer_schedule"]

Interval = timedelta | YearsMonthsDuration


@dataclass(frozen=True, slots=True)
class TimerSchedule:
    due_ms: int
    interval: Interval | None = None  # cycles: the time between two firings
    remaining: int | None = 0  # firings after the first; None: forever


def _moment(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)


def _epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return round(moment.timestamp() * 1000)


def add_interval(epoch_ms: int, interval: Interval) -> int:
    """``epoch_ms`` plus a duration (months as calendar months)."""
    if isinstance(interval, timedelta):
        return epoch_ms + round(interval.total_seconds() * 1000)
    moment = _moment(epoch_ms)
    months = moment.month - 1 + interval.months
    year, month = moment.year + months // 12, months % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return _epoch_ms(moment.replace(year=year, month=month, day=day))


def _duration(value: object) -> Interval:
    if isinstance(value, (timedelta, YearsMonthsDuration)):
        parsed: Interval | None = value
    elif isinstance(value, str):
        parsed = parse_duration(value)
    else:
        parsed = None
    if parsed is None:
        raise ValueError(f"expected an ISO 8601 duration such as 'PT5M', got {value!r}")
    if (isinstance(parsed, timedelta) and parsed < timedelta(0)) or (
        isinstance(parsed, YearsMonthsDuration) and parsed.months < 0
    ):
        raise ValueError(f"a timer duration must not be negative, got {value!r}")
    return parsed


def _date(value: object) -> int:
    if isinstance(value, datetime):
        return _epoch_ms(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            return _epoch_ms(datetime.fromisoformat(text))
        except ValueError:
            pass
    raise ValueError(f"expected an ISO 8601 date and time such as '2025-01-01T10:00:00Z', got {value!r}")


def timer_schedule(kind: str, value: object, now_ms: int) -> TimerSchedule:
    """When a timer of ``kind`` ("duration", "date", "cycle") with ``value`` first fires;
    ValueError naming what is wrong."""
    if kind == "duration":
        return TimerSchedule(add_interval(now_ms, _duration(value)))
    if kind == "date":
        return TimerSchedule(_date(value))
    if isinstance(value, (timedelta, YearsMonthsDuration)):  # a duration: repeats forever
        return TimerSchedule(add_interval(now_ms, value), value, None)
    if not isinstance(value, str) or not value.strip().upper().startswith("R"):
        raise ValueError(f"expected a repeating interval such as 'R3/PT1H' (cron expressions "
                         f"are not supported by the test kit), got {value!r}")  # fmt: skip
    parts = value.strip().split("/")
    count_text = parts[0][1:]
    if len(parts) not in (2, 3) or not (count_text == "" or count_text.isdigit()):
        raise ValueError(f"expected a repeating interval such as 'R3/PT1H', got {value!r}")
    interval = _duration(parts[-1])
    start = now_ms if len(parts) == 2 else _date(parts[1])
    if count_text == "":
        return TimerSchedule(add_interval(start, interval) if len(parts) == 2 else start,
                             interval, None)  # fmt: skip
    count = int(count_text)
    if count < 1:
        raise ValueError(f"a repeating interval repeats at least once, got {value!r}")
    first = add_interval(start, interval) if len(parts) == 2 else start
    return TimerSchedule(first, interval, count - 1)
