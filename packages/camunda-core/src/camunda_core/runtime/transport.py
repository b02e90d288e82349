"""Building the httpx clients: timeouts, TLS, the connection pool and the transport.

Timeouts are always explicit (a hung server must not hang the caller
forever). TLS verification is always on; a custom CA and mTLS come from
configuration. The async default transport is aiohttp through httpx-aiohttp,
which measured about 10x faster per call than httpx's own async transport
under concurrency on our benchmark machine (see ``benchmarks/``);
``CAMUNDA_HTTP_TRANSPORT=httpx`` switches back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.runtime.tls import TlsSettings

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig

__all__ = [
    "USER_AGENT",
    "default_timeout",
    "default_limits",
    "default_transport",
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
    """The transport used when no plugin supplies one."""
    verify = TlsSettings.from_config(config).ssl_context()
    limits = default_limits(config)
    if not asynchronous:
        return httpx.HTTPTransport(verify=verify, limits=limits, retries=0)
    choice = config.http_transport
    if choice in ("auto", "aiohttp"):
        try:
            from httpx_aiohttp import AiohttpTransport
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
            return AiohttpTransport(verify=verify, limits=limits)
    return httpx.AsyncHTTPTransport(verify=verify, limits=limits, retries=0)
