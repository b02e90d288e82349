"""The SDK's defaults plugin: the retry policy, logger and HTTP transport, all ``trylast``.

Registered on every client's PluginManager right after the built-in auth
strategies (``camunda_core.auth.builtin``), so any plugin's answer wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from camunda_core.hookspecs import hookimpl

if TYPE_CHECKING:
    import httpx

    from camunda_core.config import CamundaConfig
    from camunda_core.logging import SdkLogger
    from camunda_core.retry.policy import RetryPolicy

__all__: list[str] = []  # a plugin module: pluggy reads its hook implementations


@hookimpl(trylast=True)
def camunda_retry_policy(config: CamundaConfig) -> RetryPolicy | None:
    from camunda_core.retry.policy import DefaultRetryPolicy

    return DefaultRetryPolicy.from_config(config)


@hookimpl(trylast=True)
def camunda_logger(config: CamundaConfig) -> SdkLogger | None:
    from camunda_core.logging import default_logger

    return default_logger(config.log_level)


@hookimpl(trylast=True)
def camunda_http_transport(
    config: CamundaConfig, asynchronous: bool
) -> httpx.BaseTransport | httpx.AsyncBaseTransport | None:
    from camunda_core.runtime.transport import default_transport

    return default_transport(config, asynchronous=asynchronous)
