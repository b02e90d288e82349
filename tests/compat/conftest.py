"""Fixtures for the compatibility tests: the official SDK, in-process (its runtime helpers) and in its venv."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

# The suite runs with --import-mode=importlib: make this folder's helper module importable.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from official_sdk import load_official_runtime


@pytest.fixture(scope="session")
def official_runtime() -> ModuleType:
    """The official SDK's ``camunda_orchestration_sdk.runtime`` package (auth providers, loggers)."""
    return load_official_runtime()
