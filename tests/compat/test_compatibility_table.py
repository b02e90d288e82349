"""docs/compatibility.md's table is backed by tests: each row names a test that carries its id, and back.

A row is ``| `id` | official | here | verdict | `file.py::test_name` |``; a test backs rows with
``@row("id", ...)`` (test_official_snippets.py). Nothing here runs the tests themselves: pytest
does, and a row whose test fails fails the suite.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "compatibility.md"
HERE = Path(__file__).resolve().parent
VERDICTS = {"keeps", "changes"}

_ROW = re.compile(r"^\| `(?P<id>[a-z0-9-]+)` \|(?P<cells>.*)\|\s*$")


def table_rows() -> dict[str, tuple[str, str]]:
    """Row id -> (verdict, test reference), from the table under "## The table"."""
    rows: dict[str, tuple[str, str]] = {}
    section = PAGE.read_text().split("\n## The table\n", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        match = _ROW.match(line)
        if match is None:
            continue
        cells = [cell.strip() for cell in match["cells"].split(" | ")]
        assert len(cells) == 4, f"row {match['id']} needs 5 cells: {line}"
        assert match["id"] not in rows, f"row {match['id']} appears twice"
        rows[match["id"]] = (cells[2], cells[3].strip("`"))
    return rows


def backing_tests() -> dict[str, set[str]]:
    """``file.py::test_name`` -> the row ids its ``@row(...)`` names, over tests/compat."""
    found: dict[str, set[str]] = {}
    for path in sorted(HERE.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "row":
                    ids = {arg.value for arg in decorator.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
                    found.setdefault(f"{path.name}::{node.name}", set()).update(ids)
    return found


def test_the_page_has_a_table() -> None:
    rows = table_rows()
    assert len(rows) >= 25
    assert {verdict for verdict, _ in rows.values()} == VERDICTS


def test_every_row_names_a_test_that_backs_it() -> None:
    tests = backing_tests()
    for row_id, (verdict, reference) in table_rows().items():
        assert verdict in VERDICTS, f"row {row_id}: verdict {verdict!r} is not one of {sorted(VERDICTS)}"
        assert reference in tests, f"row {row_id} names {reference}, which has no @row(...) in tests/compat"
        assert row_id in tests[reference], f"row {row_id} names {reference}, whose @row(...) does not list it"


def test_every_backing_test_has_its_row() -> None:
    rows = table_rows()
    for reference, ids in backing_tests().items():
        for row_id in ids:
            assert row_id in rows, f"{reference} backs row {row_id}, which docs/compatibility.md lacks"
