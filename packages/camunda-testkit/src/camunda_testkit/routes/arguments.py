"""Reading and validating a request's arguments; what is wrong becomes a 400 ``INVALID_ARGUMENT``
whose detail names the field."""

from __future__ import annotations

import json
from typing import Any, cast

from ..engine import DEFAULT_TENANT, Problem

__all__ = [
    "int_arg",
    "invalid_argument",
    "key_arg",
    "optional_int_arg",
    "optional_str_arg",
    "path_key",
    "str_arg",
    "string_list_arg",
    "tenant_arg",
    "variables_arg",
]


def invalid_argument(detail: str) -> Problem:
    return Problem(400, "INVALID_ARGUMENT", detail)


def key_arg(body: dict[str, Any], name: str) -> str:
    """A key must be a string of digits, as the spec's LongKey pattern says."""
    value = body.get(name)
    if not isinstance(value, str) or not value.lstrip("-").isdigit() or value.count("-") > 1:
        raise invalid_argument(
            f"Expected '{name}' to be a key (a string of digits, e.g. \"2251799813685249\"), "
            f"got {json.dumps(value)}."
        )
    return value


def path_key(value: str, name: str) -> str:
    """A key in the path, e.g. ``{jobKey}``."""
    if not value.lstrip("-").isdigit():
        raise invalid_argument(f"The path parameter '{name}' must be a key, got '{value}'.")
    return value


def int_arg(body: dict[str, Any], name: str, default: int | None = None) -> int:
    """An integer field; required unless a ``default`` is given."""
    value = body.get(name, default)
    if value is None and default is None:
        raise invalid_argument(f"No {name} provided.")
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_argument(f"Expected '{name}' to be an integer, got {json.dumps(value)}.")
    return value


def optional_int_arg(body: dict[str, Any], name: str) -> int | None:
    if body.get(name) is None:
        return None
    return int_arg(body, name)


def str_arg(body: dict[str, Any], name: str, *, required: bool = False, default: str = "") -> str:
    """A string field; a required one must not be empty either."""
    value = body.get(name)
    if value is None:
        if required:
            raise invalid_argument(f"No {name} provided.")
        return default
    if not isinstance(value, str):
        raise invalid_argument(f"Expected '{name}' to be a string, got {json.dumps(value)}.")
    if required and not value:
        raise invalid_argument(f"No {name} provided.")
    return value


def optional_str_arg(body: dict[str, Any], name: str) -> str | None:
    if body.get(name) is None:
        return None
    return str_arg(body, name)


def variables_arg(body: dict[str, Any], name: str = "variables") -> dict[str, Any]:
    """A JSON object of variables; absent or null counts as none."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_argument(f"Expected '{name}' to be a JSON object, got {json.dumps(value)}.")
    return cast("dict[str, Any]", value)


def string_list_arg(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in cast("list[Any]", value)):
        raise invalid_argument(f"Expected '{name}' to be a list of strings.")
    return cast("list[str]", value)


def tenant_arg(body: dict[str, Any]) -> str:
    """``tenantId``; absent or empty means the default tenant."""
    return str_arg(body, "tenantId") or DEFAULT_TENANT
