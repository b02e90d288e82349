"""Fixtures for the OAuth tests (the servers and helpers live in oauth_testing.py)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from camunda_core.config import CamundaConfig
from camunda_core.types import Secret

# The suite runs with --import-mode=importlib: make this folder's helper module importable.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from oauth_testing import (
    CLIENT_ID,
    CLIENT_SECRET,
    ApiServer,
    ConfigFactory,
    FakeClock,
    TokenServer,
)


@pytest.fixture
def api_server() -> Iterator[ApiServer]:
    server = ApiServer()
    yield server
    server.close()


@pytest.fixture
def token_server(api_server: ApiServer) -> Iterator[TokenServer]:
    server = TokenServer(api_server)
    yield server
    server.close()


@pytest.fixture
def make_config(token_server: TokenServer) -> ConfigFactory:
    """A real CamundaConfig pointing at the loopback token server, fast retries."""

    def build(**overrides: Any) -> CamundaConfig:
        values: dict[str, Any] = {
            "auth_strategy": "OAUTH",
            "client_id": CLIENT_ID,
            "client_secret": Secret(CLIENT_SECRET),
            "oauth_url": token_server.url,
            "token_audience": "zeebe.camunda.io",
            "oauth_timeout": 5.0,
            "retry_max_attempts": 3,
            "retry_initial_delay": 0.001,
            "retry_max_delay": 0.01,
        }
        values.update(overrides)
        return CamundaConfig(**values)

    return build


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    """Any keyring a test installs is replaced by the original afterwards (skips without the extra)."""
    keyring = pytest.importorskip("keyring", reason="the keyring extra is not installed")
    original = keyring.get_keyring()
    try:
        yield
    finally:
        keyring.set_keyring(original)


@pytest.fixture
def memory_keyring(restore_keyring: None) -> Any:
    import keyring
    from keyring_testing import MemoryKeyring

    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "token-cache"


@pytest.fixture
def captured_logging() -> Iterator[list[str]]:
    """Every stdlib log record (any logger, any level), rendered."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(level=logging.NOTSET)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(1)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
