"""``camunda doctor``: where each setting came from, then each step a call depends on.

Steps, in order, each a pass/fail line with the fix: configuration (it resolves), connectivity
(a TCP connection to the REST address), TLS (the handshake, for https), auth (a token from the
token endpoint for OAuth; the cluster accepting the credentials otherwise), topology and the
broker version. A failed step skips the steps that depend on it. Secrets are never shown.
"""

from __future__ import annotations

import socket
import ssl
import time
import warnings
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs
from rich.table import Table

from camunda_cli.errors import (
    EXIT_AUTH,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    CliError,
)
from camunda_cli.operations import AsJson
from camunda_cli.output import console, print_json

if TYPE_CHECKING:
    from camunda_core.config import CamundaConfig, SettingOrigin
    from camunda_core.models import TopologyResponse

__all__ = ["Check", "doctor", "run_checks"]

_PASS, _FAIL, _SKIP = "pass", "fail", "skip"


@attrs.frozen(kw_only=True)
class Check:
    """One step's outcome: ``status`` is pass, fail or skip; ``fix`` says what to change."""

    step: str
    status: str
    detail: str
    fix: str | None = None
    exit_code: int = EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "status": self.status, "detail": self.detail, "fix": self.fix}


def _skip(step: str, why: str) -> Check:
    return Check(step=step, status=_SKIP, detail=why)


def _origin_of(origins: list[SettingOrigin], variable: str) -> str:
    for origin in origins:
        if origin.variable == variable:
            where = origin.source + (f", {origin.detail}" if origin.detail else "")
            return f"{variable}={origin.value!r} ({where})" if origin.value else f"{variable} (unset)"
    return variable


def _connectivity(config: CamundaConfig, origins: list[SettingOrigin]) -> tuple[Check, str, int]:
    parts = urlsplit(config.rest_address)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=config.http_connect_timeout):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        if isinstance(error, socket.gaierror):
            reason = f"cannot resolve host {host!r} ({reason})"
        return (
            Check(step="connectivity", status=_FAIL, detail=f"TCP connect to {host}:{port}: {reason}",
                  fix=f"check {_origin_of(origins, 'CAMUNDA_REST_ADDRESS')}: is the cluster running there?",
                  exit_code=EXIT_UNREACHABLE),
            host, port,
        )
    took = (time.perf_counter() - started) * 1000
    return Check(step="connectivity", status=_PASS, detail=f"TCP connect to {host}:{port} in {took:.0f} ms"), host, port


def _tls(config: CamundaConfig, host: str, port: int) -> Check:
    from camunda_core.runtime.tls import TlsSettings

    if urlsplit(config.rest_address).scheme != "https":
        return _skip("tls", "http address: no TLS")
    verify = TlsSettings.from_config(config).ssl_context()
    context = verify if isinstance(verify, ssl.SSLContext) else ssl.create_default_context()
    try:
        with socket.create_connection((host, port), timeout=config.http_connect_timeout) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            version = tls.version() or "TLS"
            certificate = tls.getpeercert() or {}
    except ssl.SSLCertVerificationError as error:
        return Check(step="tls", status=_FAIL, detail=f"certificate not trusted: {error.verify_message}",
                     fix="set CAMUNDA_CUSTOM_ROOT_CERT_PATH to the CA that signed the server's certificate",
                     exit_code=EXIT_UNREACHABLE)
    except (ssl.SSLError, OSError) as error:
        return Check(step="tls", status=_FAIL, detail=f"TLS handshake failed: {error}",
                     fix="check CAMUNDA_REST_ADDRESS (is the port TLS?) and CAMUNDA_CUSTOM_* certificates",
                     exit_code=EXIT_UNREACHABLE)
    expires = certificate.get("notAfter", "?")
    return Check(step="tls", status=_PASS, detail=f"{version}, certificate verified (valid until {expires})")


def _oauth(config: CamundaConfig) -> Check:
    from camunda_auth_oauth import OAuthSettings, TokenEndpoint
    from camunda_core.errors import AuthenticationError
    from camunda_core.runtime.tls import TlsSettings

    endpoint = TokenEndpoint(OAuthSettings.from_config(config), tls=TlsSettings.from_config(config))
    try:
        grant = endpoint.fetch()
    except AuthenticationError as error:
        if error.status in (400, 401, 403):
            fix = (f"check CAMUNDA_CLIENT_SECRET and CAMUNDA_CLIENT_ID: the token endpoint rejected client id "
                   f"{config.client_id!r} (HTTP {error.status})")
        else:
            fix = f"check CAMUNDA_OAUTH_URL ({config.oauth_url}): the token endpoint did not answer as expected"
        return Check(step="auth", status=_FAIL, detail=f"OAuth token request failed: {error}", fix=fix,
                     exit_code=EXIT_AUTH)
    return Check(step="auth", status=_PASS,
                 detail=f"OAuth token fetched from {config.oauth_url} for client id {config.client_id!r} "
                        f"(expires in {grant.expires_in:g} s)")


def _credentials_hint(config: CamundaConfig) -> str:
    if config.auth_strategy == "BASIC":
        return "check CAMUNDA_BASIC_AUTH_USERNAME and CAMUNDA_BASIC_AUTH_PASSWORD"
    if config.auth_strategy == "OAUTH":
        return "check CAMUNDA_CLIENT_ID, CAMUNDA_CLIENT_SECRET and CAMUNDA_TOKEN_AUDIENCE"
    return ("the cluster demands credentials: set CAMUNDA_CLIENT_ID and CAMUNDA_CLIENT_SECRET (OAuth) "
            "or CAMUNDA_BASIC_AUTH_USERNAME and CAMUNDA_BASIC_AUTH_PASSWORD")


def _topology(config: CamundaConfig) -> TopologyResponse | Check:
    from camunda_core.client import CamundaClient
    from camunda_core.errors import (
        ApiError,
        AuthenticationError,
        CamundaError,
        Forbidden,
        Unauthorized,
    )

    try:
        with CamundaClient() as client:
            return client.get_topology(retry=False)
    except (Unauthorized, Forbidden, AuthenticationError) as error:
        return Check(step="auth", status=_FAIL, detail=f"the cluster refused the credentials: {error}",
                     fix=_credentials_hint(config), exit_code=EXIT_AUTH)
    except ApiError as error:
        return Check(step="topology", status=_FAIL, detail=str(error),
                     fix="the cluster answered with an error: check CAMUNDA_REST_ADDRESS points at the "
                         "Orchestration Cluster REST API (/v2)", exit_code=EXIT_FAILED)
    except CamundaError as error:
        return Check(step="topology", status=_FAIL, detail=str(error),
                     fix="check CAMUNDA_REST_ADDRESS and the CAMUNDA_HTTP_* timeouts",
                     exit_code=EXIT_UNREACHABLE)


def run_checks(config: CamundaConfig, origins: list[SettingOrigin]) -> list[Check]:
    """Every step after the configuration resolved, in order; a failure skips what depends on it."""
    checks: list[Check] = []
    connectivity, host, port = _connectivity(config, origins)
    checks.append(connectivity)
    if connectivity.status == _FAIL:
        return [*checks, _skip("tls", "no connection"), _skip("auth", "no connection"),
                _skip("topology", "no connection")]
    tls = _tls(config, host, port)
    checks.append(tls)
    if tls.status == _FAIL:
        return [*checks, _skip("auth", "no TLS connection"), _skip("topology", "no TLS connection")]
    if config.auth_strategy == "OAUTH":
        auth = _oauth(config)
        checks.append(auth)
        if auth.status == _FAIL:
            return [*checks, _skip("topology", "no token")]
    topology = _topology(config)
    if isinstance(topology, Check):
        if config.auth_strategy != "OAUTH" and topology.step == "auth":
            return [*checks, topology, _skip("topology", "credentials refused")]
        if config.auth_strategy != "OAUTH":
            checks.append(_skip("auth", f"{config.auth_strategy}: not known before the topology call"))
        return [*checks, topology]
    if config.auth_strategy != "OAUTH":
        detail = ("no credentials sent (CAMUNDA_AUTH_STRATEGY=NONE); the cluster accepted the call"
                  if config.auth_strategy == "NONE" else
                  f"{config.auth_strategy} credentials accepted by the cluster")
        checks.append(Check(step="auth", status=_PASS, detail=detail))
    versions = sorted({broker.version for broker in topology.brokers})
    checks.append(Check(step="topology", status=_PASS,
                        detail=f"cluster size {topology.cluster_size}, {topology.partitions_count} partition(s), "
                               f"replication factor {topology.replication_factor}, "
                               f"gateway {topology.gateway_version}"))
    if not versions:
        checks.append(Check(step="broker version", status=_FAIL, detail="the topology lists no brokers",
                            fix="the cluster has no broker up: check the cluster itself", exit_code=EXIT_FAILED))
    else:
        checks.append(Check(step="broker version", status=_PASS,
                            detail=f"{', '.join(versions)} ({len(topology.brokers)} broker(s))"))
    return checks


def _settings_table(origins: list[SettingOrigin]) -> Table:
    table = Table(title="settings (highest precedence: explicit > environment > .env > default)")
    table.add_column("variable", no_wrap=True)
    for column in ("value", "source", "detail"):
        table.add_column(column, overflow="fold")
    for origin in origins:
        style = None if origin.source != "default" else "dim"
        table.add_row(origin.variable, origin.value, origin.source, origin.detail or "", style=style)
    return table


def doctor(*, as_json: AsJson = False) -> None:
    """Show every setting and where it came from, then test connectivity, TLS, auth and topology.

    Each step prints pass or fail with the variable to change. Exits with the first failing step's
    code: 2 configuration, 3 connectivity or TLS, 4 auth, 1 topology.
    """
    from camunda_core.config import CamundaConfigWarning

    with warnings.catch_warnings():
        # Names without effect are rows of the settings table already (with their hint).
        warnings.simplefilter("ignore", CamundaConfigWarning)
        _doctor(as_json)


def _doctor(as_json: bool) -> None:
    from camunda_core.client import CamundaClient
    from camunda_core.config import explain_configuration
    from camunda_core.errors import ConfigurationError

    try:
        origins = explain_configuration()
        with CamundaClient() as client:  # the configuration exactly as a client resolves it
            config = client.configuration
    except ConfigurationError as error:
        problems = "; ".join(str(problem) for problem in error.problems)
        check = Check(step="configuration", status=_FAIL, detail=problems,
                      fix="change the variables named above", exit_code=EXIT_USAGE)
        _report([], [check], as_json)
        raise CliError(f"doctor: configuration: {problems}", EXIT_USAGE) from None
    checks = [Check(step="configuration", status=_PASS,
                    detail=f"resolved; REST address {config.rest_address}, auth {config.auth_strategy}")]
    checks += run_checks(config, origins)
    _report(origins, checks, as_json)
    failed = next((check for check in checks if check.status == _FAIL), None)
    if failed is not None:
        raise CliError(f"doctor: {failed.step} failed: {failed.fix or failed.detail}", failed.exit_code)


def _report(origins: list[SettingOrigin], checks: list[Check], as_json: bool) -> None:
    if as_json:
        print_json({
            "ok": all(check.status != _FAIL for check in checks),
            "settings": [{"variable": o.variable, "value": o.value, "source": o.source, "detail": o.detail}
                         for o in origins],
            "checks": [check.to_json() for check in checks],
        })
        return
    if origins:
        console.print(_settings_table(origins))
    marks = {_PASS: "[green]pass[/]", _FAIL: "[red]FAIL[/]", _SKIP: "[dim]skip[/]"}
    for check in checks:
        console.print(f"{marks[check.status]}  {check.step}: ", end="")
        console.print(check.detail, markup=False)
        if check.fix:
            console.print("      fix: ", end="")
            console.print(check.fix, markup=False)
