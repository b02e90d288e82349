"""Rendering of ``camunda_core/semantic_types.py``: one NewType per identifier kind."""

from __future__ import annotations

from .ir import SpecIR
from .render_common import docstring, header, value_checks

__all__ = ["render_semantic", "SEMANTIC_PATH"]

SEMANTIC_PATH = "packages/camunda-core/src/camunda_core/semantic_types.py"


def render_semantic(ir: SpecIR) -> dict[str, str]:
    lines = [
        header(ir),
        docstring(
            [
                "Distinct identifier types (``NewType`` over ``str``, or ``int`` where the spec says so).",
                "",
                "At runtime each is its base type; type checkers keep them apart, so a",
                "``ProcessInstanceKey`` cannot be passed where a ``ProcessDefinitionKey`` is expected.",
                "Wrap a stored raw value to re-enter the type system: ``ProcessDefinitionKey(raw)``.",
            ]
        ),
        "from __future__ import annotations\n",
        "from typing import Any, NewType\n",
        "__all__ = [",
        *(f'    "{name}",' for name in ir.semantic_types),
        "]\n",
    ]
    for semantic in ir.semantic_types.values():
        lines.append(f'{semantic.name} = NewType("{semantic.name}", {semantic.base})')
        facts = semantic.constraints.describe()
        summary = (
            f"``{semantic.name}``: {semantic.base}"
            + (f"; {'; '.join(facts)}" if facts else "")
            + "."
        )
        lines.append(docstring([summary]))
    # The same constraints as data, for the request validators (which meet these types
    # inside unions and lists, where no field metadata describes the value).
    table = [
        f"    {semantic.name!r}: {value_checks(semantic.constraints, semantic.name)!r},"
        for semantic in ir.semantic_types.values()
        if value_checks(semantic.constraints, semantic.name)
    ]
    lines.append("#: Key type name -> the checks a request validator applies to its values.")
    lines.append("VALUE_CHECKS: dict[str, dict[str, Any]] = {")
    lines.extend(table)
    lines.append("}\n")
    return {SEMANTIC_PATH: "\n".join(lines)}
