"""The Markdown reference table of configuration variables, generated from the table."""

from __future__ import annotations

from collections.abc import Sequence

from camunda_core.config.variables import VARIABLES, Variable

__all__ = ["render_reference_table"]

_HEADER = ("Variable", "Type", "Default", "Description")


def _cell(text: str) -> str:
    # A pipe would end the cell early; newlines would end the row.
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(variables: Sequence[Variable]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for variable in variables:
        rows.append(
            (
                f"`{variable.name}`",
                variable.kind,
                variable.default_text(),
                variable.description,
            )
        )
        for alias in variable.aliases:
            rows.append(
                (
                    f"`{alias}`",
                    variable.kind,
                    variable.default_text(),
                    f"Alias for `{variable.name}`.",
                )
            )
    return rows


def render_reference_table(variables: Sequence[Variable] = VARIABLES) -> str:
    """A Markdown table with one row per variable and per alias, columns aligned.

    Ends with a newline. ``variables`` defaults to the SDK's own table; a plugin
    can render its declared variables the same way.
    """
    rows = [_HEADER, *(tuple(_cell(cell) for cell in row) for row in _rows(variables))]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADER))]

    def line(cells: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            + " |"
        )

    separator = "| " + " | ".join("-" * width for width in widths) + " |"
    return "\n".join([line(rows[0]), separator, *(line(row) for row in rows[1:])]) + "\n"
