"""Fixtures for the fidelity tests: the 8.9 spec for openapi-core.

The spec check reuses the contract tests' machinery (tests/contract), imported, not copied,
and validates against the very copy the contract tests use (``prepare_for_openapi_core``,
whose documented rewrites include ``nullable`` beside ``allOf`` as "or null").
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


@pytest.fixture(scope="session")
def openapi_89() -> Any:
    directory = spec_dir()
    if not (directory / SPEC_FILE).is_file():
        pytest.skip(f"spec not found at {directory / SPEC_FILE}; set CAMUNDA_SPEC_DIR to the camunda-8.9 spec dir")
    prepared, normalisation = prepare_for_openapi_core(load_spec(directory))
    assert normalisation.nullable_all_of > 0
    return load_openapi(prepared)
