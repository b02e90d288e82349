"""The configuration variable table: the single source of truth.

Every ``CAMUNDA_*`` / ``ZEEBE_*`` variable the SDK understands is one
:class:`Variable` row in :data:`VARIABLES`. The table drives resolution
(names, aliases, parsing, defaults), redaction of secrets in ``repr`` and
:meth:`CamundaConfig.redacted`, and the reference table in the README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import cast

import attrs

from camunda_core.config import parsers as p

__all__ = ["Variable", "VARIABLES", "variable_for_attribute", "KIND_MILLISECONDS"]

#: The ``kind`` of variables given in milliseconds and exposed in seconds.
KIND_MILLISECONDS = "milliseconds"


def _as_tuple(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


@attrs.frozen(kw_only=True)
class Variable:
    """One configuration variable.

    ``attribute`` names the :class:`CamundaConfig` attribute the variable sets;
    plugin variables leave it ``None`` and appear in ``config.extra[name]``.
    ``default`` is written as a user would write the value (milliseconds for
    a ``_MS`` variable) and goes through ``parse`` like any other value;
    ``None`` means no default. ``doc_default`` overrides how the default is
    shown in the reference table (for computed defaults). ``show`` renders a
    resolved value for :func:`~camunda_core.config.explain_configuration`
    when ``str`` would not read as the user wrote it. An ``ignored`` variable
    is a name another SDK documents and this one accepts but does not use:
    setting it is not an error, it is reported in a :class:`CamundaConfigWarning`.
    """

    name: str
    description: str
    attribute: str | None = None
    parse: p.Parser = p.parse_str
    #: Short human name of the value's type, shown in the reference table.
    kind: str = "string"
    default: object = None
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_as_tuple)
    #: The value is never shown in a repr, log line or error message.
    secret: bool = False
    doc_default: str | None = None
    show: Callable[[object], str] | None = None
    ignored: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name first, then the aliases (the order used within one layer)."""
        return (self.name, *self.aliases)

    def default_text(self) -> str:
        """The default as shown in the reference table."""
        if self.doc_default is not None:
            return self.doc_default
        if self.default is None:
            return "—"
        if isinstance(self.default, bool):
            return "`true`" if self.default else "`false`"
        return f"`{self.default}`"


def _show_names(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(str(item) for item in cast("tuple[object, ...]", value))
    return str(value)


def _show_profile(value: object) -> str:
    return "BALANCED" if value is True else "LEGACY"


_POSITIVE = p.integer(minimum=1)
_NON_NEGATIVE = p.integer(minimum=0)

VARIABLES: tuple[Variable, ...] = (
    # Connection
    Variable(
        name="CAMUNDA_REST_ADDRESS",
        attribute="rest_address",
        parse=p.parse_rest_address,
        kind="URL",
        default="http://localhost:8080/v2",
        aliases=("ZEEBE_REST_ADDRESS",),
        description="Base URL of the cluster's REST API; `/v2` is added when missing.",
    ),
    Variable(
        name="CAMUNDA_TENANT_ID",
        attribute="tenant_id",
        description=(
            "Tenant used by operations that take a tenant when the call does not name one; "
            "job activation asks for it alone unless `CAMUNDA_TENANT_IDS` is set."
        ),
    ),
    Variable(
        name="CAMUNDA_TENANT_IDS",
        attribute="tenant_ids",
        parse=p.parse_name_list,
        kind="comma-separated names",
        doc_default="`CAMUNDA_TENANT_ID` when set",
        show=_show_names,
        description=(
            "Tenants job activation (`activate_jobs` and job workers) asks for when the call or "
            "worker names none."
        ),
    ),
    # Authentication
    Variable(
        name="CAMUNDA_AUTH_STRATEGY",
        attribute="auth_strategy",
        parse=p.parse_strategy_name,
        kind="name",
        doc_default="`NONE`",
        description=(
            "How requests authenticate: `NONE`, `BASIC`, `OAUTH`, or a plugin's strategy. "
            "Inferred from the credentials present when unset."
        ),
    ),
    Variable(
        name="CAMUNDA_CLIENT_ID",
        attribute="client_id",
        aliases=("CAMUNDA_CLIENT_AUTH_CLIENTID", "ZEEBE_CLIENT_ID"),
        description="OAuth client id.",
    ),
    Variable(
        name="CAMUNDA_CLIENT_SECRET",
        attribute="client_secret",
        parse=p.parse_secret,
        kind="secret",
        secret=True,
        aliases=("CAMUNDA_CLIENT_AUTH_CLIENTSECRET", "ZEEBE_CLIENT_SECRET"),
        description="OAuth client secret.",
    ),
    Variable(
        name="CAMUNDA_OAUTH_URL",
        attribute="oauth_url",
        parse=p.parse_url,
        kind="URL",
        default="https://login.cloud.camunda.io/oauth/token",
        aliases=("ZEEBE_AUTHORIZATION_SERVER_URL",),
        description="Token endpoint for the OAuth client-credentials grant.",
    ),
    Variable(
        name="CAMUNDA_TOKEN_AUDIENCE",
        attribute="token_audience",
        default="zeebe.camunda.io",
        aliases=("ZEEBE_TOKEN_AUDIENCE",),
        description="Audience requested for OAuth access tokens.",
    ),
    Variable(
        name="CAMUNDA_OAUTH_SCOPE",
        attribute="oauth_scope",
        description="Scope requested for OAuth access tokens (omitted from the request when unset).",
    ),
    Variable(
        name="CAMUNDA_OAUTH_TIMEOUT_MS",
        attribute="oauth_timeout",
        parse=p.milliseconds(minimum=1),
        kind=KIND_MILLISECONDS,
        default=10000,
        description="Time limit for one token request.",
    ),
    Variable(
        name="CAMUNDA_BASIC_AUTH_USERNAME",
        attribute="basic_auth_username",
        description="User name for `BASIC` auth (required with it).",
    ),
    Variable(
        name="CAMUNDA_BASIC_AUTH_PASSWORD",
        attribute="basic_auth_password",
        parse=p.parse_secret,
        kind="secret",
        secret=True,
        description="Password for `BASIC` auth (required with it).",
    ),
    # Token cache
    Variable(
        name="CAMUNDA_TOKEN_CACHE",
        attribute="token_cache",
        parse=p.parse_cache_name,
        kind="name",
        doc_default="`disk` when a cache directory is set, else `memory`",
        description="Where OAuth tokens are kept: `memory`, `disk`, or a plugin's cache.",
    ),
    Variable(
        name="CAMUNDA_TOKEN_CACHE_DIR",
        attribute="token_cache_dir",
        parse=p.parse_path,
        kind="path",
        description="Directory for the on-disk token cache; no disk cache when unset.",
    ),
    Variable(
        name="CAMUNDA_TOKEN_DISK_CACHE_DISABLE",
        attribute="token_disk_cache_disable",
        parse=p.parse_bool,
        kind="boolean",
        default=False,
        description="Never keep OAuth tokens on disk, even with a cache directory.",
    ),
    # TLS
    Variable(
        name="CAMUNDA_CUSTOM_ROOT_CERT_PATH",
        attribute="ca_certificate",
        parse=p.parse_pem_file,
        kind="PEM file",
        aliases=("CAMUNDA_MTLS_CA_PATH",),
        description="CA certificate(s) to trust in addition to the system store.",
    ),
    Variable(
        name="CAMUNDA_CUSTOM_ROOT_CERT_STRING",
        attribute="ca_certificate",
        parse=p.parse_pem_text,
        kind="PEM text",
        aliases=("CAMUNDA_MTLS_CA",),
        description="Same as `CAMUNDA_CUSTOM_ROOT_CERT_PATH`, given inline.",
    ),
    Variable(
        name="CAMUNDA_CUSTOM_CERT_CHAIN_PATH",
        attribute="client_certificate",
        parse=p.parse_pem_file,
        kind="PEM file",
        aliases=("CAMUNDA_MTLS_CERT_PATH",),
        description="Client certificate chain for mutual TLS (needs a private key).",
    ),
    Variable(
        name="CAMUNDA_CUSTOM_CERT_CHAIN_STRING",
        attribute="client_certificate",
        parse=p.parse_pem_text,
        kind="PEM text",
        aliases=("CAMUNDA_MTLS_CERT",),
        description="Same as `CAMUNDA_CUSTOM_CERT_CHAIN_PATH`, given inline.",
    ),
    Variable(
        name="CAMUNDA_CUSTOM_PRIVATE_KEY_PATH",
        attribute="client_key",
        parse=p.parse_pem_file,
        kind="PEM file",
        aliases=("CAMUNDA_MTLS_KEY_PATH",),
        description="Private key for the client certificate (needs a certificate chain).",
    ),
    Variable(
        name="CAMUNDA_CUSTOM_PRIVATE_KEY_STRING",
        attribute="client_key",
        parse=p.parse_pem_secret,
        kind="PEM text",
        secret=True,
        aliases=("CAMUNDA_MTLS_KEY",),
        description="Same as `CAMUNDA_CUSTOM_PRIVATE_KEY_PATH`, given inline.",
    ),
    Variable(
        name="CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD",
        attribute="client_key_password",
        parse=p.parse_secret,
        kind="secret",
        secret=True,
        aliases=("CAMUNDA_MTLS_KEY_PASSPHRASE",),
        description="Passphrase of an encrypted private key.",
    ),
    # HTTP
    Variable(
        name="CAMUNDA_HTTP_CONNECT_TIMEOUT_MS",
        attribute="http_connect_timeout",
        parse=p.milliseconds(minimum=1),
        kind=KIND_MILLISECONDS,
        default=5000,
        description="Time limit for opening a connection (never more than the attempt's limit).",
    ),
    Variable(
        name="CAMUNDA_HTTP_READ_TIMEOUT_MS",
        attribute="http_read_timeout",
        parse=p.milliseconds(minimum=1),
        kind=KIND_MILLISECONDS,
        default=30000,
        description="Time limit for each wait on data from the server (per read, not for the whole response).",
    ),
    Variable(
        name="CAMUNDA_HTTP_REQUEST_TIMEOUT_MS",
        attribute="http_request_timeout",
        parse=p.milliseconds(minimum=1),
        kind=KIND_MILLISECONDS,
        default=30000,
        description=(
            "Time limit for one attempt of a request: connecting, sending and the whole response, body included. "
            "A call's `timeout=` replaces it; long polls get their poll time plus a margin."
        ),
    ),
    Variable(
        name="CAMUNDA_HTTP_MAX_CONNECTIONS",
        attribute="http_max_connections",
        parse=_POSITIVE,
        kind="integer",
        default=100,
        description="Size of the connection pool.",
    ),
    Variable(
        name="CAMUNDA_HTTP_TRANSPORT",
        attribute="http_transport",
        parse=p.choice("auto", "httpx", "aiohttp"),
        kind="`auto`, `httpx`, `aiohttp`",
        default="auto",
        description="HTTP implementation underneath httpx; `auto` lets the SDK pick.",
    ),
    Variable(
        name="CAMUNDA_HTTP_MAX_ERROR_BODY_BYTES",
        attribute="http_max_error_body_bytes",
        parse=_POSITIVE,
        kind="integer (bytes)",
        default=1048576,
        description=(
            "Most bytes of an error response's body that are read; past it the connection is closed "
            "and the error says the body was cut. Success bodies are not limited."
        ),
    ),
    # Retries and backpressure
    Variable(
        name="CAMUNDA_RETRY_MAX_ATTEMPTS",
        attribute="retry_max_attempts",
        parse=_POSITIVE,
        kind="integer",
        default=5,
        description="Attempts per call, the first included; `1` turns retries off.",
    ),
    Variable(
        name="CAMUNDA_RETRY_INITIAL_DELAY_MS",
        attribute="retry_initial_delay",
        parse=p.milliseconds(minimum=0),
        kind=KIND_MILLISECONDS,
        default=100,
        description="Delay before the first retry; later delays grow exponentially with jitter.",
    ),
    Variable(
        name="CAMUNDA_RETRY_MAX_DELAY_MS",
        attribute="retry_max_delay",
        parse=p.milliseconds(minimum=0),
        kind=KIND_MILLISECONDS,
        default=5000,
        description="Upper bound for one retry delay.",
    ),
    Variable(
        name="CAMUNDA_RETRY_DEADLINE_MS",
        attribute="retry_deadline",
        parse=p.milliseconds(minimum=1),
        kind=KIND_MILLISECONDS,
        default=60000,
        description=(
            "Time limit for a whole call, retries included: no retry starts past it, and an attempt still "
            "running when it passes is cut off."
        ),
    ),
    # Before CAMUNDA_BACKPRESSURE_ADAPTIVE: the last variable of an attribute names it
    # in CamundaConfig.redacted(), and the first with a default gives the default.
    Variable(
        name="CAMUNDA_SDK_BACKPRESSURE_PROFILE",
        attribute="backpressure_adaptive",
        parse=p.parse_backpressure_profile,
        kind="`BALANCED`, `LEGACY`",
        doc_default="`BALANCED`",
        show=_show_profile,
        description=(
            "The official SDK's name for the same setting: `BALANCED` is "
            "`CAMUNDA_BACKPRESSURE_ADAPTIVE=true`, `LEGACY` is `false`. Set one of the two."
        ),
    ),
    Variable(
        name="CAMUNDA_BACKPRESSURE_ADAPTIVE",
        attribute="backpressure_adaptive",
        parse=p.parse_bool,
        kind="boolean",
        default=True,
        description="Lower the number of concurrent requests while the cluster signals backpressure.",
    ),
    Variable(
        name="CAMUNDA_MAX_CONCURRENT_REQUESTS",
        attribute="max_concurrent_requests",
        parse=_POSITIVE,
        kind="integer",
        default=64,
        description="Most requests one client has in flight at once.",
    ),
    # Job worker defaults
    Variable(
        name="CAMUNDA_WORKER_TIMEOUT",
        attribute="worker_timeout_ms",
        parse=_POSITIVE,
        kind="integer (ms)",
        description="Default job timeout for workers that do not set one.",
    ),
    Variable(
        name="CAMUNDA_WORKER_MAX_CONCURRENT_JOBS",
        attribute="worker_max_concurrent_jobs",
        parse=_POSITIVE,
        kind="integer",
        default=10,
        description="Default for how many jobs one worker runs at once.",
    ),
    Variable(
        name="CAMUNDA_WORKER_REQUEST_TIMEOUT",
        attribute="worker_request_timeout_ms",
        parse=_NON_NEGATIVE,
        kind="integer (ms)",
        default=0,
        description="Default long-poll time for job activation; `0` lets the server decide.",
    ),
    Variable(
        name="CAMUNDA_WORKER_NAME",
        attribute="worker_name",
        default="camunda-python-sdk-worker",
        description="Default worker name reported to the cluster.",
    ),
    Variable(
        name="CAMUNDA_WORKER_STARTUP_JITTER_MAX_SECONDS",
        kind="number (s)",
        ignored=True,
        description=(
            "The official SDK's random delay before a worker's first poll. Accepted and ignored, "
            "with a warning: workers here start polling at once."
        ),
    ),
    # SDK behaviour
    Variable(
        name="CAMUNDA_SDK_LOG_LEVEL",
        attribute="log_level",
        parse=p.parse_log_level,
        kind="level",
        default="error",
        description=(
            "SDK log verbosity: `silent`, `error`, `warn`, `info`, `debug`, `trace` or `silly`."
        ),
    ),
    Variable(
        name="CAMUNDA_LOAD_ENVFILE",
        attribute="load_envfile",
        parse=p.parse_envfile_setting,
        kind="boolean or path",
        description=(
            "Read variables from a dotenv file: `true` for `.env` in the working directory, "
            "or a file path. A missing file is ignored."
        ),
    ),
)


def _group_by_attribute(variables: Iterable[Variable]) -> dict[str, tuple[Variable, ...]]:
    grouped: dict[str, tuple[Variable, ...]] = {}
    for variable in variables:
        if variable.attribute is not None:
            grouped[variable.attribute] = (*grouped.get(variable.attribute, ()), variable)
    return grouped


_BY_ATTRIBUTE = _group_by_attribute(VARIABLES)


def variable_for_attribute(attribute: str) -> tuple[Variable, ...]:
    """The variables that set ``attribute`` (two for the TLS ``_PATH``/``_STRING`` pairs)."""
    return _BY_ATTRIBUTE.get(attribute, ())
