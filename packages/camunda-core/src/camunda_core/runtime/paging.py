"""Auto-paging for search operations: pure helpers used by both send loops.

Pages are requested with a cursor (``page.after`` = the previous page's
``endCursor``), which stays stable while new records arrive. The caller's own
``page.limit`` wins over ``page_size``.
"""

from __future__ import annotations

from typing import Any

from camunda_core.errors import ValidationError
from camunda_core.runtime.operation import Operation
from camunda_core.runtime.request_builder import to_wire
from camunda_core.types import UNSET

__all__ = ["first_page_body", "next_page_body", "page_items"]


def first_page_body(op: Operation[Any], body: object, page_size: int) -> dict[str, Any]:
    if page_size < 1:
        raise ValidationError(f"{op.operation_id}: page_size must be >= 1, got {page_size!r}")
    if op.search_item_field is None:
        raise ValidationError(f"{op.operation_id}: this operation does not page")
    try:
        wire = to_wire(body)
    except ValidationError as error:
        raise ValidationError(f"{op.operation_id}: {error}") from error
    if wire is UNSET or wire is None:
        wire = {}
    if not isinstance(wire, dict):
        raise ValidationError(f"{op.operation_id}: data must be a search request model or a dict")
    data: dict[str, Any] = dict(wire)  # pyright: ignore[reportUnknownArgumentType]
    page: dict[str, Any] = dict(data.get("page") or {})
    page.setdefault("limit", page_size)
    if "from" in page and "after" not in page:
        # Offset paging for the first page only; cursors from then on.
        pass
    data["page"] = page
    return data


def page_items(op: Operation[Any], result: Any) -> list[Any]:
    items = getattr(result, "items", None)
    return list(items) if isinstance(items, list) else []  # pyright: ignore[reportUnknownArgumentType]


def next_page_body(body: dict[str, Any], result: Any, received: int) -> dict[str, Any] | None:
    """The body for the next page, or None when this was the last one."""
    limit = body["page"].get("limit", 0)
    if received == 0 or (limit and received < limit):
        return None
    page_info = getattr(result, "page", None)
    cursor = getattr(page_info, "end_cursor", None)
    if not isinstance(cursor, str) or not cursor:
        return None
    page = {k: v for k, v in body["page"].items() if k not in ("from", "before")}
    page["after"] = cursor
    return {**body, "page": page}
