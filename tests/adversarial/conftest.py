"""Fixtures of the adversarial suite: one fault server (and one "other host") per module.

The helpers live in uniquely named modules next to this file (``fault_server``,
``adversarial_support``), put on sys.path here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from adversarial_support import SURFACES  # noqa: E402 - after the path set-up
from fault_server import FaultServer  # noqa: E402


@pytest.fixture(scope="module")
def _fault_server_module() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


@pytest.fixture
def fault_server(_fault_server_module: FaultServer) -> Iterator[FaultServer]:
    """The module's fault server, with an empty script and no recordings."""
    _fault_server_module.reset()
    yield _fault_server_module
    _fault_server_module.reset()


@pytest.fixture(scope="module")
def _other_host_module() -> Iterator[FaultServer]:
    # Another address as well as another port: a different host by any rule.
    with FaultServer(host="127.0.0.2") as server:
        yield server


@pytest.fixture
def other_host(_other_host_module: FaultServer) -> Iterator[FaultServer]:
    """A second loopback server that only records what reaches it."""
    _other_host_module.reset()
    yield _other_host_module
    _other_host_module.reset()


@pytest.fixture(params=SURFACES)
def surface(request: pytest.FixtureRequest) -> str:
    return str(request.param)
