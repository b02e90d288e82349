"""Where each setting came from: the explicit dict, the environment, a ``.env`` file or the default.

:func:`explain_configuration` runs the same resolution a client runs
(:func:`~camunda_core.config.resolve.resolve_with_sources`) and reports, per
variable, the value it ended with and its origin. Secrets show as ``***``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from camunda_core.config.model import REDACTED, CamundaConfig
from camunda_core.config.resolve import ResolvedSources, resolve_with_sources
from camunda_core.config.variables import KIND_MILLISECONDS, Variable, variable_for_attribute
from camunda_core.types import Secret

__all__ = ["SettingOrigin", "explain_configuration", "SOURCES"]

#: The values of :attr:`SettingOrigin.source`, highest precedence first.
SOURCES = ("explicit", "environment", ".env", "default")

_PEM_KINDS = ("PEM file", "PEM text")


@attrs.frozen(kw_only=True)
class SettingOrigin:
    """One variable's resolved value and where it came from.

    ``variable`` is the canonical name, ``value`` the resolved value as text
    (secrets ``***``, ``""`` when unset), ``source`` one of :data:`SOURCES`.
    ``detail`` says more when there is more: the ``.env`` file's path, the
    alias actually used (``"via ZEEBE_REST_ADDRESS"``), how a default was
    inferred, or which variable took precedence.
    """

    variable: str
    value: str
    source: str
    detail: str | None = None


def explain_configuration(
    configuration: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    plugins: Sequence[object] = (),
    load_entry_points: bool = True,
    cwd: Path | None = None,
) -> list[SettingOrigin]:
    """Resolve the configuration as ``CamundaClient(configuration)`` would, and say where each value came from.

    One :class:`SettingOrigin` per variable of the table, then per variable
    declared by a plugin (installed entry points unless ``load_entry_points``
    is false, and ``plugins``), in table order; then one per ``CAMUNDA_*``/
    ``ZEEBE_*`` name that is set but unknown (its ``value`` empty, never read;
    its ``detail`` saying "not a known variable" and the nearest known name),
    the names a client reports in a :class:`~camunda_core.config.CamundaConfigWarning`.
    ``environ`` defaults to :data:`os.environ`. Raises :class:`~camunda_core.errors.ConfigurationError`
    when the configuration is invalid, exactly as a client would.
    """
    from camunda_core.plugins import create_plugin_manager, plugin_config_variables

    pm = create_plugin_manager(plugins, load_entry_points=load_entry_points)
    config, sources = resolve_with_sources(
        configuration,
        environ=environ,
        extra_variables=plugin_config_variables(pm),
        cwd=cwd,
        warn=False,  # the unused names become rows instead
    )
    origins = [_origin(variable, config, sources) for variable in sources.variables]
    for unused in sources.unused:
        if unused.name in sources.found or any(unused.name in v.names for v in sources.variables):
            continue  # an ignored variable: it has its row already
        origins.append(
            SettingOrigin(
                variable=unused.name,
                value="",
                source=unused.source,
                detail=_unknown_detail(unused.reason, unused.source, sources),
            )
        )
    return origins


def _unknown_detail(reason: str, source: str, sources: ResolvedSources) -> str:
    if source == ".env" and sources.envfile is not None:
        return f"{sources.envfile}, {reason}"
    return reason


def _origin(variable: Variable, config: CamundaConfig, sources: ResolvedSources) -> SettingOrigin:
    found = sources.found.get(variable.name)
    if found is not None:
        return _given_origin(variable, config, sources, found)
    attribute = variable.attribute
    if attribute is None:  # a plugin's variable, or CAMUNDA_LOAD_ENVFILE
        if variable.name in config.extra:
            return SettingOrigin(
                variable=variable.name,
                value=_render(variable, config.extra[variable.name]),
                source="default",
            )
        return SettingOrigin(variable=variable.name, value="", source="default")
    sibling = next(
        (other for other in variable_for_attribute(attribute) if other.name in sources.found),
        None,
    )
    if sibling is not None:
        # The other form of one TLS setting (_PATH / _STRING) supplies it.
        return SettingOrigin(
            variable=variable.name, value="", source="default", detail=f"not set; {sibling.name} is"
        )
    value = getattr(config, attribute)
    return SettingOrigin(
        variable=variable.name,
        value=_render(variable, value),
        source="default",
        detail=_inferred(attribute, config),
    )


def _given_origin(
    variable: Variable, config: CamundaConfig, sources: ResolvedSources, found: tuple[str, str]
) -> SettingOrigin:
    name_used, source = found
    details: list[str] = []
    if source == ".env" and sources.envfile is not None:
        details.append(str(sources.envfile))
    if name_used != variable.name:
        details.append(f"via {name_used}")
    if variable.name == "CAMUNDA_LOAD_ENVFILE":
        value = "" if config.load_envfile is None else config.load_envfile
    elif variable.ignored:
        value = str(sources.given_values.get(variable.name, ""))
        details.append("ignored: accepted for compatibility with the official SDK")
    else:
        value = _render(variable, sources.given_values.get(variable.name))
        winner = _winner(variable, sources)
        if winner is not None:
            details.append(f"not used: {winner} takes precedence")
    return SettingOrigin(
        variable=variable.name,
        value=value,
        source=source,
        detail=", ".join(details) if details else None,
    )


def _winner(variable: Variable, sources: ResolvedSources) -> str | None:
    """The other variable setting the same attribute from a higher layer, if any."""
    if variable.attribute is None:
        return None
    own_rank = _rank(sources.found[variable.name][1])
    for other in variable_for_attribute(variable.attribute):
        other_found = sources.found.get(other.name)
        if other is not variable and other_found is not None and _rank(other_found[1]) < own_rank:
            return other.name
    return None


def _rank(source: str) -> int:
    return SOURCES.index(source)


def _inferred(attribute: str, config: CamundaConfig) -> str | None:
    if attribute == "auth_strategy" and config.auth_strategy != "NONE":
        return "inferred from the credentials present"
    if attribute == "token_cache" and config.token_cache == "disk":
        return "inferred: CAMUNDA_TOKEN_CACHE_DIR is set"
    return None


def _render(variable: Variable, value: object) -> str:
    """A resolved value as text, as a user would write it; secrets redacted."""
    if value is None:
        return ""
    if variable.secret or isinstance(value, Secret):
        return REDACTED
    if variable.show is not None:
        return variable.show(value)
    if variable.kind in _PEM_KINDS:
        # A file variable shows its path; inline PEM text is long and says little.
        if isinstance(value, str) and "-----BEGIN" in value:
            return f"PEM text ({len(value)} characters)"
        return str(value)
    if variable.kind == KIND_MILLISECONDS and isinstance(value, float):
        return str(round(value * 1000))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
