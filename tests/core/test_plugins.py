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
        print(type(client.runtime.auth).__name__, client.runtime.invoke(op), seen["auth"])
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


# ------------------------------------------------------------------ hooks are checked like pytest's


class _Misspelled:
    @hookimpl
    def camunda_on_requets(self, event: Any) -> None:  # the typo the check exists for
        raise AssertionError("never called")


class _UndecoratedMisspelled:
    def camunda_on_respnse(self, event: Any) -> None:  # no decorator: still a hook by its name
        raise AssertionError("never called")


@pytest.mark.parametrize("plugin", [_Misspelled(), _UndecoratedMisspelled()], ids=["decorated", "undecorated"])
def test_a_misspelled_hook_fails_client_construction_naming_plugin_and_hook(plugin: object) -> None:
    from camunda_core.client import CamundaAsyncClient, CamundaClient

    for client_class in (CamundaClient, CamundaAsyncClient):
        with pytest.raises(errors.PluginError) as caught:
            client_class({}, plugins=[plugin], load_entry_points=False, environ={})
        message = str(caught.value)
        wrong = "camunda_on_requets" if isinstance(plugin, _Misspelled) else "camunda_on_respnse"
        right = "camunda_on_request" if isinstance(plugin, _Misspelled) else "camunda_on_response"
        assert type(plugin).__name__ in message and repr(wrong) in message, message
        assert f"did you mean {right!r}" in message, message


def test_an_optional_hook_of_a_missing_distribution_is_accepted() -> None:
    class Optional:
        @hookimpl(optionalhook=True)
        def camunda_something_from_elsewhere(self) -> None: ...

    create_plugin_manager([Optional()], load_entry_points=False)


def test_a_plugin_declares_its_own_hooks_through_camunda_add_hookspecs() -> None:
    from camunda_core.hookspecs import hookspec

    class ThirdPartySpecs:
        @hookspec
        def camunda_thing_happened(self, what: str) -> None: ...

    class Declares:
        @hookimpl
        def camunda_add_hookspecs(self, plugin_manager: Any) -> None:
            plugin_manager.add_hookspecs(ThirdPartySpecs)

    seen: list[str] = []

    class Implements:
        @hookimpl
        def camunda_thing_happened(self, what: str) -> None:
            seen.append(what)

    # The implementer may even come first: specs and implementations meet before the check.
    pm = create_plugin_manager([Implements(), Declares()], load_entry_points=False)
    pm.hook.camunda_thing_happened(what="x")
    assert seen == ["x"]


def test_an_observer_that_raises_is_logged_naming_its_plugin_and_the_call_goes_on() -> None:
    import httpx
    from mock_transport import ScriptedTransport, ok

    from camunda_core.client import CamundaClient

    messages: list[str] = []

    class ListLogger:
        def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
            messages.append(msg % args if args else msg)

        info = warning = error = debug

    calls: list[str] = []

    class Broken:
        @hookimpl
        def camunda_on_request(self, event: Any) -> None:
            raise KeyError("boom")

    class Fine:
        @hookimpl
        def camunda_on_request(self, event: Any) -> None:
            calls.append(event.operation_id)

    transport = ScriptedTransport(ok({"brokers": [], "clusterSize": 1, "partitionsCount": 1, "replicationFactor": 1, "gatewayVersion": "8.9.0", "lastCompletedChangeId": "1"}))
    with CamundaClient(
        {"CAMUNDA_REST_ADDRESS": "http://cluster.test"},
        plugins=[transport, Fine(), Broken()],
        load_entry_points=False,
        environ={},
        logger=ListLogger(),
    ) as client:
        client.runtime.invoke(_topology_as_json())
    assert calls == ["getTopology"]
    [line] = [m for m in messages if "observer hook" in m]
    assert "camunda_on_request" in line and "Broken" in line and "KeyError" in line
    assert isinstance(transport.requests[0], httpx.Request)


def _topology_as_json() -> Any:
    from camunda_core.api import operations

    return operations.get_topology.returning_json()
