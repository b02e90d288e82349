"""The resolved, frozen configuration object."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from camunda_core.config.parsers import InvalidValue, parse_name_list, parse_rest_address
from camunda_core.config.variables import KIND_MILLISECONDS, VARIABLES, variable_for_attribute
from camunda_core.errors import ConfigurationError, ConfigurationProblem
from camunda_core.types import Secret

__all__ = ["CamundaConfig", "REDACTED"]

#: What a secret looks like in a repr, :meth:`CamundaConfig.redacted` and logs.
REDACTED = "***"


def _default(attribute: str) -> Any:
    """The typed default of ``attribute``, taken from the variable table."""
    for variable in variable_for_attribute(attribute):
        if variable.default is not None:
            return variable.parse(variable.default)
    return None


def _empty_extra() -> Mapping[str, object]:
    return {}


def _frozen_extra(values: Mapping[str, object]) -> Mapping[str, object]:
    # A plain dict copy (picklable, unlike MappingProxyType) that callers cannot
    # reach through the original mapping.
    return dict(values)


@attrs.frozen(kw_only=True, repr=False)
class CamundaConfig:
    """The SDK's configuration, resolved and validated.

    Build one with :func:`camunda_core.config.resolve_config`; derive a variant
    with :meth:`with_overrides`. Durations are in seconds, except the worker
    defaults, which keep the milliseconds the job API uses.
    """

    rest_address: str = _default("rest_address")
    auth_strategy: str = "NONE"
    client_id: str | None = None
    client_secret: Secret | None = None
    oauth_url: str = _default("oauth_url")
    token_audience: str = _default("token_audience")
    oauth_scope: str | None = None
    oauth_timeout: float = _default("oauth_timeout")
    basic_auth_username: str | None = None
    basic_auth_password: Secret | None = None
    tenant_id: str | None = None
    #: CAMUNDA_TENANT_IDS as given; :attr:`job_tenant_ids` is what job activation uses.
    tenant_ids: tuple[str, ...] | None = None
    log_level: str = _default("log_level")
    log_level_explicit: bool = False
    token_cache: str = "memory"
    token_cache_dir: Path | None = None
    token_disk_cache_disable: bool = _default("token_disk_cache_disable")
    ca_certificate: str | None = None
    client_certificate: str | None = None
    client_key: Secret | None = None
    client_key_password: Secret | None = None
    http_connect_timeout: float = _default("http_connect_timeout")
    http_read_timeout: float = _default("http_read_timeout")
    http_request_timeout: float = _default("http_request_timeout")
    http_max_connections: int = _default("http_max_connections")
    http_transport: str = _default("http_transport")
    http_max_error_body_bytes: int = _default("http_max_error_body_bytes")
    retry_max_attempts: int = _default("retry_max_attempts")
    retry_initial_delay: float = _default("retry_initial_delay")
    retry_max_delay: float = _default("retry_max_delay")
    retry_deadline: float = _default("retry_deadline")
    backpressure_adaptive: bool = _default("backpressure_adaptive")
    max_concurrent_requests: int = _default("max_concurrent_requests")
    worker_timeout_ms: int | None = None
    worker_max_concurrent_jobs: int = _default("worker_max_concurrent_jobs")
    worker_request_timeout_ms: int = _default("worker_request_timeout_ms")
    worker_name: str = _default("worker_name")
    load_envfile: str | None = None
    #: Values of plugin-declared variables, by variable name.
    extra: Mapping[str, object] = attrs.field(
        factory=_empty_extra, converter=_frozen_extra, hash=False
    )

    @property
    def job_tenant_ids(self) -> tuple[str, ...] | None:
        """The tenants job activation asks for when a call or worker names none.

        ``CAMUNDA_TENANT_IDS``, else ``CAMUNDA_TENANT_ID`` alone, else ``None``
        (the request carries no ``tenantIds`` and the server decides).
        """
        if self.tenant_ids:
            return self.tenant_ids
        if self.tenant_id:
            return (self.tenant_id,)
        return None

    def redacted(self) -> dict[str, object]:
        """Every setting by variable name, secrets replaced by ``"***"``.

        Safe to log. Durations are shown in the unit of their variable
        (milliseconds for ``_MS`` variables). A TLS setting appears once, under
        its ``_STRING`` name, whichever variable supplied it.
        """
        shown: dict[str, object] = {}
        seen: set[str] = set()
        # Inline (_STRING) variables come after _PATH in the table; walk backwards
        # per attribute so the inline name is the one shown.
        for variable in VARIABLES:
            attribute = variable.attribute
            if attribute is None or attribute in seen:
                continue
            seen.add(attribute)
            name = variable_for_attribute(attribute)[-1].name
            value: object = getattr(self, attribute)
            if variable.kind == KIND_MILLISECONDS and isinstance(value, float):
                value = round(value * 1000)
            shown[name] = _redact(
                value, secret=any(v.secret for v in variable_for_attribute(attribute))
            )
        for name, value in self.extra.items():
            shown[name] = _redact(value, secret=False)
        return shown

    def with_overrides(self, **changes: object) -> CamundaConfig:
        """A copy with some attributes replaced (by attribute name, in attribute units).

        Plain strings given for secret attributes are wrapped in :class:`Secret`;
        ``rest_address`` is normalised and ``tenant_ids`` (a list, or comma-separated
        text) checked as during resolution.
        """
        field_names = [field.name for field in attrs.fields(CamundaConfig)]
        problems: list[ConfigurationProblem] = []
        prepared: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in field_names:
                problems.append(
                    ConfigurationProblem(name, _unknown_attribute_message(name, field_names))
                )
                continue
            secret = any(v.secret for v in variable_for_attribute(name))
            if secret and isinstance(value, str):
                value = Secret(value)
            if name == "rest_address" or (name == "tenant_ids" and value is not None):
                parse = parse_rest_address if name == "rest_address" else parse_name_list
                try:
                    value = parse(value)
                except InvalidValue as error:
                    problems.append(ConfigurationProblem(name, f"{error.message}, got {value!r}"))
                    continue
            prepared[name] = value
        if problems:
            raise ConfigurationError(problems)
        return attrs.evolve(self, **prepared)

    def __repr__(self) -> str:
        parts: list[str] = []
        for field in attrs.fields(CamundaConfig):
            value: object = getattr(self, field.name)
            if field.name == "extra":
                shown = {name: _redact(item, secret=False) for name, item in self.extra.items()}
                parts.append(f"extra={shown!r}")
                continue
            secret = any(v.secret for v in variable_for_attribute(field.name))
            parts.append(f"{field.name}={_redact(value, secret=secret)!r}")
        return f"CamundaConfig({', '.join(parts)})"


def _redact(value: object, *, secret: bool) -> object:
    if value is None:
        return None
    if secret or isinstance(value, Secret):
        return REDACTED
    return value


def _unknown_attribute_message(name: str, known: list[str]) -> str:
    import difflib  # only needed on this error path

    message = "not a CamundaConfig attribute"
    matches = difflib.get_close_matches(name, known, n=1)
    if matches:
        message += f"; did you mean {matches[0]!r}?"
    return message
