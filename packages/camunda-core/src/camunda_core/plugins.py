"""One pluggy PluginManager per client: built-ins first, then entry points, then explicit plugins.

Pluggy calls later-registered implementations first, so the order of
registration is the order of precedence, lowest first. The built-ins are also
marked ``trylast``, so a plugin's answer wins even over a default that is
registered after it.

Every hook specification is known before the first plugin is registered
(core's, those a client class names, and those plugins add through the
historic ``camunda_add_hookspecs``), so once all are registered the manager
checks every implementation against them, as pytest does: a misspelled hook
fails the client's construction with a message naming plugin and hook.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterable, Sequence
from importlib import metadata
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import pluggy

from camunda_core.errors import ConfigurationError, ConfigurationProblem, PluginError
from camunda_core.hookspecs import PROJECT_NAME, CamundaHookspecs

if TYPE_CHECKING:
    from camunda_core.auth.strategy import AuthStrategy
    from camunda_core.auth.token_cache import TokenCacheFactory
    from camunda_core.config import Variable
    from camunda_core.logging import SdkLogger

__all__ = [
    "ENTRY_POINT_GROUP",
    "HOOK_PREFIX",
    "CamundaPluginManager",
    "create_plugin_manager",
    "notify_observers",
    "auth_strategies",
    "token_cache_factories",
    "plugin_config_variables",
    "require_auth_strategy",
]

#: The entry-point group third-party plugins register under.
ENTRY_POINT_GROUP = PROJECT_NAME
#: Functions named so are hook implementations, decorated or not.
HOOK_PREFIX = "camunda_"

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


class CamundaPluginManager(pluggy.PluginManager):
    """A PluginManager that also takes undecorated ``camunda_*`` functions as hook implementations."""

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(HOOK_PREFIX) and inspect.isroutine(getattr(plugin, name, None)):
            # pluggy fills in the defaults of an empty option set.
            opts = cast("pluggy.HookimplOpts", {})
        return opts


def create_plugin_manager(
    plugins: Sequence[object] = (),
    *,
    load_entry_points: bool = True,
    hookspecs: Sequence[type | ModuleType] = (),
) -> CamundaPluginManager:
    """A fresh PluginManager: built-ins, then entry-point plugins, then ``plugins``; checked.

    ``hookspecs``: further specification classes or modules (a client class's
    own, such as the job-worker hooks), declared before any plugin is registered.
    """
    from camunda_core import defaults
    from camunda_core.auth import builtin

    pm = CamundaPluginManager()
    pm.add_hookspecs(CamundaHookspecs)
    for spec in hookspecs:
        pm.add_hookspecs(spec)
    pm.hook.camunda_add_hookspecs.call_historic(kwargs={"plugin_manager": pm})
    pm.register(builtin, name="camunda_core.auth.builtin")
    pm.register(defaults, name="camunda_core.defaults")
    if load_entry_points:
        for name, plugin in _entry_point_plugins():
            if pm.get_plugin(name) is None and not pm.is_registered(plugin):
                _register(pm, plugin, name)
    for index, plugin in enumerate(plugins):
        if pm.is_registered(plugin):
            continue  # already loaded through its entry point
        _register(pm, plugin, f"explicit:{index}:{_plugin_label(plugin)}")
    check_hook_implementations(pm)
    return pm


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except Exception as exc:
        raise PluginError(f"Could not register plugin {name!r}: {type(exc).__name__}: {exc}") from exc


def check_hook_implementations(pm: pluggy.PluginManager) -> None:
    """Raise PluginError if a plugin implements a hook no specification declares (unless ``optionalhook``)."""
    known = sorted(name for name, caller in vars(pm.hook).items() if caller.spec is not None)
    problems: list[str] = []
    for name, caller in sorted(vars(pm.hook).items()):
        if caller.spec is not None:
            continue
        for impl in caller.get_hookimpls():
            if impl.optionalhook:
                continue
            import difflib  # only on this error path

            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the known hooks are {', '.join(known)}"
            problems.append(f"plugin {impl.plugin_name!r} implements {name!r}, which is not a known hook{hint}")
    if problems:
        raise PluginError("\n".join(problems))


def notify_observers(hook: pluggy.HookCaller, logger: SdkLogger, **kwargs: Any) -> None:
    """Call every implementation of an observer hook; one that raises is logged and skipped.

    The one rule for observer hooks in every distribution: watching must never
    change what is watched (an API call, a job's outcome).
    """
    for impl in reversed(hook.get_hookimpls()):  # pluggy's own order: latest registered first
        try:
            impl.function(*(kwargs[name] for name in impl.argnames))
        except Exception as error:
            logger.error(
                "observer hook %s of plugin %r raised %s: %s (ignored)",
                hook.name,
                impl.plugin_name,
                type(error).__name__,
                error,
            )


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
