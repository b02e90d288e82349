"""API calls honour HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY as token requests do.

A loopback "proxy" records the request lines it receives (absolute-form, as a
client talks to a forward proxy) and answers itself; the API server answers
differently, so each response also says which way the request went.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import core_ops as ops
import httpx
import pytest
from mock_transport import ScriptedTransport, ok

from camunda_core import errors
from camunda_core.runtime.async_client import AsyncClientRuntime
from camunda_core.runtime.sync_client import SyncClientRuntime
from camunda_core.runtime.transport import environment_proxies

TRANSPORTS = ["sync", "httpx", "aiohttp"]
PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"]


class RecordingServer:
    """A threaded HTTP server on 127.0.0.1 answering ``{"via": name}`` and recording request lines."""

    def __init__(self, name: str) -> None:
        self.request_lines: list[str] = []
        lines = self.request_lines
        payload = json.dumps({"via": name}).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                lines.append(self.requestline)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def api() -> Iterator[RecordingServer]:
    server = RecordingServer("direct")
    yield server
    server.close()


@pytest.fixture
def proxy() -> Iterator[RecordingServer]:
    server = RecordingServer("proxy")
    yield server
    server.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy variables from the machine running the tests, in either case."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)  # urllib ignores HTTP_PROXY under CGI
    return monkeypatch


def _get(kind: str, address: str, plugins: list[Any] | None = None) -> Any:
    settings = {"CAMUNDA_REST_ADDRESS": address, "CAMUNDA_RETRY_MAX_ATTEMPTS": "1"}
    if kind == "sync":
        with SyncClientRuntime(settings, plugins=plugins or [], load_entry_points=False, environ={}) as client:
            return client.runtime.invoke(ops.get_thing, path={"thingKey": "1"})

    async def run() -> Any:
        async with AsyncClientRuntime(
            {**settings, "CAMUNDA_HTTP_TRANSPORT": kind}, plugins=plugins or [], load_entry_points=False, environ={}
        ) as client:
            return await client.runtime.ainvoke(ops.get_thing, path={"thingKey": "1"})

    return asyncio.run(run())


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_api_calls_go_through_the_proxy_from_the_environment(
    kind: str, variable: str, api: RecordingServer, proxy: RecordingServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv(variable, proxy.url)
    assert _get(kind, api.url) == {"via": "proxy"}
    assert proxy.request_lines == [f"GET {api.url}/v2/things/1 HTTP/1.1"]
    assert api.request_lines == []


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*", "NO_PROXY=http://127.0.0.1"])
def test_no_proxy_matching_the_host_bypasses_the_proxy(
    kind: str, no_proxy: str, api: RecordingServer, proxy: RecordingServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", proxy.url)
    if no_proxy.startswith("NO_PROXY="):
        # A full-URL entry routes only that scheme, host and port.
        no_proxy = f"http://127.0.0.1:{api.port}"
    clean_env.setenv("NO_PROXY", no_proxy)
    assert _get(kind, api.url) == {"via": "direct"}
    assert proxy.request_lines == []
    assert api.request_lines == ["GET /v2/things/1 HTTP/1.1"]


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_no_proxy_entry_for_another_host_keeps_the_proxy(
    kind: str, api: RecordingServer, proxy: RecordingServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", proxy.url)
    clean_env.setenv("NO_PROXY", "example.com,10.0.0.1")
    assert _get(kind, api.url) == {"via": "proxy"}


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_an_https_proxy_is_not_used_for_http_addresses(
    kind: str, api: RecordingServer, proxy: RecordingServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTPS_PROXY", proxy.url)
    assert _get(kind, api.url) == {"via": "direct"}
    assert proxy.request_lines == []


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_without_proxy_variables_calls_go_direct(
    kind: str, api: RecordingServer, proxy: RecordingServer, clean_env: pytest.MonkeyPatch
) -> None:
    assert _get(kind, api.url) == {"via": "direct"}
    assert proxy.request_lines == []


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_transport_plugin_is_not_bypassed_by_environment_proxies(
    kind: str, proxy: RecordingServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", proxy.url)
    scripted = ScriptedTransport(ok({"via": "plugin"}))
    assert _get(kind, "http://cluster.test", plugins=[scripted]) == {"via": "plugin"}
    assert proxy.request_lines == []
    assert len(scripted.requests) == 1


def test_a_socks_proxy_with_the_aiohttp_transport_is_a_configuration_error(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ALL_PROXY", "socks5://user:hunter2@127.0.0.1:1080")
    with pytest.raises(errors.ConfigurationError) as caught:
        _get("aiohttp", "http://127.0.0.1:9")
    assert caught.value.variables == ("ALL_PROXY",)
    assert "CAMUNDA_HTTP_TRANSPORT=httpx" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_an_unusable_proxy_url_names_the_variable_not_the_value(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTPS_PROXY", "ftp://user:hunter2@proxy.test:21")
    with pytest.raises(errors.ConfigurationError) as caught:
        _get("sync", "http://127.0.0.1:9")
    assert caught.value.variables == ("HTTPS_PROXY",)
    assert "hunter2" not in str(caught.value)


# -- the routing rules (httpx's trust_env rules) ----------------------------------------------


def test_environment_proxies_follow_httpx_rules() -> None:
    routes = environment_proxies(
        {
            "http": "proxy.test:3128",
            "https": "http://secure-proxy.test:3128",
            "all": "socks5://all.test:1080",
            "no": "localhost, 10.1.2.3,::1,.internal.test,example.com,https://only.test:8443",
        }
    )
    assert routes == {
        "http://": "http://proxy.test:3128",
        "https://": "http://secure-proxy.test:3128",
        "all://": "socks5://all.test:1080",
        "all://localhost": None,
        "all://10.1.2.3": None,
        "all://[::1]": None,
        "all://*.internal.test": None,
        "all://*example.com": None,
        "https://only.test:8443": None,
    }
    assert environment_proxies({"http": "proxy.test:3128", "no": "a.test,*"}) == {}
    assert environment_proxies({}) == {}


@pytest.mark.parametrize(
    ("no_proxy", "url", "proxied"),
    [
        ("example.com", "http://example.com/v2", False),
        ("example.com", "http://www.example.com/v2", False),
        ("example.com", "http://wwwexample.com/v2", True),
        (".example.com", "http://example.com/v2", True),
        (".example.com", "http://api.example.com/v2", False),
        ("http://example.com:8080", "http://example.com:8080/v2", False),
        ("http://example.com:8080", "http://example.com:9090/v2", True),
    ],
)
def test_no_proxy_host_matching(no_proxy: str, url: str, proxied: bool) -> None:
    from camunda_core.runtime.transport import ProxyRoutingTransport, _UrlPattern

    direct = httpx.MockTransport(lambda _r: httpx.Response(200))
    via_proxy = httpx.MockTransport(lambda _r: httpx.Response(200))
    routes = environment_proxies({"all": "http://proxy.test:3128", "no": no_proxy})
    router = ProxyRoutingTransport(
        direct, [(_UrlPattern(key), None if target is None else via_proxy) for key, target in routes.items()]
    )
    assert (router.transport_for(httpx.URL(url)) is via_proxy) is proxied
