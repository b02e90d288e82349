"""One pluggy PluginManager per client: built-ins first, then entry points, then explicit plugins.

Pluggy calls later-registered implementations first, so the order of
registration is the order of precedence, lowest first. The built-ins are also
marked ``trylast``, so a plugin's answer wins even over a default that is
registered after it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pluggy

from camunda_core.errors import ConfigurationError, ConfigurationProblem, PluginError
from camunda_core.hookspecs import PROJECT_NAME, CamundaHookspecs

if TYPE_CHECKING:
    from camunda_core.auth.strategy import AuthStrategy
    from camunda_core.auth.token_cache import TokenCacheFactory
    from camunda_core.config import Variable

__all__ = [
    "ENTRY_POINT_GROUP",
    "create_plugin_manager",
    "auth_strategies",
    "token_cache_factories",
    "plugin_config_variables",
    "require_auth_strategy",
]

#: The entry-point group third-party plugins register under.
ENTRY_POINT_GROUP = PROJECT_NAME

# Packages known to provide a strategy, for the "install X" hint.
_KNOWN_STRATEGY_PACKAGES = {"OAUTH": "camunda-auth-oauth"}

_entry_point_lock = threading.Lock()
_entry_point_cache: list[tuple[str, object]] | None = None


def _entry_point_plugins() -> list[tuple[str, object]]:
    """Load the entry points once per process (lazily: only when a client is built)."""
    global _entry_point_cache
    with _entry_point_lock:
        if _entry_point_cache is None:
            loaded: list[tuple[str, object]] = []
            for entry_point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
                try:
                    loaded.append((f"entrypoint:{entry_point.name}", entry_point.load()))
                except Exception as exc:  # a broken plugin must say so, not crash obscurely
                    raise PluginError(
                        f"Could not load Camunda SDK plugin {entry_point.name!r} ({entry_point.value}): "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
            _entry_point_cache = loaded
        return list(_entry_point_cache)


def create_plugin_manager(
    plugins: Sequence[object] = (), *, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A fresh PluginManager: built-ins, then entry-point plugins, then ``plugins``."""
    from camunda_core.auth import builtin

    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(CamundaHookspecs)
    pm.register(builtin, name="camunda_core.builtin")
    if load_entry_points:
        for name, plugin in _entry_point_plugins():
            if pm.get_plugin(name) is None and not pm.is_registered(plugin):
                pm.register(plugin, name=name)
    for index, plugin in enumerate(plugins):
        if pm.is_registered(plugin):
            continue  # already loaded through its entry point
        try:
            pm.register(plugin, name=f"explicit:{index}:{_plugin_label(plugin)}")
        except Exception as exc:
            raise PluginError(f"Could not register plugin {_plugin_label(plugin)}: {exc}") from exc
    return pm


def _plugin_label(plugin: object) -> str:
    return getattr(plugin, "__name__", None) or type(plugin).__name__


def _collect(results: Iterable[Sequence[Any] | None]) -> list[Any]:
    # Hook results come highest precedence first; keep the first of each name.
    collected: list[Any] = []
    for result in results:
        if result:
            collected.extend(result)
    return collected


def auth_strategies(pm: pluggy.PluginManager) -> dict[str, AuthStrategy]:
    strategies: dict[str, AuthStrategy] = {}
    for strategy in _collect(pm.hook.camunda_auth_strategies()):
        strategies.setdefault(strategy.name.upper(), strategy)
    return strategies


def token_cache_factories(pm: pluggy.PluginManager) -> dict[str, TokenCacheFactory]:
    factories: dict[str, TokenCacheFactory] = {}
    for factory in _collect(pm.hook.camunda_token_caches()):
        factories.setdefault(factory.name.lower(), factory)
    return factories


def plugin_config_variables(pm: pluggy.PluginManager) -> list[Variable]:
    seen: set[str] = set()
    variables: list[Variable] = []
    for variable in _collect(pm.hook.camunda_config_variables()):
        if variable.name not in seen:
            seen.add(variable.name)
            variables.append(variable)
    return variables


def require_auth_strategy(pm: pluggy.PluginManager, name: str) -> AuthStrategy:
    """The registered strategy called ``name``, or a ConfigurationError that says what to do."""
    strategies = auth_strategies(pm)
    strategy = strategies.get(name.upper())
    if strategy is not None:
        return strategy
    known = ", ".join(sorted(strategies)) or "none"
    package = _KNOWN_STRATEGY_PACKAGES.get(name.upper())
    if package:
        message = (
            f"auth strategy {name!r} needs the {package!r} package, which is not installed "
            f"(pip install {package}, or install camunda-orchestration-sdk). Available: {known}."
        )
    else:
        message = f"unknown auth strategy {name!r}. Available: {known}. A plugin can add more."
    raise ConfigurationError([ConfigurationProblem("CAMUNDA_AUTH_STRATEGY", message)])
