"""FEEL values in Python, the error type, and conversions at the boundary."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

__all__ = [
    "FeelError",
    "YearsMonthsDuration",
    "feel_type",
    "format_duration",
    "parse_duration",
    "to_json",
]


class FeelError(Exception):
    """An expression that cannot be parsed or evaluated.

    ``position`` is the 0-based offset into ``expression`` where the problem is (None when
    it is not tied to one place); ``line`` and ``column`` are 1-based.
    """

    def __init__(self, message: str, expression: str = "", position: int | None = None) -> None:
        self.reason = message
        self.expression = expression
        self.position = position
        where = ""
        if position is not None:
            where = f" at line {self.line}, column {self.column}"
        shown = f" in {expression!r}" if expression else ""
        super().__init__(f"{message}{where}{shown}")

    @property
    def line(self) -> int | None:
        if self.position is None:
            return None
        return self.expression.count("\n", 0, self.position) + 1

    @property
    def column(self) -> int | None:
        if self.position is None:
            return None
        return self.position - (self.expression.rfind("\n", 0, self.position) + 1) + 1


@dataclass(frozen=True, order=True)
class YearsMonthsDuration:
    """A years-and-months duration (``P1Y2M``): a number of months, possibly negative."""

    months: int

    def __str__(self) -> str:
        return format_duration(self)


_DURATION = re.compile(
    r"(?P<sign>-)?P(?!$)(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


def parse_duration(text: str) -> timedelta | YearsMonthsDuration | None:
    """``P1D``/``PT30M`` give a timedelta, ``P1Y2M`` a YearsMonthsDuration; None if invalid."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    part = match.groupdict()
    sign = -1 if part["sign"] else 1
    has_ym = part["y"] is not None or part["mo"] is not None
    has_dt = any(part[k] is not None for k in ("w", "d", "h", "mi", "s"))
    if has_ym and has_dt:
        return None  # FEEL has no mixed durations
    if has_ym:
        return YearsMonthsDuration(sign * (int(part["y"] or 0) * 12 + int(part["mo"] or 0)))
    delta = timedelta(
        weeks=int(part["w"] or 0),
        days=int(part["d"] or 0),
        hours=int(part["h"] or 0),
        minutes=int(part["mi"] or 0),
        seconds=float(part["s"] or 0),
    )
    return -delta if sign < 0 else delta


def format_duration(value: timedelta | YearsMonthsDuration) -> str:
    if isinstance(value, YearsMonthsDuration):
        sign = "-" if value.months < 0 else ""
        years, months = divmod(abs(value.months), 12)
        text = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
        return f"{sign}P{text}"
    sign = "-" if value < timedelta(0) else ""
    total = abs(value)
    days = total.days
    hours, rest = divmod(total.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{days}D" if days else ""
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or total.microseconds:
        frac = f".{total.microseconds:06d}".rstrip("0") if total.microseconds else ""
        clock += f"{seconds}{frac}S"
    if clock:
        text += "T" + clock
    return f"{sign}P{text or 'T0S'}"


def feel_type(value: object) -> str:
    """The FEEL type name of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "date and time"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time):
        return "time"
    if isinstance(value, timedelta):
        return "days and time duration"
    if isinstance(value, YearsMonthsDuration):
        return "years and months duration"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "context"
    if callable(value):
        return "function"
    return type(value).__name__


def to_json(value: object) -> Any:
    """A FEEL result as JSON-ready Python: integral numbers become int, others float;
    temporal values become ISO 8601 strings; lists and contexts are converted deeply."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (timedelta, YearsMonthsDuration)):
        return format_duration(value)
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return str(value)
