"""Plugin discovery: entry points, explicit plugins, precedence."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from camunda_core import errors
from camunda_core.auth.strategy import AuthStrategy
from camunda_core.hookspecs import hookimpl
from camunda_core.plugins import auth_strategies, create_plugin_manager

PLUGIN_SOURCE = textwrap.dedent(
    '''
    from collections.abc import Generator

    import httpx

    from camunda_core.auth.strategy import AuthStrategy
    from camunda_core.hookspecs import hookimpl


    class HeaderAuth(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
            request.headers["X-Test-Auth"] = "from-entry-point"
            yield request


    @hookimpl
    def camunda_auth_strategies():
        return [AuthStrategy(name="HEADER_TEST", create=lambda context: HeaderAuth())]
    '''
)

CHECK_SCRIPT = textwrap.dedent(
    '''
    import http.server, json, threading
    from camunda_core.runtime.sync_client import SyncClientRuntime
    from camunda_core.runtime.operation import Operation

    seen = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen["auth"] = self.headers.get("X-Test-Auth")
            body = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    import os
    os.environ["CAMUNDA_REST_ADDRESS"] = f"http://127.0.0.1:{server.server_address[1]}"
    op = Operation("getTopology", "GET", "/topology", response_kind="json")
    with SyncClientRuntime() as client:
        print(type(client._core.auth).__name__, client._invoke(op), seen["auth"])
    server.shutdown()
    '''
)


def test_entry_point_plugin_is_selected_by_environment_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "header_test_plugin.py").write_text(PLUGIN_SOURCE)
    dist_info = site / "header_test_plugin-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: header-test-plugin\nVersion: 0.1\n")
    (dist_info / "entry_points.txt").write_text("[camunda_orchestration_sdk]\nheader = header_test_plugin\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA_", "ZEEBE_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    env["CAMUNDA_AUTH_STRATEGY"] = "HEADER_TEST"
    result = subprocess.run(
        [sys.executable, "-c", CHECK_SCRIPT], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["HeaderAuth", "{'ok':", "True}", "from-entry-point"]


class _Strategies:
    def __init__(self, name: str, marker: str) -> None:
        self.name = name
        self.marker = marker

    @hookimpl
    def camunda_auth_strategies(self) -> list[AuthStrategy]:
        return [AuthStrategy(name=self.name, create=lambda _context: Any, description=self.marker)]  # type: ignore[arg-type]


def test_explicit_plugins_override_builtins_and_each_other() -> None:
    pm = create_plugin_manager([_Strategies("BASIC", "first"), _Strategies("BASIC", "second")], load_entry_points=False)
    strategies = auth_strategies(pm)
    assert strategies["BASIC"].description == "second"
    assert strategies["NONE"].description == "no authentication"


def test_each_client_has_its_own_plugin_manager() -> None:
    first = create_plugin_manager([_Strategies("ONLY_HERE", "x")], load_entry_points=False)
    second = create_plugin_manager([], load_entry_points=False)
    assert "ONLY_HERE" in auth_strategies(first)
    assert "ONLY_HERE" not in auth_strategies(second)


def test_broken_entry_point_is_a_plugin_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    dist_info = site / "broken_plugin-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist_info / "entry_points.txt").write_text("[camunda_orchestration_sdk]\nbroken = no_such_module_here\n")
    script = (
        "from camunda_core.plugins import create_plugin_manager\n"
        "from camunda_core.errors import PluginError\n"
        "try:\n    create_plugin_manager()\nexcept PluginError as e:\n    print('PluginError', 'broken' in str(e))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == "PluginError True", result.stderr


def test_transport_hook_must_return_a_transport() -> None:
    class Bad:
        @hookimpl
        def camunda_http_transport(self, config: Any, asynchronous: bool) -> Any:
            return "not a transport"

    from camunda_core.runtime.sync_client import SyncClientRuntime

    with pytest.raises(errors.PluginError, match="camunda_http_transport returned str"):
        SyncClientRuntime({}, plugins=[Bad()], load_entry_points=False, environ={})
