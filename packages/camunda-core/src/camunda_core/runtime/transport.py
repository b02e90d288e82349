"""Building the httpx clients: timeouts, TLS, the connection pool and the transport.

Timeouts are always explicit (a hung server must not hang the caller
forever). TLS verification is always on; a custom CA and mTLS come from
configuration. The async default transport is aiohttp through httpx-aiohttp,
which measured about 10x faster per call than httpx's own async transport
under concurrency on our benchmark machine (see ``benchmarks/``);
``CAMUNDA_HTTP_TRANSPORT=httpx`` switches back.

Proxies come from ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY``
(and their lower-case forms) by httpx's ``trust_env`` rules, read once when
the client is built. httpx skips them when it is handed a transport, so the
default transport routes by them itself (:func:`environment_proxies`).

The transports never resend a request on their own: retrying is the retry
policy's decision alone (``retry=False`` means one request).
"""

from __future__ import annotations

import functools
import ipaddress
import re
import typing
import urllib.request
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.runtime.tls import TlsSettings

if TYPE_CHECKING:
    from httpx_aiohttp import AiohttpTransport

    from camunda_core.config import CamundaConfig

__all__ = [
    "USER_AGENT",
    "default_timeout",
    "default_limits",
    "default_transport",
    "environment_proxies",
    "ProxyRoutingTransport",
    "AsyncProxyRoutingTransport",
    "long_poll_timeout",
    "LONG_POLL_MARGIN",
    "SERVER_DEFAULT_LONG_POLL",
]

USER_AGENT = "camunda-orchestration-sdk-python/8.9.0"

#: Seconds added to a long poll's duration for the HTTP read timeout.
LONG_POLL_MARGIN = 5.0
#: The server's long-poll duration when the request says 0.
SERVER_DEFAULT_LONG_POLL = 10.0


def default_timeout(config: CamundaConfig) -> httpx.Timeout:
    return httpx.Timeout(
        connect=config.http_connect_timeout,
        read=config.http_read_timeout,
        write=config.http_read_timeout,
        pool=config.http_read_timeout,
    )


def long_poll_timeout(config: CamundaConfig, request_timeout_ms: object) -> httpx.Timeout:
    """A read timeout that outlasts the server's long poll.

    ``requestTimeout`` 0 (or unset) means the server default (~10 s); negative
    disables long polling.
    """
    poll = SERVER_DEFAULT_LONG_POLL
    if isinstance(request_timeout_ms, (int, float)) and not isinstance(request_timeout_ms, bool):
        if request_timeout_ms > 0:
            poll = request_timeout_ms / 1000.0
        elif request_timeout_ms < 0:
            poll = 0.0
    read = max(config.http_read_timeout, poll + LONG_POLL_MARGIN)
    return httpx.Timeout(connect=config.http_connect_timeout, read=read, write=read, pool=read)


def default_limits(config: CamundaConfig) -> httpx.Limits:
    return httpx.Limits(
        max_connections=config.http_max_connections,
        max_keepalive_connections=config.http_max_connections,
        keepalive_expiry=30.0,
    )


def default_transport(
    config: CamundaConfig, *, asynchronous: bool
) -> httpx.BaseTransport | httpx.AsyncBaseTransport:
    """The transport used when no plugin supplies one.

    With proxies in the environment it is a :class:`ProxyRoutingTransport`
    (or the async twin) over one transport per proxy plus a direct one.
    """
    kind = _transport_kind(config, asynchronous=asynchronous)
    verify = TlsSettings.from_config(config).ssl_context()
    limits = default_limits(config)
    direct = _build_transport(kind, verify, limits, None)
    proxies = environment_proxies()
    if not proxies:
        return direct
    by_url: dict[str, Any] = {}
    routes: list[tuple[_UrlPattern, Any]] = []
    for key, proxy_url in proxies.items():
        if proxy_url is None:
            routes.append((_UrlPattern(key), None))
            continue
        if proxy_url not in by_url:
            by_url[proxy_url] = _build_transport(kind, verify, limits, _proxy(kind, key, proxy_url))
        routes.append((_UrlPattern(key), by_url[proxy_url]))
    if kind == "sync":
        return ProxyRoutingTransport(direct, routes)
    return AsyncProxyRoutingTransport(direct, routes)


def _transport_kind(config: CamundaConfig, *, asynchronous: bool) -> str:
    if not asynchronous:
        return "sync"
    choice = config.http_transport
    if choice in ("auto", "aiohttp"):
        try:
            import httpx_aiohttp  # noqa: F401  # pyright: ignore[reportUnusedImport]
        except ImportError as exc:
            if choice == "aiohttp":
                raise ConfigurationError(
                    [
                        ConfigurationProblem(
                            "CAMUNDA_HTTP_TRANSPORT", f"'aiohttp' needs the httpx-aiohttp package ({exc})"
                        )
                    ]
                ) from exc
        else:
            return "aiohttp"
    return "httpx-async"


def _build_transport(kind: str, verify: Any, limits: httpx.Limits, proxy: httpx.Proxy | None) -> Any:
    if kind == "sync":
        return httpx.HTTPTransport(verify=verify, limits=limits, retries=0, proxy=proxy)
    if kind == "aiohttp":
        return _aiohttp_transport_class()(verify=verify, limits=limits, proxy=proxy)
    return httpx.AsyncHTTPTransport(verify=verify, limits=limits, retries=0, proxy=proxy)


def _proxy(kind: str, key: str, url: str) -> httpx.Proxy:
    """An httpx.Proxy for ``url``, or a ConfigurationError naming the variable it came from."""
    scheme = key.split("://", 1)[0]
    variable = f"{scheme.upper()}_PROXY"
    try:
        proxy = httpx.Proxy(url)
    except Exception as exc:
        # The URL may hold proxy credentials: name the problem, not the value.
        raise ConfigurationError(
            [ConfigurationProblem(variable, f"not a usable proxy URL ({type(exc).__name__})")]
        ) from None
    if proxy.url.scheme.startswith("socks"):
        if kind == "aiohttp":
            raise ConfigurationError(
                [
                    ConfigurationProblem(
                        variable,
                        "the aiohttp transport cannot use a SOCKS proxy; set CAMUNDA_HTTP_TRANSPORT=httpx",
                    )
                ]
            )
        try:
            import socksio  # noqa: F401  # pyright: ignore[reportMissingImports, reportUnusedImport]
        except ImportError:
            raise ConfigurationError(
                [ConfigurationProblem(variable, "a SOCKS proxy needs the socksio package (httpx[socks])")]
            ) from None
    return proxy


def environment_proxies(proxies: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """Proxy routes from the environment, by httpx's ``trust_env`` rules.

    ``proxies`` is what :func:`urllib.request.getproxies` returns (the
    environment's ``*_proxy`` variables, lower case winning, or the system
    settings on macOS and Windows). Keys are URL patterns (``http://``,
    ``all://*example.com``); a ``None`` value means "no proxy" (from
    ``NO_PROXY``). ``NO_PROXY=*`` turns proxies off altogether.
    """
    info = urllib.request.getproxies() if proxies is None else proxies
    routes: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        target = info.get(scheme)
        if target:
            routes[f"{scheme}://"] = target if "://" in target else f"http://{target}"
    for host in (entry.strip() for entry in info.get("no", "").split(",")):
        if host == "*":
            return {}
        if not host:
            continue
        if "://" in host:
            routes[host] = None
        elif _is_ip(host, ipaddress.IPv4Address):
            routes[f"all://{host}"] = None
        elif _is_ip(host, ipaddress.IPv6Address):
            routes[f"all://[{host}]"] = None
        elif host.lower() == "localhost":
            routes[f"all://{host}"] = None
        else:
            # "example.com" also covers its subdomains; ".example.com" only them.
            routes[f"all://*{host}"] = None
    return routes


def _is_ip(host: str, kind: type[ipaddress.IPv4Address] | type[ipaddress.IPv6Address]) -> bool:
    try:
        kind(host.split("/")[0])
    except ValueError:
        return False
    return True


class _UrlPattern:
    """A route key as httpx reads mount keys: scheme (``all`` = any), host (``*`` wildcards), port."""

    __slots__ = ("host", "host_regex", "pattern", "port", "scheme")

    def __init__(self, pattern: str) -> None:
        url = httpx.URL(pattern)
        self.pattern = pattern
        self.scheme = "" if url.scheme == "all" else url.scheme
        self.host = "" if url.host == "*" else url.host
        self.port = url.port
        self.host_regex: re.Pattern[str] | None
        if not self.host:
            self.host_regex = None
        elif self.host.startswith("*."):
            self.host_regex = re.compile(f"^.+\\.{re.escape(self.host[2:])}$")
        elif self.host.startswith("*"):
            self.host_regex = re.compile(f"^(.+\\.)?{re.escape(self.host[1:])}$")
        else:
            self.host_regex = re.compile(f"^{re.escape(self.host)}$")

    def matches(self, url: httpx.URL) -> bool:
        if self.scheme and self.scheme != url.scheme:
            return False
        if self.host_regex is not None and not self.host_regex.match(url.host):
            return False
        return self.port is None or self.port == url.port

    @property
    def priority(self) -> tuple[int, int, int]:
        # The most specific route wins: with a port, then the longer host, then a scheme.
        return (0 if self.port is not None else 1, -len(self.host), -len(self.scheme))


T = TypeVar("T")


class _Routes(Generic[T]):
    def __init__(self, direct: T, routes: Sequence[tuple[_UrlPattern, T | None]]) -> None:
        self.direct = direct
        self.routes = sorted(routes, key=lambda route: route[0].priority)
        self.transports: list[T] = [direct]
        for _, transport in self.routes:
            if transport is not None and all(transport is not t for t in self.transports):
                self.transports.append(transport)

    def pick(self, url: httpx.URL) -> T:
        for pattern, transport in self.routes:
            if pattern.matches(url):
                return self.direct if transport is None else transport
        return self.direct


class ProxyRoutingTransport(httpx.BaseTransport):
    """Sends each request through the proxy its URL routes to, or directly."""

    def __init__(
        self, direct: httpx.BaseTransport, routes: Sequence[tuple[_UrlPattern, httpx.BaseTransport | None]]
    ) -> None:
        self._routes = _Routes(direct, routes)

    def transport_for(self, url: httpx.URL) -> httpx.BaseTransport:
        return self._routes.pick(url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._routes.pick(request.url).handle_request(request)

    def close(self) -> None:
        for transport in self._routes.transports:
            transport.close()


class AsyncProxyRoutingTransport(httpx.AsyncBaseTransport):
    """The async :class:`ProxyRoutingTransport`."""

    def __init__(
        self,
        direct: httpx.AsyncBaseTransport,
        routes: Sequence[tuple[_UrlPattern, httpx.AsyncBaseTransport | None]],
    ) -> None:
        self._routes = _Routes(direct, routes)

    def transport_for(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        return self._routes.pick(url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._routes.pick(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._routes.transports:
            await transport.aclose()


@functools.lru_cache(maxsize=1)
def _aiohttp_transport_class() -> type[AiohttpTransport]:
    """httpx-aiohttp's transport, made to send each request once and fail in httpx's terms.

    Built on first use so importing the SDK does not import aiohttp.
    """
    import aiohttp
    import yarl
    from httpx_aiohttp import AiohttpTransport
    from httpx_aiohttp.transport import AiohttpResponseStream, map_aiohttp_exceptions

    class SdkAiohttpTransport(AiohttpTransport):
        def get_client(self) -> aiohttp.ClientSession:
            session = super().get_client()
            # aiohttp resends an idempotent request once, on a new connection,
            # when the first breaks (ClientSession._request). That hid a reset
            # from the retry policy: retry=False still sent a GET twice. There
            # is no public switch; aiohttp's own test client clears this flag.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False  # pyright: ignore[reportAttributeAccessIssue, reportPrivateUsage]
            return session

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            try:
                return await self._send(request)
            except httpx.HTTPError:
                raise
            except aiohttp.ClientError as exc:
                # Not in httpx-aiohttp's map (a bad status line, say): keep it an httpx error.
                raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=request) from exc
            except (ValueError, TypeError) as exc:
                # aiohttp refuses a header value with control characters with a bare
                # ValueError; its text never repeats the value, nor does this one.
                raise httpx.LocalProtocolError(
                    f"aiohttp refused the request ({type(exc).__name__})", request=request
                ) from exc

        async def _send(self, request: httpx.Request) -> httpx.Response:
            # httpx-aiohttp hands aiohttp the URL as text, and yarl then re-quotes it:
            # %3A %40 %3B and the other escaped sub-delimiters in a path value would
            # reach the server decoded. The SDK's URL is already encoded: say so.
            if not isinstance(self.client, aiohttp.ClientSession):
                self.client = self.get_client()
            session = self.client
            timeout: dict[str, float | None] = request.extensions.get("timeout", {})
            try:
                data: bytes | httpx.AsyncByteStream | None = request.content or None
            except httpx.RequestNotRead:
                data = typing.cast(httpx.AsyncByteStream, request.stream)  # a streamed upload
                request.headers.pop("transfer-encoding", None)  # aiohttp frames the body itself
            proxy = self.proxy
            with map_aiohttp_exceptions():
                response = await session.request(
                    method=request.method,
                    url=yarl.URL(str(request.url), encoded=True),
                    headers=request.headers,
                    data=data,
                    allow_redirects=False,
                    auto_decompress=False,
                    compress=False,
                    timeout=aiohttp.ClientTimeout(
                        sock_connect=timeout.get("connect"), sock_read=timeout.get("read"), connect=timeout.get("pool")
                    ),
                    server_hostname=request.extensions.get("sni_hostname"),
                    proxy=str(proxy.url) if proxy else None,
                    proxy_auth=aiohttp.BasicAuth(*proxy.auth) if proxy and proxy.auth else None,
                    proxy_headers=proxy.headers if proxy else None,
                ).__aenter__()
            extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
            if response.reason:
                extensions["reason_phrase"] = response.reason.encode()
            return httpx.Response(
                status_code=response.status,
                headers=response.raw_headers,
                stream=AiohttpResponseStream(response),
                request=request,
                extensions=extensions,
            )

    return SdkAiohttpTransport
