"""Filtering, sorting and paging for the ``/search`` endpoints.

Items are the wire dictionaries the endpoint returns. Each search route declares a
:class:`SearchFields` table: the filter fields it honours (a filter field applies to the
item field of the same name, or to a custom matcher) and the fields it sorts on. A filter
or sort field outside the table is a 400 naming it, never silently ignored. Values compare
as the wire does (keys are strings; dates as instants).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from .._http import HttpResponse
from .arguments import invalid_argument

__all__ = [
    "OPERATORS",
    "SEARCHES",
    "SearchError",
    "SearchFields",
    "render_search_table",
    "search",
    "search_response",
]

# The advanced filter operators every honoured field accepts.
OPERATORS = ("$eq", "$neq", "$exists", "$in", "$notIn", "$like", "$gt", "$gte", "$lt", "$lte")

# A custom filter: (item, the filter's condition) -> whether the item matches.
FilterMatcher = Callable[[dict[str, Any], Any], bool]


class SearchError(ValueError):
    """The search request is malformed; the message names the field."""


@dataclass(frozen=True, slots=True)
class SearchFields:
    """What one search route honours: filter fields (matched against the item field of the
    same name unless ``custom`` has a matcher for it), ``$or`` if ``allow_or``, and sort
    fields. Anything else in a query's filter or sort is a 400 that names it. Declaring one
    registers it in :data:`SEARCHES` (the docs table is rendered from there)."""

    operation: str
    filters: frozenset[str]
    sort: frozenset[str]
    allow_or: bool = False
    custom: Mapping[str, FilterMatcher] = field(default_factory=lambda: {})

    @staticmethod
    def declare(
        operation: str,
        filters: Iterable[str],
        sort: Iterable[str],
        *,
        allow_or: bool = False,
        custom: Mapping[str, FilterMatcher] | None = None,
    ) -> SearchFields:
        fields = SearchFields(operation, frozenset(filters), frozenset(sort), allow_or,
                              dict(custom or {}))  # fmt: skip
        SEARCHES[operation] = fields
        return fields

    def check_filter_field(self, name: str) -> None:
        if name == "$or" and self.allow_or:
            return
        if name not in self.filters:
            raise SearchError(
                f"unsupported filter field '{name}' for {self.operation} "
                "(the test kit does not model it)"
            )

    def check_sort_field(self, name: str) -> None:
        if name not in self.sort:
            raise SearchError(
                f"unsupported sort field '{name}' for {self.operation} "
                "(the test kit does not model it)"
            )


# Every declared search route's table, by operation id.
SEARCHES: dict[str, SearchFields] = {}


def render_search_table() -> str:
    """The Markdown table docs/testkit.md shows between its search-fields markers."""
    lines = ["| Operation | Filter fields | Sort fields |", "|---|---|---|"]
    for operation in sorted(SEARCHES):
        fields = SEARCHES[operation]
        filters = sorted(fields.filters) + (["$or"] if fields.allow_or else [])
        lines.append(
            f"| `{operation}` | {', '.join(f'`{f}`' for f in filters)} | "
            f"{', '.join(f'`{f}`' for f in sorted(fields.sort))} |"
        )
    return "\n".join(lines)


def _as_comparable(value: Any) -> Any:
    # Keys travel as strings but users may send numbers; compare on strings.
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    return value


def _matches(value: Any, condition: Any, field_name: str) -> bool:
    if not isinstance(condition, dict):
        return _as_comparable(value) == _as_comparable(condition)
    for operator, operand in cast("dict[str, Any]", condition).items():
        if operator == "$eq":
            ok = _as_comparable(value) == _as_comparable(operand)
        elif operator == "$neq":
            ok = _as_comparable(value) != _as_comparable(operand)
        elif operator == "$exists":
            ok = (value is not None) == bool(operand)
        elif operator in ("$in", "$notIn"):
            if not isinstance(operand, list):
                raise SearchError(f"filter.{field_name}.{operator} must be a list")
            members = {_as_comparable(v) for v in cast("list[Any]", operand)}
            ok = (_as_comparable(value) in members) == (operator == "$in")
        elif operator == "$like":
            ok = isinstance(value, str) and fnmatch.fnmatchcase(value, str(operand))
        elif operator in ("$gt", "$gte", "$lt", "$lte"):
            if value is None:
                return False
            left, right = (
                _ordered(value, field_name, operator),
                _ordered(operand, field_name, operator),
            )
            if left[0] != right[0]:
                raise SearchError(f"filter.{field_name}.{operator} is not comparable")
            if operator == "$gt":
                ok = left > right
            elif operator == "$gte":
                ok = left >= right
            elif operator == "$lt":
                ok = left < right
            else:
                ok = left <= right
        else:
            raise SearchError(f"filter.{field_name} has an unknown operator {operator!r}")
        if not ok:
            return False
    return True


def _ordered(value: Any, field_name: str, operator: str) -> tuple[int, float, str]:
    """Numbers (and digit strings such as keys) compare numerically; other strings as text."""
    if isinstance(value, bool):
        raise SearchError(f"filter.{field_name}.{operator} cannot compare booleans")
    if isinstance(value, (int, float)):
        return (0, value, "")
    if isinstance(value, str):
        if value.lstrip("-").isdigit():
            return (0, int(value), "")
        instant = _instant(value)
        if instant is not None:
            return (2, instant, "")
        return (1, 0.0, value)
    raise SearchError(f"filter.{field_name}.{operator} is not comparable")


def _instant(text: str) -> float | None:
    """An ISO 8601 date-time with an offset (``Z`` too) as epoch seconds, else None."""
    if len(text) < 19 or text[4] != "-" or "T" not in text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.timestamp() if parsed.tzinfo is not None else None


def _check_fields(filters: dict[str, Any], fields: SearchFields) -> None:
    for name, condition in filters.items():
        fields.check_filter_field(name)
        if name == "$or" and isinstance(condition, list):
            for branch in cast("list[Any]", condition):
                if isinstance(branch, dict):
                    _check_fields(cast("dict[str, Any]", branch), fields)


def _item_matches(
    item: dict[str, Any], filters: dict[str, Any], custom: Mapping[str, FilterMatcher] | None = None
) -> bool:
    for name, condition in filters.items():
        if name == "$or":
            if not isinstance(condition, list):
                raise SearchError("filter.$or must be a list")
            branches = [
                cast("dict[str, Any]", b)
                for b in cast("list[Any]", condition)
                if isinstance(b, dict)
            ]
            if branches and not any(_item_matches(item, b, custom) for b in branches):
                return False
            continue
        matcher = None if custom is None else custom.get(name)
        if matcher is not None:
            if not matcher(item, condition):
                return False
            continue
        if name not in item:
            continue
        if not _matches(item[name], condition, name):
            return False
    return True


def encode_cursor(key: str) -> str:
    return base64.b64encode(f"[{key}]".encode()).decode()


def _decode_cursor(cursor: Any, field_name: str) -> str:
    if not isinstance(cursor, str):
        raise SearchError(f"page.{field_name} must be a string cursor")
    try:
        decoded = base64.b64decode(cursor, validate=True).decode()
        values = json.loads(decoded)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise SearchError(f"page.{field_name} is not a cursor this server issued") from exc
    if not isinstance(values, list) or len(cast("list[Any]", values)) != 1:
        raise SearchError(f"page.{field_name} is not a cursor this server issued")
    return str(cast("list[Any]", values)[0])


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (1, "")
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    return (0, str(value))


def search(
    items: Sequence[dict[str, Any]],
    query: dict[str, Any],
    key_field: str,
    fields: SearchFields | None = None,
) -> dict[str, Any]:
    """Answer a search query shaped like the spec's ``SearchQueryRequest``.

    With ``fields`` (the route's table), a filter or sort field outside it is a
    :class:`SearchError`; without, filter fields that are not item fields are ignored
    (the old behaviour, for routes that have not declared a table yet).
    """
    raw_filter: Any = query.get("filter") or {}
    if not isinstance(raw_filter, dict):
        raise SearchError("filter must be an object")
    filters = cast("dict[str, Any]", raw_filter)
    if fields is not None:
        _check_fields(filters, fields)
    custom = None if fields is None else fields.custom
    matched = [item for item in items if _item_matches(item, filters, custom)]

    raw_sort: Any = query.get("sort") or []
    if not isinstance(raw_sort, list):
        raise SearchError("sort must be a list")
    # Stable sorts applied last-to-first give a multi-field sort.
    for entry in reversed(cast("list[Any]", raw_sort)):
        if not isinstance(entry, dict) or not isinstance(
            cast("dict[str, Any]", entry).get("field"), str
        ):
            raise SearchError("sort entries need a string 'field'")
        sort_entry = cast("dict[str, Any]", entry)
        sort_field = cast(str, sort_entry["field"])
        if fields is not None:
            fields.check_sort_field(sort_field)
        descending = str(sort_entry.get("order", "ASC")).upper() == "DESC"
        matched.sort(key=lambda item: _sort_key(item.get(sort_field)), reverse=descending)

    raw_page: Any = query.get("page") or {}
    if not isinstance(raw_page, dict):
        raise SearchError("page must be an object")
    page = cast("dict[str, Any]", raw_page)
    limit = page.get("limit", 100)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise SearchError("page.limit must be a non-negative integer")
    total = len(matched)
    keys = [str(item.get(key_field)) for item in matched]
    if "after" in page:
        after = _decode_cursor(page["after"], "after")
        start = keys.index(after) + 1 if after in keys else _position_after(keys, after)
        window = matched[start : start + limit]
    elif "before" in page:
        before = _decode_cursor(page["before"], "before")
        end = keys.index(before) if before in keys else _position_after(keys, before)
        window = matched[max(0, end - limit) : end]
    else:
        offset = page.get("from", 0)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise SearchError("page.from must be a non-negative integer")
        window = matched[offset : offset + limit]
    return {
        "items": window,
        "page": {
            "totalItems": total,
            "hasMoreTotalItems": False,
            "startCursor": encode_cursor(str(window[0][key_field])) if window else None,
            "endCursor": encode_cursor(str(window[-1][key_field])) if window else None,
        },
    }


def _position_after(keys: list[str], cursor_key: str) -> int:
    """Where a vanished cursor item would sit, assuming key order."""
    try:
        wanted = int(cursor_key)
    except ValueError as exc:
        raise SearchError("page cursor is not a cursor this server issued") from exc
    for index, key in enumerate(keys):
        if key.lstrip("-").isdigit() and int(key) > wanted:
            return index
    return len(keys)


def search_response(
    items: Sequence[dict[str, Any]],
    body: dict[str, Any],
    key_field: str,
    fields: SearchFields | None = None,
) -> HttpResponse:
    """The answer of a ``POST .../search`` route over ``items``; a malformed query, or a
    filter or sort field outside ``fields``, is a 400 naming the field."""
    try:
        return HttpResponse.json(200, search(items, body, key_field, fields))
    except SearchError as exc:
        raise invalid_argument(str(exc)) from exc
