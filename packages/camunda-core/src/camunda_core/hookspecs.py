"""The hooks a plugin implements to extend the SDK.

A plugin is any object or module with functions decorated by :data:`hookimpl`.
Plugins are found through the entry-point group ``camunda_orchestration_sdk``
(loaded lazily, when a client is first built) or passed explicitly with
``CamundaClient(plugins=[...])``. Each client has its own ``PluginManager``;
the SDK's built-ins are registered first and marked ``trylast``, so a plugin's
answer always wins over a default.

Five kinds of hook:

* **historic** - ``camunda_add_hookspecs`` is called once for every plugin,
  whenever it is registered, so that a plugin can declare hooks of its own
  before anyone implements them (pytest's ``pytest_addhooks``).
* **firstresult** - the first non-``None`` answer is used (plugins registered
  later are asked first; built-ins last).
* **collecting** - every plugin's answer is gathered (registries of named
  strategies and caches, extra configuration variables).
* **observer** - every plugin is called; return values are ignored. An
  observer that raises is logged (naming the plugin) and the others are still
  called: watching a call must never break it.
* **editor** - like an observer (every plugin is called, one that raises is
  logged and skipped), but it may change the object it is given
  (``camunda_edit_request``: headers and the JSON body of a request).

A function whose name starts with ``camunda_`` is taken as a hook
implementation even without the decorator (as pytest does with
``pytest_``), and a client refuses, when it is built, any implementation of
a hook that no specification declares: a misspelled hook is an error, not a
silently ignored function.

See ``docs/plugins.md`` for a walk-through of writing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import httpx

    from camunda_core.auth.strategy import AuthStrategy
    from camunda_core.auth.token_cache import TokenCacheFactory
    from camunda_core.config import CamundaConfig, Variable
    from camunda_core.logging import SdkLogger
    from camunda_core.retry.policy import RetryPolicy
    from camunda_core.runtime.events import RequestEvent, ResponseEvent
    from camunda_core.runtime.outgoing import OutgoingRequest

__all__ = ["PROJECT_NAME", "hookspec", "hookimpl", "CamundaHookspecs"]

#: The pluggy project name, which is also the entry-point group.
PROJECT_NAME = "camunda_orchestration_sdk"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class CamundaHookspecs:
    """Hook specifications of ``camunda_core``."""

    @hookspec(historic=True)
    def camunda_add_hookspecs(self, plugin_manager: pluggy.PluginManager) -> None:
        """**historic** - declare further hook specifications on ``plugin_manager``.

        Called for each plugin when it is registered. Call
        ``plugin_manager.add_hookspecs(MySpecs)`` here; the client checks
        every implementation against the specifications once all plugins
        are registered. ``camunda_workers`` declares its job hooks this way.
        """

    @hookspec
    def camunda_auth_strategies(self) -> Sequence[AuthStrategy]:
        """**collecting** - auth strategies this plugin provides, by name.

        The client picks the one named by ``CAMUNDA_AUTH_STRATEGY`` (or the
        inferred one). NONE and BASIC are built in; ``camunda-auth-oauth``
        adds OAUTH. When two plugins offer the same name, the one registered
        later wins (explicit ``plugins=[...]`` beat entry points, which beat
        built-ins).
        """
        raise NotImplementedError

    @hookspec
    def camunda_token_caches(self) -> Sequence[TokenCacheFactory]:
        """**collecting** - token caches this plugin provides, by name.

        Selected with ``CAMUNDA_TOKEN_CACHE``. Same precedence as auth strategies.
        """
        raise NotImplementedError

    @hookspec
    def camunda_config_variables(self) -> Sequence[Variable]:
        """**collecting** - extra configuration variables this plugin understands.

        They are resolved like the built-in ones (``.env`` < environment <
        explicit dict), validated, and exposed as ``config.extra[NAME]``.
        Declaring them also stops the "unknown key" check from rejecting them.
        """
        raise NotImplementedError

    @hookspec(firstresult=True)
    def camunda_retry_policy(self, config: CamundaConfig) -> RetryPolicy | None:
        """**firstresult** - the retry policy for every call of this client.

        The default is :class:`camunda_core.retry.DefaultRetryPolicy`
        built from the ``CAMUNDA_RETRY_*`` variables.
        """
        raise NotImplementedError

    @hookspec(firstresult=True)
    def camunda_logger(self, config: CamundaConfig) -> SdkLogger | None:
        """**firstresult** - the logger the SDK writes to.

        An explicit ``logger=`` argument to the client takes precedence over
        every plugin. The default is loguru's logger, bound to the SDK.
        """
        raise NotImplementedError

    @hookspec(firstresult=True)
    def camunda_http_transport(
        self, config: CamundaConfig, asynchronous: bool
    ) -> httpx.BaseTransport | httpx.AsyncBaseTransport | None:
        """**firstresult** - the httpx transport to send requests through.

        Called once per client with ``asynchronous`` telling which kind is
        wanted. Return ``None`` to let the next plugin (finally the default)
        decide. Custom TLS and timeouts are applied by the SDK around it.
        """
        raise NotImplementedError

    @hookspec
    def camunda_edit_request(self, request: OutgoingRequest) -> None:
        """**editor** - called as each attempt's request is built, before it is sent.

        ``request`` (:class:`~camunda_core.runtime.outgoing.OutgoingRequest`) names the
        operation, method, URL and URL template; add headers to ``request.headers`` and
        replace the JSON body with ``request.replace_json_body(...)``; hear how this
        attempt ended with ``request.on_answer(callback)``. The edits reach the
        ``camunda_on_request`` observers, the auth strategy and the wire. Runs on
        the request path for every attempt (a retry is built anew): keep it fast. When
        no plugin implements it, it costs one attribute check per attempt.
        """

    @hookspec
    def camunda_on_request(self, event: RequestEvent) -> None:
        """**observer** - called before every attempt is sent.

        ``event`` carries the operation id, method, URL, attempt number and
        the headers the SDK built (credentials are added later by the auth
        strategy, and any secret-bearing header is shown as ``***``). Must
        not block.
        """

    @hookspec
    def camunda_on_response(self, event: ResponseEvent) -> None:
        """**observer** - called after every attempt, with its status or error and duration."""
