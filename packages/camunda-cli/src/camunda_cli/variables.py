"""``--var NAME=VALUE``: the value is JSON when it parses as JSON, else the text itself."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from camunda_cli.errors import EXIT_USAGE, CliError

__all__ = ["parse_variables"]


def parse_variables(pairs: Iterable[str], option: str = "--var") -> dict[str, Any]:
    """``["amount=120", "name=Ann", 'items=["a"]']`` -> ``{"amount": 120, "name": "Ann", "items": ["a"]}``."""
    variables: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"{option} {pair!r}: expected NAME=VALUE, e.g. {option} amount=120", EXIT_USAGE)
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text  # not JSON: the text as it is (order-1 stays a string)
        variables[name] = value
    return variables
