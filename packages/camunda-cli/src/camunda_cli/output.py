"""Where output goes: data and tables on stdout, the failure line on stderr, JSON as it is."""

from __future__ import annotations

import json
import sys
from typing import Any

import attrs
from rich.console import Console

__all__ = ["console", "error_console", "print_json", "to_jsonable"]

# Piped output is not cut to 80 columns (rich's default off a terminal): lines stay greppable.
_PIPED_WIDTH = 160
console = Console(highlight=False, width=None if sys.stdout.isatty() else _PIPED_WIDTH)
error_console = Console(stderr=True, highlight=False)


def to_jsonable(value: Any) -> Any:
    """A model (attrs class) as its wire dictionary; anything else as it is."""
    if attrs.has(type(value)):  # pyright: ignore[reportUnknownArgumentType]
        from camunda_core.serialization import unstructure

        return unstructure(value)
    return value


def print_json(data: Any) -> None:
    """One JSON document on stdout: what ``--json`` prints, for scripts (no colour, no wrapping)."""
    sys.stdout.write(json.dumps(to_jsonable(data), indent=2, default=str) + "\n")
    sys.stdout.flush()
