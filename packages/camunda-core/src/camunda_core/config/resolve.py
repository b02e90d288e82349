"""Resolving configuration: ``.env`` < process environment < explicit dict.

Only names in the variable table (and plugin-declared variables) are looked
up; the environment is never copied or modified, and of the other variables
only the names starting with ``CAMUNDA_``/``ZEEBE_`` are looked at, to report
those that have no effect (:mod:`camunda_core.config.unused`). Every problem is
collected and raised together as one :class:`ConfigurationError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from camunda_core.config.envfile import EnvFileError, read_envfile
from camunda_core.config.model import CamundaConfig
from camunda_core.config.parsers import (
    InvalidValue,
    PemFile,
    parse_envfile_setting,
    path_text,
    unsafe_character,
)
from camunda_core.config.unused import UnusedVariable, find_unused, warn_unused
from camunda_core.config.variables import VARIABLES, Variable
from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.types import Secret

__all__ = ["resolve_config", "resolve_with_sources", "ResolvedSources", "LAYER_SOURCES"]

_ENVFILE = "CAMUNDA_LOAD_ENVFILE"
_LAYER_EXPLICIT, _LAYER_ENVIRON, _LAYER_ENVFILE = 0, 1, 2
_LAYER_NAMES = ("the configuration dict", "the environment", "the .env file")
#: How each layer is named in :class:`ResolvedSources` (and ``explain_configuration``).
LAYER_SOURCES = ("explicit", "environment", ".env")
_SHOWN_VALUE_LIMIT = 80
_ENVFILE_VARIABLE = next(variable for variable in VARIABLES if variable.name == _ENVFILE)


@attrs.frozen
class _Found:
    """Where a variable's raw value came from: the name used and the layer."""

    name: str
    raw: object
    layer: int


def _is_blank(raw: object) -> bool:
    # None (explicit dict) and empty text count as "not set", so a layer can be
    # blanked without removing the name.
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _same_value(variable: Variable, first: object, second: object) -> bool:
    """Whether two raw values of one variable mean the same (``x`` and ``x/v2`` do for an address)."""
    if first == second:
        return True
    if isinstance(first, str) and isinstance(second, str) and first.strip() == second.strip():
        return True
    try:
        return variable.parse(first) == variable.parse(second)
    except InvalidValue:
        return False


def _lookup(variable: Variable, layers: Sequence[Mapping[str, object]]) -> _Found | None:
    for layer_index, layer in enumerate(layers):
        for name in variable.names:
            if name in layer:
                raw = layer[name]
                if not _is_blank(raw):
                    return _Found(name, raw, layer_index)
    return None


def _show(raw: object) -> str:
    text = repr(path_text(raw) or raw)
    if len(text) > _SHOWN_VALUE_LIMIT:
        text = text[: _SHOWN_VALUE_LIMIT - 4] + "...'"
    return text


def _problem_for(variable: Variable, found: _Found, error: InvalidValue) -> ConfigurationProblem:
    message = error.message
    if error.show_value and not variable.secret:
        message += f", got {_show(found.raw)}"
    return ConfigurationProblem(found.name, message)


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    import difflib  # only needed on this error path

    message = "not a known configuration variable"
    matches = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.6)
    if matches:
        message += f"; did you mean {matches[0]!r}?"
    return message


def _check_extra_variables(
    extra_variables: Sequence[Variable], problems: list[ConfigurationProblem]
) -> tuple[Variable, ...]:
    taken = {name for variable in VARIABLES for name in variable.names}
    accepted: list[Variable] = []
    for variable in extra_variables:
        clash = [name for name in variable.names if name in taken]
        if clash:
            problems.append(
                ConfigurationProblem(
                    clash[0], "declared by a plugin, but the name is already in use"
                )
            )
            continue
        if variable.attribute is not None:
            problems.append(
                ConfigurationProblem(
                    variable.name,
                    "a plugin variable cannot set a CamundaConfig attribute; "
                    "leave attribute=None and read config.extra instead",
                )
            )
            continue
        taken.update(variable.names)
        accepted.append(variable)
    return tuple(accepted)


def _check_explicit(
    explicit: Mapping[str, object] | None,
    variables: Sequence[Variable],
    problems: list[ConfigurationProblem],
) -> dict[str, object]:
    if explicit is None:
        return {}
    if not isinstance(explicit, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ConfigurationError(
            [
                ConfigurationProblem(
                    "configuration",
                    f"expected a mapping of variable names to values, got {type(explicit).__name__}",
                )
            ]
        )
    known = [name for variable in variables for name in variable.names]
    known_set = set(known)
    accepted: dict[str, object] = {}
    for key, value in explicit.items():
        if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            problems.append(
                ConfigurationProblem(
                    repr(key), "configuration keys must be variable names (strings)"
                )
            )
        elif key not in known_set:
            problems.append(ConfigurationProblem(key, _did_you_mean(key, known)))
        else:
            accepted[key] = value
    return accepted


def _envfile_layer(
    explicit: Mapping[str, object],
    environ: Mapping[str, str],
    base_dir: Path,
    problems: list[ConfigurationProblem],
) -> tuple[Path | None, Mapping[str, object]]:
    """Which dotenv file to read (explicit dict, then environment) and what it holds."""
    setting_variable = _ENVFILE_VARIABLE
    found = _lookup(setting_variable, (explicit, environ))
    if found is None:
        return None, {}
    try:
        path = parse_envfile_setting(found.raw)
    except InvalidValue as error:
        problems.append(_problem_for(setting_variable, found, error))
        return None, {}
    if path is None:
        return None, {}
    if not path.is_absolute():
        path = base_dir / path
    try:
        return path, read_envfile(path, environ)
    except EnvFileError as error:
        problems.append(ConfigurationProblem(found.name, str(error)))
        return path, {}


def _absolute(path: Path, base_dir: Path) -> Path:
    return path if path.is_absolute() else base_dir / path


def _read_pem_file(
    variable: Variable, found: _Found, pem_file: PemFile, base_dir: Path
) -> str | Secret | ConfigurationProblem:
    path = _absolute(pem_file.path, base_dir)
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError:
        return ConfigurationProblem(found.name, f"'{path}' is not PEM text (is it binary DER?)")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return ConfigurationProblem(found.name, f"cannot read '{path}': {reason}")
    if "-----BEGIN" not in text:
        return ConfigurationProblem(
            found.name, f"'{path}' does not contain PEM text (expected '-----BEGIN')"
        )
    is_secret = variable.attribute == "client_key"
    return Secret(text) if is_secret else text


class _Resolution:
    """The working state of one resolve_config call."""

    def __init__(self, layers: Sequence[Mapping[str, object]], base_dir: Path) -> None:
        self.layers = layers
        self.base_dir = base_dir
        self.problems: list[ConfigurationProblem] = []
        #: attribute -> (variable, where it was found, typed value), for values actually set.
        self.set_values: dict[str, tuple[Variable, _Found, object]] = {}
        #: attributes whose value was given but invalid (skip cross-checks on them).
        self.invalid: set[str] = set()
        #: variable name -> where its raw value was found (given, valid or not).
        self.found: dict[str, _Found] = {}
        #: variable name -> its typed value, for every variable that parsed.
        self.parsed: dict[str, object] = {}

    def lookup(self, variable: Variable) -> _Found | None:
        found = _lookup(variable, self.layers)
        if found is not None:
            self.found[variable.name] = found
        return found

    def parse(self, variable: Variable) -> tuple[_Found, object] | None:
        found = self.lookup(variable)
        if found is None:
            return None
        if self._alias_conflict(variable, found):
            return None
        try:
            value = variable.parse(found.raw)
        except InvalidValue as error:
            self.problems.append(_problem_for(variable, found, error))
            return None
        if isinstance(value, PemFile):
            loaded = _read_pem_file(variable, found, value, self.base_dir)
            if isinstance(loaded, ConfigurationProblem):
                self.problems.append(loaded)
                return None
            # The file's path is what a user wrote and wants to see, not its content.
            self.parsed[variable.name] = _absolute(value.path, self.base_dir)
            return found, loaded
        if isinstance(value, Path):
            value = _absolute(value, self.base_dir)
        self.parsed[variable.name] = value
        return found, value

    def _alias_conflict(self, variable: Variable, found: _Found) -> bool:
        """Report another name of ``variable`` set to a different value in the same layer.

        Across layers precedence decides; within one layer nothing says which
        of two different values was meant, so neither is guessed.
        """
        layer = self.layers[found.layer]
        for other in variable.names:
            if other == found.name or other not in layer or _is_blank(layer[other]):
                continue
            if _same_value(variable, found.raw, layer[other]):
                continue
            if variable.secret:
                values = "different values"
            else:
                values = f"{found.name}={_show(found.raw)}, {other}={_show(layer[other])}"
            self.problems.append(
                ConfigurationProblem(
                    found.name,
                    f"conflicts with {other}, its alias, in {_LAYER_NAMES[found.layer]} ({values}); "
                    "set only one of them, or both to the same value",
                )
            )
            return True
        return False

    def resolve_builtin(self) -> None:
        for variable in VARIABLES:
            attribute = variable.attribute
            if attribute is None or variable.name == _ENVFILE:
                continue
            result = self.parse(variable)
            if result is None:
                if variable.name in self.found:
                    self.invalid.add(attribute)
                continue
            found, value = result
            earlier = self.set_values.get(attribute)
            if earlier is None or found.layer < earlier[1].layer:
                self.set_values[attribute] = (variable, found, value)
            elif found.layer == earlier[1].layer:
                # Both the _PATH and the _STRING form of one TLS setting in one layer.
                self.problems.append(
                    ConfigurationProblem(
                        found.name,
                        f"both {earlier[1].name} and {found.name} are set in "
                        f"{_LAYER_NAMES[found.layer]}; set only one",
                    )
                )
                self.invalid.add(attribute)

    def value(self, attribute: str) -> object:
        entry = self.set_values.get(attribute)
        return None if entry is None else entry[2]

    def given(self, attribute: str) -> bool:
        return attribute in self.set_values or attribute in self.invalid


def _infer_auth_strategy(state: _Resolution) -> str:
    oauth_given = state.given("client_id") or state.given("client_secret")
    basic_given = state.given("basic_auth_username") or state.given("basic_auth_password")
    strategy = state.value("auth_strategy")
    if isinstance(strategy, str):
        inferred_note = ""
    elif state.given("auth_strategy"):
        return "NONE"  # the given name was invalid and is already reported
    elif oauth_given and basic_given:
        state.problems.append(
            ConfigurationProblem(
                "CAMUNDA_AUTH_STRATEGY",
                "credentials for both OAUTH (CAMUNDA_CLIENT_ID/CAMUNDA_CLIENT_SECRET) and BASIC "
                "(CAMUNDA_BASIC_AUTH_USERNAME/CAMUNDA_BASIC_AUTH_PASSWORD) are set; "
                "set CAMUNDA_AUTH_STRATEGY to choose one",
            )
        )
        return "NONE"
    elif oauth_given:
        strategy, inferred_note = "OAUTH", " (inferred from the OAuth credentials present)"
    elif basic_given:
        strategy, inferred_note = "BASIC", " (inferred from the basic-auth credentials present)"
    else:
        return "NONE"

    required = {
        "OAUTH": (("client_id", "CAMUNDA_CLIENT_ID"), ("client_secret", "CAMUNDA_CLIENT_SECRET")),
        "BASIC": (
            ("basic_auth_username", "CAMUNDA_BASIC_AUTH_USERNAME"),
            ("basic_auth_password", "CAMUNDA_BASIC_AUTH_PASSWORD"),
        ),
    }.get(strategy, ())
    for attribute, name in required:
        if not state.given(attribute):
            state.problems.append(
                ConfigurationProblem(
                    name, f"required when CAMUNDA_AUTH_STRATEGY is {strategy}{inferred_note}"
                )
            )
    return strategy


def _choose_token_cache(state: _Resolution) -> str:
    disk_disabled = state.value("token_disk_cache_disable") is True
    chosen = state.value("token_cache")
    if isinstance(chosen, str):
        if chosen == "disk" and disk_disabled:
            state.problems.append(
                ConfigurationProblem(
                    "CAMUNDA_TOKEN_CACHE",
                    "is 'disk' but CAMUNDA_TOKEN_DISK_CACHE_DISABLE is true; change one of them",
                )
            )
        if chosen == "disk" and not state.given("token_cache_dir"):
            state.problems.append(
                ConfigurationProblem(
                    "CAMUNDA_TOKEN_CACHE_DIR", "is required when CAMUNDA_TOKEN_CACHE is 'disk'"
                )
            )
        return chosen
    has_dir = state.value("token_cache_dir") is not None
    return "disk" if has_dir and not disk_disabled else "memory"


def _check_tls(state: _Resolution) -> None:
    has_key = state.given("client_key")
    has_chain = state.given("client_certificate")
    if has_key and not has_chain:
        state.problems.append(
            ConfigurationProblem(
                "CAMUNDA_CUSTOM_CERT_CHAIN_PATH",
                "a client private key is set without a certificate chain; set "
                "CAMUNDA_CUSTOM_CERT_CHAIN_PATH or CAMUNDA_CUSTOM_CERT_CHAIN_STRING",
            )
        )
    if has_chain and not has_key:
        state.problems.append(
            ConfigurationProblem(
                "CAMUNDA_CUSTOM_PRIVATE_KEY_PATH",
                "a client certificate chain is set without its private key; set "
                "CAMUNDA_CUSTOM_PRIVATE_KEY_PATH or CAMUNDA_CUSTOM_PRIVATE_KEY_STRING",
            )
        )
    if state.given("client_key_password") and not has_key:
        state.problems.append(
            ConfigurationProblem(
                "CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD",
                "is set but no private key is (CAMUNDA_CUSTOM_PRIVATE_KEY_PATH or _STRING)",
            )
        )


#: Attributes whose values travel inside an HTTP header (BASIC's Authorization).
#: Other configured text goes into URLs (checked as URLs) or request bodies.
_HEADER_ATTRIBUTES = ("basic_auth_username", "basic_auth_password")


def _check_header_values(state: _Resolution) -> None:
    for attribute in _HEADER_ATTRIBUTES:
        entry = state.set_values.get(attribute)
        if entry is None:
            continue
        _, found, value = entry
        text = value.reveal() if isinstance(value, Secret) else value
        if not isinstance(text, str):
            continue
        bad = unsafe_character(text)
        if bad is not None:
            # Never the value: it may be a password.
            state.problems.append(
                ConfigurationProblem(
                    found.name,
                    f"contains a control character ({bad}), which an HTTP header cannot carry",
                )
            )
        elif attribute == "basic_auth_username" and ":" in text:
            state.problems.append(
                ConfigurationProblem(
                    found.name,
                    "must not contain ':' (Basic auth separates user name and password with it)",
                )
            )


def _check_retry_delays(state: _Resolution) -> None:
    initial = state.value("retry_initial_delay")
    maximum = state.value("retry_max_delay")
    defaults = CamundaConfig()
    initial_s = initial if isinstance(initial, float) else defaults.retry_initial_delay
    maximum_s = maximum if isinstance(maximum, float) else defaults.retry_max_delay
    if state.invalid & {"retry_initial_delay", "retry_max_delay"}:
        return
    if maximum_s < initial_s:
        state.problems.append(
            ConfigurationProblem(
                "CAMUNDA_RETRY_MAX_DELAY_MS",
                f"must not be smaller than CAMUNDA_RETRY_INITIAL_DELAY_MS "
                f"({round(maximum_s * 1000)} < {round(initial_s * 1000)})",
            )
        )


def _resolve_extra(state: _Resolution, variables: Sequence[Variable]) -> dict[str, object]:
    extra: dict[str, object] = {}
    for variable in variables:
        result = state.parse(variable)
        if result is not None:
            value = result[1]
        elif variable.default is not None:
            try:
                value = variable.parse(variable.default)
            except InvalidValue as error:
                state.problems.append(
                    ConfigurationProblem(
                        variable.name, f"the plugin's default is invalid: {error.message}"
                    )
                )
                continue
        else:
            value = None
        if variable.secret and value is not None and not isinstance(value, Secret):
            if not isinstance(value, str):
                state.problems.append(
                    ConfigurationProblem(
                        variable.name, "a secret plugin variable must parse to text"
                    )
                )
                continue
            value = Secret(value)
        extra[variable.name] = value
    return extra


@attrs.frozen
class ResolvedSources:
    """Where each variable's value came from, as one resolution found it.

    ``found`` maps a variable's canonical name to ``(name used, layer)``, where
    the layer is one of :data:`LAYER_SOURCES`; variables left at their default
    are absent. ``variables`` are the variables resolved (the table's, then the
    plugins'); ``envfile`` is the dotenv file read, if any.
    """

    found: Mapping[str, tuple[str, str]]
    variables: tuple[Variable, ...]
    envfile: Path | None
    #: variable name -> its typed value, for each variable that was given.
    given_values: Mapping[str, object]
    #: Names set but without effect: unknown, or accepted for compatibility and ignored.
    unused: tuple[UnusedVariable, ...] = ()


def resolve_config(
    explicit: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    extra_variables: Sequence[Variable] = (),
    cwd: Path | None = None,
) -> CamundaConfig:
    """Resolve the configuration from a dotenv file, the environment and ``explicit``.

    Precedence, highest first: ``explicit`` (keys are variable names; values
    may be text or already typed), ``environ`` (default :data:`os.environ`),
    then the file named by ``CAMUNDA_LOAD_ENVFILE``. Within one layer a
    canonical name and its aliases must not disagree. ``extra_variables`` are
    plugin-declared variables, returned in ``config.extra``. Relative paths are
    taken relative to ``cwd`` (default: the current directory).

    Names that have no effect (``CAMUNDA_*``/``ZEEBE_*`` variables in the
    environment or ``.env`` file that nothing reads, ignored compatibility
    names) are listed in one :class:`~camunda_core.config.CamundaConfigWarning`.

    Raises :class:`ConfigurationError` listing every problem found.
    """
    return resolve_with_sources(
        explicit, environ=environ, extra_variables=extra_variables, cwd=cwd
    )[0]


def resolve_with_sources(
    explicit: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    extra_variables: Sequence[Variable] = (),
    cwd: Path | None = None,
    warn: bool = True,
) -> tuple[CamundaConfig, ResolvedSources]:
    """:func:`resolve_config`, also saying where each value came from (one code path for both).

    ``warn=False`` leaves the names without effect in ``sources.unused`` instead
    of warning about them (for tools that show them otherwise).
    """
    environment: Mapping[str, str] = os.environ if environ is None else environ
    base_dir = Path.cwd() if cwd is None else Path(cwd)
    problems: list[ConfigurationProblem] = []

    plugin_variables = _check_extra_variables(extra_variables, problems)
    explicit_layer = _check_explicit(explicit, (*VARIABLES, *plugin_variables), problems)
    envfile_path, envfile_layer = _envfile_layer(explicit_layer, environment, base_dir, problems)

    state = _Resolution((explicit_layer, environment, envfile_layer), base_dir)
    state.problems = problems
    envfile_setting = _lookup(_ENVFILE_VARIABLE, (explicit_layer, environment))
    if envfile_setting is not None:
        state.found[_ENVFILE] = envfile_setting
    state.resolve_builtin()
    extra = _resolve_extra(state, plugin_variables)
    all_variables = (*VARIABLES, *plugin_variables)
    for variable in all_variables:
        found = state.lookup(variable) if variable.ignored else None
        if found is not None:
            # Never parsed (nothing uses it); shown as given.
            state.parsed[variable.name] = str(found.raw).strip()
    unused = find_unused(
        [
            (LAYER_SOURCES[_LAYER_EXPLICIT], explicit_layer),
            (LAYER_SOURCES[_LAYER_ENVIRON], environment),
            (LAYER_SOURCES[_LAYER_ENVFILE], envfile_layer),
        ],
        all_variables,
    )

    values: dict[str, Any] = {attribute: entry[2] for attribute, entry in state.set_values.items()}
    values["auth_strategy"] = _infer_auth_strategy(state)
    values["token_cache"] = _choose_token_cache(state)
    _check_tls(state)
    _check_header_values(state)
    _check_retry_delays(state)
    values["log_level_explicit"] = state.given("log_level")
    values["load_envfile"] = None if envfile_path is None else str(envfile_path)
    values["extra"] = extra

    if warn:
        # Before any error: a misspelt name is often why a required one is missing.
        warn_unused(unused, None if envfile_path is None else str(envfile_path))
    if state.problems:
        raise ConfigurationError(state.problems)
    sources = ResolvedSources(
        found={
            name: (found.name, LAYER_SOURCES[found.layer]) for name, found in state.found.items()
        },
        variables=all_variables,
        envfile=envfile_path,
        given_values=dict(state.parsed),
        unused=tuple(unused),
    )
    return CamundaConfig(**values), sources
