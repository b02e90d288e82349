"""Puts this folder on sys.path (``cli_testing``; ``cli_worker_routers`` is imported by name by the
``camunda worker`` processes) and starts every test with no CAMUNDA_*/ZEEBE_* variable set."""

import os
import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture(autouse=True)
def _no_camunda_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("CAMUNDA_", "ZEEBE_")):
            monkeypatch.delenv(name)
