"""explain_configuration: each setting's resolved value and where it came from."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

import camunda_core.config
from camunda_core.config import SettingOrigin, Variable, explain_configuration
from camunda_core.config.parsers import integer
from camunda_core.errors import ConfigurationError
from camunda_core.runtime.base_client import ClientCore

SECRET = "client-secret-do-not-leak"
CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBcaCERTIFICATEbody\n-----END CERTIFICATE-----\n"


def explain(
    configuration: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    **kwargs: object,
) -> dict[str, SettingOrigin]:
    origins = explain_configuration(configuration, environ=env or {}, load_entry_points=False, **kwargs)  # type: ignore[arg-type]
    return {origin.variable: origin for origin in origins}


def test_exported_from_the_config_package() -> None:
    assert "explain_configuration" in camunda_core.config.__all__
    assert "SettingOrigin" in camunda_core.config.__all__


def test_nothing_set_is_all_defaults_in_table_order() -> None:
    origins = explain_configuration(environ={}, load_entry_points=False)
    names = [origin.variable for origin in origins]
    assert names == [variable.name for variable in camunda_core.config.VARIABLES]
    assert {origin.source for origin in origins} == {"default"}
    by_name = {origin.variable: origin for origin in origins}
    assert by_name["CAMUNDA_REST_ADDRESS"].value == "http://localhost:8080/v2"
    assert by_name["CAMUNDA_TENANT_ID"].value == ""
    assert by_name["CAMUNDA_HTTP_CONNECT_TIMEOUT_MS"].value == "5000"
    assert by_name["CAMUNDA_BACKPRESSURE_ADAPTIVE"].value == "true"
    assert by_name["CAMUNDA_AUTH_STRATEGY"] == SettingOrigin(
        variable="CAMUNDA_AUTH_STRATEGY", value="NONE", source="default"
    )


def test_environment_and_the_alias_used() -> None:
    origins = explain(env={"ZEEBE_REST_ADDRESS": "http://cluster:8080", "CAMUNDA_TENANT_ID": "t1"})
    assert origins["CAMUNDA_REST_ADDRESS"] == SettingOrigin(
        variable="CAMUNDA_REST_ADDRESS",
        value="http://cluster:8080/v2",
        source="environment",
        detail="via ZEEBE_REST_ADDRESS",
    )
    assert origins["CAMUNDA_TENANT_ID"].source == "environment"
    assert origins["CAMUNDA_TENANT_ID"].value == "t1"
    assert origins["CAMUNDA_TENANT_ID"].detail is None


def test_explicit_beats_environment() -> None:
    origins = explain(
        {"CAMUNDA_RETRY_MAX_ATTEMPTS": 2},
        env={"CAMUNDA_RETRY_MAX_ATTEMPTS": "7", "CAMUNDA_HTTP_READ_TIMEOUT_MS": "1500"},
    )
    assert origins["CAMUNDA_RETRY_MAX_ATTEMPTS"].source == "explicit"
    assert origins["CAMUNDA_RETRY_MAX_ATTEMPTS"].value == "2"
    assert origins["CAMUNDA_HTTP_READ_TIMEOUT_MS"].source == "environment"
    assert origins["CAMUNDA_HTTP_READ_TIMEOUT_MS"].value == "1500"


def test_dotenv_names_the_file(tmp_path: Path) -> None:
    envfile = tmp_path / "dev.env"
    envfile.write_text("ZEEBE_REST_ADDRESS=http://from-file:1\nCAMUNDA_WORKER_NAME=w\n")
    origins = explain(
        env={"CAMUNDA_LOAD_ENVFILE": str(envfile), "CAMUNDA_WORKER_NAME": "from-env"}
    )
    assert origins["CAMUNDA_REST_ADDRESS"] == SettingOrigin(
        variable="CAMUNDA_REST_ADDRESS",
        value="http://from-file:1/v2",
        source=".env",
        detail=f"{envfile}, via ZEEBE_REST_ADDRESS",
    )
    assert origins["CAMUNDA_WORKER_NAME"].source == "environment"
    assert origins["CAMUNDA_LOAD_ENVFILE"].source == "environment"
    assert origins["CAMUNDA_LOAD_ENVFILE"].value == str(envfile)


def test_relative_dotenv_is_shown_as_resolved(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CAMUNDA_TENANT_ID=from-file\n")
    origins = explain({"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=tmp_path)
    assert origins["CAMUNDA_LOAD_ENVFILE"].source == "explicit"
    assert origins["CAMUNDA_TENANT_ID"].source == ".env"
    assert origins["CAMUNDA_TENANT_ID"].detail == str(tmp_path / ".env")


def test_secrets_are_redacted_everywhere() -> None:
    origins = explain(
        {"CAMUNDA_CLIENT_ID": "my-id"}, env={"ZEEBE_CLIENT_SECRET": SECRET}
    )
    secret = origins["CAMUNDA_CLIENT_SECRET"]
    assert secret.value == "***"
    assert secret.source == "environment" and secret.detail == "via ZEEBE_CLIENT_SECRET"
    assert SECRET not in repr(list(origins.values()))
    # Inferred, not given: the origin says so.
    assert origins["CAMUNDA_AUTH_STRATEGY"].value == "OAUTH"
    assert origins["CAMUNDA_AUTH_STRATEGY"].source == "default"
    assert origins["CAMUNDA_AUTH_STRATEGY"].detail == "inferred from the credentials present"
    assert origins["CAMUNDA_BASIC_AUTH_PASSWORD"].value == ""


def test_tls_file_shows_its_path_and_the_pair_says_which_is_used(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text(CA_PEM)
    origins = explain(env={"CAMUNDA_CUSTOM_ROOT_CERT_PATH": "ca.pem"}, cwd=tmp_path)
    assert origins["CAMUNDA_CUSTOM_ROOT_CERT_PATH"].value == str(tmp_path / "ca.pem")
    assert origins["CAMUNDA_CUSTOM_ROOT_CERT_STRING"] == SettingOrigin(
        variable="CAMUNDA_CUSTOM_ROOT_CERT_STRING",
        value="",
        source="default",
        detail="not set; CAMUNDA_CUSTOM_ROOT_CERT_PATH is",
    )


def test_tls_pair_across_layers_says_which_wins(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text(CA_PEM)
    origins = explain(
        {"CAMUNDA_CUSTOM_ROOT_CERT_STRING": CA_PEM},
        env={"CAMUNDA_CUSTOM_ROOT_CERT_PATH": str(tmp_path / "ca.pem")},
    )
    inline = origins["CAMUNDA_CUSTOM_ROOT_CERT_STRING"]
    assert inline.source == "explicit" and inline.value == f"PEM text ({len(CA_PEM)} characters)"
    loser = origins["CAMUNDA_CUSTOM_ROOT_CERT_PATH"]
    assert loser.source == "environment"
    assert loser.detail == "not used: CAMUNDA_CUSTOM_ROOT_CERT_STRING takes precedence"


class VaultPlugin:
    """A plugin declaring its own configuration variables."""

    def camunda_config_variables(self) -> Sequence[Variable]:
        return [
            Variable(name="CAMUNDA_VAULT_URL", description="Vault address."),
            Variable(
                name="CAMUNDA_VAULT_RETRIES",
                parse=integer(minimum=0),
                kind="integer",
                default=3,
                description="Vault retries.",
            ),
            Variable(name="CAMUNDA_VAULT_TOKEN", secret=True, description="Vault token."),
        ]


def test_plugin_variables_are_explained_after_the_table() -> None:
    origins = explain_configuration(
        {"CAMUNDA_VAULT_TOKEN": "vault-secret"},
        environ={"CAMUNDA_VAULT_URL": "https://vault"},
        plugins=[VaultPlugin()],
        load_entry_points=False,
    )
    assert [origin.variable for origin in origins[-3:]] == [
        "CAMUNDA_VAULT_URL",
        "CAMUNDA_VAULT_RETRIES",
        "CAMUNDA_VAULT_TOKEN",
    ]
    url, retries, token = origins[-3:]
    assert (url.value, url.source) == ("https://vault", "environment")
    assert (retries.value, retries.source) == ("3", "default")
    assert (token.value, token.source) == ("***", "explicit")


def test_invalid_configuration_raises_as_a_client_would() -> None:
    env = {"CAMUNDA_RETRY_MAX_ATTEMPTS": "zero"}
    with pytest.raises(ConfigurationError) as explained:
        explain(env=env)
    with pytest.raises(ConfigurationError) as constructed:
        ClientCore(environ=env, load_entry_points=False)
    assert explained.value.variables == constructed.value.variables == ("CAMUNDA_RETRY_MAX_ATTEMPTS",)


def test_values_match_the_client_configuration() -> None:
    env = {
        "CAMUNDA_REST_ADDRESS": "http://cluster:9",
        "CAMUNDA_HTTP_REQUEST_TIMEOUT_MS": "1234",
        "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": "yes",
    }
    origins = explain(env=env)
    config = ClientCore(environ=env, load_entry_points=False).config
    redacted = config.redacted()
    for name in ("CAMUNDA_REST_ADDRESS", "CAMUNDA_HTTP_REQUEST_TIMEOUT_MS"):
        assert origins[name].value == str(redacted[name])
    assert origins["CAMUNDA_TOKEN_DISK_CACHE_DISABLE"].value == "true"


def test_ignored_and_unknown_names_are_rows_not_warnings(tmp_path: Path) -> None:
    envfile = tmp_path / ".env"
    envfile.write_text("CAMUNDA_TENANTID=t\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # explaining never warns: the rows say it
        origins = explain(
            env={
                "CAMUNDA_WORKER_STARTUP_JITTER_MAX_SECONDS": "2.5",
                "CAMUNDA_REST_ADRESS": "http://not-read:1",
                "CAMUNDA_LOAD_ENVFILE": str(envfile),
            }
        )
    assert origins["CAMUNDA_WORKER_STARTUP_JITTER_MAX_SECONDS"] == SettingOrigin(
        variable="CAMUNDA_WORKER_STARTUP_JITTER_MAX_SECONDS",
        value="2.5",
        source="environment",
        detail="ignored: accepted for compatibility with the official SDK",
    )
    assert origins["CAMUNDA_REST_ADRESS"] == SettingOrigin(
        variable="CAMUNDA_REST_ADRESS",
        value="",
        source="environment",
        detail="not a known variable; did you mean CAMUNDA_REST_ADDRESS?",
    )
    assert origins["CAMUNDA_TENANTID"].source == ".env"
    assert origins["CAMUNDA_TENANTID"].detail == (
        f"{envfile}, not a known variable; did you mean CAMUNDA_TENANT_ID?"
    )


def test_official_names_show_under_ours() -> None:
    origins = explain(
        env={"CAMUNDA_SDK_BACKPRESSURE_PROFILE": "LEGACY", "CAMUNDA_TENANT_IDS": "a, b"}
    )
    assert origins["CAMUNDA_SDK_BACKPRESSURE_PROFILE"].value == "LEGACY"
    assert origins["CAMUNDA_BACKPRESSURE_ADAPTIVE"].detail == (
        "not set; CAMUNDA_SDK_BACKPRESSURE_PROFILE is"
    )
    assert origins["CAMUNDA_TENANT_IDS"].value == "a,b"
    assert explain()["CAMUNDA_SDK_BACKPRESSURE_PROFILE"].value == "BALANCED"
