"""Fixtures for the fidelity tests: the official clients' locations and the 8.9 spec for openapi-core.

The spec check reuses the contract tests' machinery (tests/contract), imported, not copied.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent / "contract"))
sys.path.insert(0, str(_HERE))

from contract_harness import load_openapi  # noqa: E402
from contract_spec import SPEC_FILE, load_spec, prepare_for_openapi_core, spec_dir  # noqa: E402


def nullable_beside_all_of(node: Any) -> int:
    """``{nullable: true, allOf: [X]}`` -> ``{nullable: true, anyOf: [{allOf: [X]}, null]}``; returns the count.

    The spec marks optional references as nullable next to an ``allOf`` (e.g.
    ``ElementInstanceResult.incidentKey``, ``ProcessInstanceResult.businessId``,
    ``ActivatedJobResult.userTask``): it means "X or null", and both official clients
    read it so, but for a JSON Schema validator the ``allOf`` still rejects null. The
    contract tests never meet this (their minimal responses fill required fields and
    leave optional ones out); a real server, and the test kit, answer null there.
    """
    count = 0
    if isinstance(node, dict):
        if node.get("nullable") is True and isinstance(node.get("allOf"), list) and "anyOf" not in node:
            node["anyOf"] = [{"allOf": node.pop("allOf")}, {"nullable": True, "enum": [None]}]
            count += 1
        for value in node.values():
            count += nullable_beside_all_of(value)
    elif isinstance(node, list):
        for value in node:
            count += nullable_beside_all_of(value)
    return count


@pytest.fixture(scope="session")
def openapi_89() -> Any:
    directory = spec_dir()
    if not (directory / SPEC_FILE).is_file():
        pytest.skip(f"spec not found at {directory / SPEC_FILE}; set CAMUNDA_SPEC_DIR to the camunda-8.9 spec dir")
    prepared, _ = prepare_for_openapi_core(load_spec(directory))
    assert nullable_beside_all_of(prepared) > 0
    return load_openapi(prepared)
