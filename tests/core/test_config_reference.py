"""The README and docs reference blocks are generated from the variable table."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from camunda_core.config import VARIABLES, Variable, render_reference_table

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOL = REPO_ROOT / "tools" / "config_reference.py"


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("config_reference_tool", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("document", ["README.md", "docs/configuration.md"])
def test_document_block_equals_rendered_table(document: str) -> None:
    tool = load_tool()
    text = (REPO_ROOT / document).read_text(encoding="utf-8")
    assert tool.extract_block(text, document) == render_reference_table()


def test_tool_check_passes_on_the_repository() -> None:
    result = subprocess.run(
        [sys.executable, str(TOOL), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_replace_block_only_touches_the_marked_region() -> None:
    tool = load_tool()
    text = f"before\n{tool.BEGIN_MARKER}\nstale\n{tool.END_MARKER}\nafter\n"
    updated = tool.replace_block(text, "| a |\n")
    assert updated == f"before\n{tool.BEGIN_MARKER}\n\n| a |\n\n{tool.END_MARKER}\nafter\n"
    assert tool.replace_block(updated, "| a |\n") == updated
    assert tool.extract_block(updated) == "| a |\n"


def test_missing_markers_are_reported() -> None:
    tool = load_tool()
    with pytest.raises(ValueError, match="BEGIN_CONFIG_REFERENCE"):
        tool.replace_block("no markers here", "table")


def test_table_has_a_row_per_name_including_aliases() -> None:
    table = render_reference_table()
    lines = table.splitlines()
    assert lines[0].startswith("| Variable")
    names = [name for variable in VARIABLES for name in variable.names]
    assert len(lines) == 2 + len(names)
    for name in names:
        assert f"`{name}`" in table
    assert all(len(line) == len(lines[0]) for line in lines)


def test_pipes_in_descriptions_are_escaped() -> None:
    variable = Variable(name="CAMUNDA_X", description="a | b", kind="one|two")
    table = render_reference_table([variable])
    assert "a \\| b" in table and "one\\|two" in table
