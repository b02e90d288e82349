"""FEEL's built-in functions. Each takes evaluated arguments; a null argument gives null
unless the function is about nulls. A wrong type raises FeelError (the caller adds where)."""

from __future__ import annotations

# FEEL values are dynamically typed user data; lambdas over them are deliberately untyped.
# pyright: reportUnknownLambdaType=false, reportUnknownArgumentType=false
# pyright: reportUnknownVariableType=false, reportUnknownMemberType=false
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
)
from functools import cmp_to_key
from typing import Any

from ._values import FeelError, YearsMonthsDuration, feel_type, format_duration, parse_duration

__all__ = ["BUILTINS", "Builtin", "Clock", "FeelFunction", "num", "to_number"]

Clock = Callable[[], datetime]


class FeelFunction:
    """A function value: a user-defined ``function(a, b) ...`` or a built-in."""

    def __init__(self, name: str, params: Sequence[str], body: Callable[[list[object]], object]):
        self.name = name
        self.params = tuple(params)
        self.body = body

    def __call__(self, *args: object) -> object:
        return self.body(list(args))


@dataclass(frozen=True)
class Builtin:
    params: tuple[str, ...]
    fn: Callable[..., object]
    variadic: bool = False  # the last parameter takes the rest (or a single list)
    min_args: int | None = None  # default: every parameter is required
    clock: bool = False  # the function gets the clock as its first argument


def num(value: object) -> object:
    """A number from the context as Decimal; everything else unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    return value


def _want(value: object, kind: type | tuple[type, ...], name: str, what: str) -> Any:
    if isinstance(value, bool) and kind is not bool and not (isinstance(kind, tuple) and bool in kind):
        raise FeelError(f"{name}() expects {what}, got boolean")
    if not isinstance(value, kind):
        raise FeelError(f"{name}() expects {what}, got {feel_type(value)}")
    return value


def _n(value: object, name: str) -> Decimal:
    return _want(num(value), Decimal, name, "a number")


def _s(value: object, name: str) -> str:
    return _want(value, str, name, "a string")


def _l(value: object, name: str) -> list[object]:
    if isinstance(value, (list, tuple)):
        return list(value)  # pyright: ignore[reportUnknownArgumentType]
    raise FeelError(f"{name}() expects a list, got {feel_type(value)}")


def _int(value: object, name: str) -> int:
    number = _n(value, name)
    if number != number.to_integral_value():
        raise FeelError(f"{name}() expects a whole number, got {number}")
    return int(number)


def _null_guard(fn: Callable[..., object]) -> Callable[..., object]:
    def guarded(*args: object) -> object:
        if any(a is None for a in args):
            return None
        return fn(*args)

    return guarded


def _items(args: tuple[object, ...]) -> list[object]:
    """min(1, 2) and min([1, 2]) alike."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        return list(args[0])  # pyright: ignore[reportUnknownArgumentType]
    return list(args)


# -- conversion ---------------------------------------------------------------------------


def to_string(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        d = num(value)
        assert isinstance(d, Decimal)
        return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    if isinstance(value, (timedelta, YearsMonthsDuration)):
        return format_duration(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_string(v) or "null" for v in value) + "]"  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, dict):
        entries = (f"{k}:{to_string(v) or 'null'}" for k, v in value.items())  # pyright: ignore[reportUnknownVariableType]
        return "{" + ", ".join(entries) + "}"
    return str(value)


def to_number(text: object, grouping: object = None, decimal_sep: object = None) -> object:
    if text is None:
        return None
    raw = _s(text, "number")
    if isinstance(grouping, str):
        raw = raw.replace(grouping, "")
    if isinstance(decimal_sep, str):
        raw = raw.replace(decimal_sep, ".")
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(*args: object) -> object:
    if len(args) == 3:
        if any(a is None for a in args):
            return None
        try:
            return date(_int(args[0], "date"), _int(args[1], "date"), _int(args[2], "date"))
        except ValueError as exc:
            raise FeelError(f"date(): {exc}") from None
    (value,) = args
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_s(value, "date"))
    except ValueError:
        return None


def _parse_datetime(text: str) -> datetime | None:
    raw = text.strip()
    zone = None
    match = re.fullmatch(r"(.*)@([A-Za-z_]+/[A-Za-z_/]+|UTC)", raw)
    if match:
        raw, zone = match.group(1), match.group(2)
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if zone:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo(zone))
    return value


def _date_and_time(*args: object) -> object:
    if len(args) == 2:
        day, clock_time = args
        if day is None or clock_time is None:
            return None
        if isinstance(day, datetime):
            day = day.date()
        return datetime.combine(
            _want(day, date, "date and time", "a date"),
            _want(clock_time, time, "date and time", "a time"),
        )
    (value,) = args
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = _s(value, "date and time")
    if "T" not in text:
        return None
    return _parse_datetime(text)


def _time(*args: object) -> object:
    if len(args) >= 3:
        if any(a is None for a in args[:3]):
            return None
        seconds = _n(args[2], "time")
        whole = int(seconds)
        micro = int((seconds - whole) * 1_000_000)
        return time(_int(args[0], "time"), _int(args[1], "time"), whole, micro)
    value: object = args[0] if args else None
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timetz()
    if isinstance(value, time):
        return value
    text = _s(value, "time").strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


def _duration(value: object) -> object:
    if value is None:
        return None
    return parse_duration(_s(value, "duration"))


def _years_and_months(start: object, end: object) -> object:
    a = _want(start, date, "years and months duration", "a date")
    b = _want(end, date, "years and months duration", "a date")
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    return YearsMonthsDuration(months)


# -- strings ------------------------------------------------------------------------------


def _substring(text: object, start: object, length: object = None) -> object:
    if text is None or start is None:
        return None
    s = _s(text, "substring")
    begin = _int(start, "substring")
    index = begin - 1 if begin > 0 else len(s) + begin
    if length is None:
        return s[max(index, 0) :]
    return s[max(index, 0) : max(index, 0) + _int(length, "substring")]


def _flags(flags: object) -> int:
    result = 0
    for flag in flags if isinstance(flags, str) else "":
        result |= {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}.get(
            flag, 0
        )
    return result


def _regex(pattern: object, flags: object, name: str) -> re.Pattern[str]:
    try:
        return re.compile(_s(pattern, name), _flags(flags))
    except re.error as exc:
        raise FeelError(f"{name}(): invalid pattern {pattern!r}: {exc}") from None


def _matches(text: object, pattern: object, flags: object = None) -> object:
    if text is None or pattern is None:
        return None
    return _regex(pattern, flags, "matches").search(_s(text, "matches")) is not None


def _replace(text: object, pattern: object, repl: object, flags: object = None) -> object:
    if text is None or pattern is None or repl is None:
        return None
    replacement = re.sub(r"\$(\d+)", r"\\\1", _s(repl, "replace"))
    return _regex(pattern, flags, "replace").sub(replacement, _s(text, "replace"))


def _split(text: object, delimiter: object) -> object:
    if text is None or delimiter is None:
        return None
    return _regex(delimiter, None, "split").split(_s(text, "split"))


def _string_join(items: object, delimiter: object = None, prefix: object = None,
                 suffix: object = None) -> object:  # fmt: skip
    if items is None:
        return None
    parts = [_s(i, "string join") for i in _l(items, "string join") if i is not None]
    sep = "" if delimiter is None else _s(delimiter, "string join")
    joined = sep.join(parts)
    return f"{prefix or ''}{joined}{suffix or ''}"


def _substring_before(text: object, match: object) -> object:
    s, m = _s(text, "substring before"), _s(match, "substring before")
    return s[: s.find(m)] if m in s else ""


def _substring_after(text: object, match: object) -> object:
    s, m = _s(text, "substring after"), _s(match, "substring after")
    return s[s.find(m) + len(m) :] if m in s else ""


# -- numbers ------------------------------------------------------------------------------


def _rounder(mode: str, name: str) -> Callable[..., object]:
    def round_(n: object, scale: object = None) -> object:
        if n is None:
            return None
        digits = 0 if scale is None else _int(scale, name)
        return _n(n, name).quantize(Decimal(1).scaleb(-digits), rounding=mode)

    return round_


def _sqrt(n: object) -> object:
    value = _n(n, "sqrt")
    return None if value < 0 else value.sqrt()


def _modulo(a: object, b: object) -> object:
    x, y = _n(a, "modulo"), _n(b, "modulo")
    if y == 0:
        return None
    return x - y * (x / y).to_integral_value(rounding=ROUND_FLOOR)


def _ordered(items: list[object], name: str) -> list[object]:
    if any(i is None for i in items):
        return []
    values = [num(i) for i in items]
    kinds = {feel_type(v) for v in values}
    if len(kinds) > 1:
        raise FeelError(f"{name}() cannot compare {' and '.join(sorted(kinds))}")
    return values


def _min(*args: object) -> object:
    values = _ordered(_items(args), "min")
    return min(values) if values else None  # pyright: ignore[reportCallIssue, reportArgumentType]


def _max(*args: object) -> object:
    values = _ordered(_items(args), "max")
    return max(values) if values else None  # pyright: ignore[reportCallIssue, reportArgumentType]


def _sum(*args: object) -> object:
    items = _items(args)
    if not items or any(i is None for i in items):
        return None
    return sum((_n(i, "sum") for i in items), Decimal(0))


def _mean(*args: object) -> object:
    items = _items(args)
    total = _sum(*items) if items else None
    return None if total is None else total / Decimal(len(items))  # pyright: ignore[reportOperatorIssue]


def _median(*args: object) -> object:
    items = sorted(_n(i, "median") for i in _items(args))
    if not items:
        return None
    mid = len(items) // 2
    return items[mid] if len(items) % 2 else (items[mid - 1] + items[mid]) / 2


def _product(*args: object) -> object:
    items = _items(args)
    if not items:
        return None
    result = Decimal(1)
    for i in items:
        result *= _n(i, "product")
    return result


def _all(*args: object) -> object:
    items = _items(args)
    if any(i is False for i in items):
        return False
    return True if all(i is True for i in items) else None


def _any(*args: object) -> object:
    items = _items(args)
    if any(i is True for i in items):
        return True
    return False if all(i is False for i in items) else None


# -- lists --------------------------------------------------------------------------------


def _equal(a: object, b: object) -> bool:
    a, b = num(a), num(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return (type(a) is type(b) and a == b) or (a is None and b is None)


def _list_contains(items: object, element: object) -> object:
    return any(_equal(i, element) for i in _l(items, "list contains"))


def _sublist(items: object, start: object, length: object = None) -> object:
    values = _l(items, "sublist")
    begin = _int(start, "sublist")
    index = begin - 1 if begin > 0 else len(values) + begin
    if length is None:
        return values[index:]
    return values[index : index + _int(length, "sublist")]


def _append(items: object, *rest: object) -> object:
    return [*_l(items, "append"), *rest]


def _concatenate(*lists: object) -> object:
    result: list[object] = []
    for items in lists:
        result.extend(_l(items, "concatenate"))
    return result


def _insert_before(items: object, position: object, element: object) -> object:
    values = _l(items, "insert before")
    index = _int(position, "insert before")
    values.insert(index - 1 if index > 0 else len(values) + index, element)
    return values


def _remove(items: object, position: object) -> object:
    values = _l(items, "remove")
    index = _int(position, "remove")
    real = index - 1 if index > 0 else len(values) + index
    if not 0 <= real < len(values):
        raise FeelError(f"remove(): position {index} is outside a list of {len(values)}")
    del values[real]
    return values


def _index_of(items: object, match: object) -> object:
    return [Decimal(i + 1) for i, v in enumerate(_l(items, "index of")) if _equal(v, match)]


def _distinct(items: object) -> object:
    result: list[object] = []
    for value in _l(items, "distinct values"):
        if not any(_equal(value, seen) for seen in result):
            result.append(value)
    return result


def _flatten(items: object) -> object:
    result: list[object] = []
    for value in _l(items, "flatten"):
        if isinstance(value, (list, tuple)):
            result.extend(_flatten(value))  # pyright: ignore[reportArgumentType]
        else:
            result.append(value)
    return result


def _sort(items: object, precedes: object = None) -> object:
    values = [num(v) for v in _l(items, "sort")]
    if precedes is None:
        _ordered(values, "sort")
        return sorted(values)  # pyright: ignore[reportCallIssue, reportArgumentType]
    if not isinstance(precedes, FeelFunction):
        raise FeelError(f"sort() expects a function, got {feel_type(precedes)}")
    fn = precedes

    def compare(a: object, b: object) -> int:
        return -1 if fn(a, b) is True else (1 if fn(b, a) is True else 0)

    return sorted(values, key=cmp_to_key(compare))


def _reverse(items: object) -> object:
    return list(reversed(_l(items, "reverse")))


def _count(items: object) -> object:
    return Decimal(len(_l(items, "count")))


def _union(*lists: object) -> object:
    return _distinct(_concatenate(*lists))


# -- contexts -----------------------------------------------------------------------------


def _ctx(value: object, name: str) -> dict[str, object]:
    if isinstance(value, dict):
        return dict(value)  # pyright: ignore[reportUnknownArgumentType]
    raise FeelError(f"{name}() expects a context, got {feel_type(value)}")


def _get_value(context: object, key: object) -> object:
    if isinstance(key, (list, tuple)):
        current: object = context
        for part in key:  # pyright: ignore[reportUnknownVariableType]
            if not isinstance(current, dict):
                return None
            current = current.get(part)  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        return num(current)
    return num(_ctx(context, "get value").get(_s(key, "get value")))


def _get_entries(context: object) -> object:
    return [{"key": k, "value": v} for k, v in _ctx(context, "get entries").items()]


def _context_put(context: object, key: object, value: object) -> object:
    result = _ctx(context, "context put")
    result[_s(key, "context put")] = value
    return result


def _context_merge(*contexts: object) -> object:
    result: dict[str, object] = {}
    for c in _items(contexts):
        result.update(_ctx(c, "context merge"))
    return result


def _context(entries: object) -> object:
    result: dict[str, object] = {}
    for entry in _l(entries, "context"):
        e = _ctx(entry, "context")
        result[_s(e.get("key"), "context")] = e.get("value")
    return result


# -- temporal -----------------------------------------------------------------------------


def _now(clock: Clock) -> object:
    return clock()


def _today(clock: Clock) -> object:
    return clock().date()


def _day_of_week(value: object) -> object:
    day = _want(value, date, "day of week", "a date")
    return ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][
        day.weekday()
    ]


def _last_day_of_month(value: object) -> object:
    day = _want(value, date, "last day of month", "a date")
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return Decimal((following - timedelta(days=1)).day)


def _is_defined(value: object) -> object:
    return value is not None


def _not(value: object) -> object:
    return (not value) if isinstance(value, bool) else None


def _string_length(s: object) -> object:
    return Decimal(len(_s(s, "string length")))


def _abs(n: object) -> object:
    value = num(n)
    if isinstance(value, timedelta):
        return abs(value)
    return abs(_n(value, "abs"))


def _decimal(n: object, scale: object) -> object:
    return _n(n, "decimal").quantize(Decimal(1).scaleb(-_int(scale, "decimal")), ROUND_HALF_EVEN)


G = _null_guard
BUILTINS: dict[str, Builtin] = {
    # conversion
    "string": Builtin(("from",), to_string),
    "number": Builtin(("from", "grouping separator", "decimal separator"), to_number, min_args=1),
    "date": Builtin(("from", "month", "day"), _date, min_args=1),
    "time": Builtin(("from", "minute", "second", "offset"), _time, min_args=1),
    "date and time": Builtin(("date", "time"), _date_and_time, min_args=1),
    "duration": Builtin(("from",), _duration),
    "years and months duration": Builtin(("from", "to"), G(_years_and_months)),
    "context": Builtin(("entries",), G(_context)),
    # booleans and nulls
    "not": Builtin(("negand",), _not),
    "is defined": Builtin(("value",), _is_defined),
    "all": Builtin(("list",), _all, variadic=True, min_args=0),
    "any": Builtin(("list",), _any, variadic=True, min_args=0),
    # strings
    "string length": Builtin(("string",), G(_string_length)),
    "substring": Builtin(("string", "start position", "length"), _substring, min_args=2),
    "upper case": Builtin(("string",), G(lambda s: _s(s, "upper case").upper())),
    "lower case": Builtin(("string",), G(lambda s: _s(s, "lower case").lower())),
    "contains": Builtin(("string", "match"), G(lambda s, m: _s(m, "contains") in _s(s, "contains"))),
    "starts with": Builtin(
        ("string", "match"), G(lambda s, m: _s(s, "starts with").startswith(_s(m, "starts with")))
    ),
    "ends with": Builtin(
        ("string", "match"), G(lambda s, m: _s(s, "ends with").endswith(_s(m, "ends with")))
    ),
    "substring before": Builtin(("string", "match"), G(_substring_before)),
    "substring after": Builtin(("string", "match"), G(_substring_after)),
    "matches": Builtin(("input", "pattern", "flags"), _matches, min_args=2),
    "replace": Builtin(("input", "pattern", "replacement", "flags"), _replace, min_args=3),
    "split": Builtin(("string", "delimiter"), _split),
    "string join": Builtin(("list", "delimiter", "prefix", "suffix"), _string_join, min_args=1),
    "trim": Builtin(("string",), G(lambda s: _s(s, "trim").strip())),
    # numbers
    "decimal": Builtin(("n", "scale"), G(_decimal)),
    "floor": Builtin(("n", "scale"), _rounder(ROUND_FLOOR, "floor"), min_args=1),
    "ceiling": Builtin(("n", "scale"), _rounder(ROUND_CEILING, "ceiling"), min_args=1),
    "round up": Builtin(("n", "scale"), _rounder(ROUND_UP, "round up"), min_args=1),
    "round down": Builtin(("n", "scale"), _rounder(ROUND_DOWN, "round down"), min_args=1),
    "round half up": Builtin(("n", "scale"), _rounder(ROUND_HALF_UP, "round half up"), min_args=1),
    "round half down": Builtin(
        ("n", "scale"), _rounder(ROUND_HALF_DOWN, "round half down"), min_args=1
    ),
    "abs": Builtin(("n",), G(_abs)),
    "modulo": Builtin(("dividend", "divisor"), G(_modulo)),
    "sqrt": Builtin(("number",), G(_sqrt)),
    "odd": Builtin(("number",), G(lambda n: _int(n, "odd") % 2 == 1)),
    "even": Builtin(("number",), G(lambda n: _int(n, "even") % 2 == 0)),
    "min": Builtin(("list",), _min, variadic=True),
    "max": Builtin(("list",), _max, variadic=True),
    "sum": Builtin(("list",), _sum, variadic=True),
    "mean": Builtin(("list",), _mean, variadic=True),
    "median": Builtin(("list",), _median, variadic=True),
    "product": Builtin(("list",), _product, variadic=True),
    "count": Builtin(("list",), G(_count)),
    # lists
    "list contains": Builtin(("list", "element"), _list_contains),
    "append": Builtin(("list", "item"), _append, variadic=True),
    "concatenate": Builtin(("list",), _concatenate, variadic=True),
    "insert before": Builtin(("list", "position", "newItem"), _insert_before),
    "remove": Builtin(("list", "position"), G(_remove)),
    "index of": Builtin(("list", "match"), _index_of),
    "distinct values": Builtin(("list",), G(_distinct)),
    "union": Builtin(("list",), _union, variadic=True),
    "flatten": Builtin(("list",), G(_flatten)),
    "sort": Builtin(("list", "precedes"), _sort, min_args=1),
    "reverse": Builtin(("list",), G(_reverse)),
    "sublist": Builtin(("list", "start position", "length"), G(_sublist), min_args=2),
    # contexts
    "get value": Builtin(("m", "key"), _get_value),
    "get entries": Builtin(("m",), G(_get_entries)),
    "context put": Builtin(("context", "key", "value"), _context_put),
    "context merge": Builtin(("contexts",), _context_merge, variadic=True),
    # temporal
    "now": Builtin((), _now, clock=True),
    "today": Builtin((), _today, clock=True),
    "day of week": Builtin(("date",), G(_day_of_week)),
    "last day of month": Builtin(("date",), G(_last_day_of_month)),
}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
