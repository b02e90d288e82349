"""Names that are set but have no effect: one CamundaConfigWarning; the official SDK's names are accepted."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from camunda_core.config import CamundaConfigWarning, Variable, resolve_config
from camunda_core.errors import ConfigurationError
from camunda_core.runtime.base_client import ClientCore

CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBcaCERTIFICATEbody\n-----END CERTIFICATE-----\n"
CHAIN_PEM = "-----BEGIN CERTIFICATE-----\nMIIBchainBODY\n-----END CERTIFICATE-----\n"
KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n"

#: Every key the official Python SDK documents (its CamundaSdkConfiguration fields).
OFFICIAL_SDK_KEYS = (
    "ZEEBE_REST_ADDRESS",
    "CAMUNDA_REST_ADDRESS",
    "CAMUNDA_TOKEN_AUDIENCE",
    "CAMUNDA_OAUTH_URL",
    "CAMUNDA_AUTH_STRATEGY",
    "CAMUNDA_BASIC_AUTH_USERNAME",
    "CAMUNDA_BASIC_AUTH_PASSWORD",
    "CAMUNDA_CLIENT_ID",
    "CAMUNDA_CLIENT_SECRET",
    "CAMUNDA_CLIENT_AUTH_CLIENTID",
    "CAMUNDA_CLIENT_AUTH_CLIENTSECRET",
    "CAMUNDA_SDK_LOG_LEVEL",
    "CAMUNDA_TOKEN_CACHE_DIR",
    "CAMUNDA_TOKEN_DISK_CACHE_DISABLE",
    "CAMUNDA_SDK_BACKPRESSURE_PROFILE",
    "CAMUNDA_TENANT_ID",
    "CAMUNDA_WORKER_TIMEOUT",
    "CAMUNDA_WORKER_MAX_CONCURRENT_JOBS",
    "CAMUNDA_WORKER_REQUEST_TIMEOUT",
    "CAMUNDA_WORKER_NAME",
    "CAMUNDA_WORKER_STARTUP_JITTER_MAX_SECONDS",
    "CAMUNDA_LOAD_ENVFILE",
    "CAMUNDA_MTLS_CERT_PATH",
    "CAMUNDA_MTLS_KEY_PATH",
    "CAMUNDA_MTLS_CA_PATH",
    "CAMUNDA_MTLS_CERT",
    "CAMUNDA_MTLS_KEY",
    "CAMUNDA_MTLS_CA",
    "CAMUNDA_MTLS_KEY_PASSPHRASE",
)


@pytest.fixture(autouse=True)
def every_warning_shown() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        yield


def config_warnings(
    explicit: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    **kwargs: object,
) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resolve_config(explicit, environ=env or {}, **kwargs)  # type: ignore[arg-type]
    return [w for w in caught if issubclass(w.category, CamundaConfigWarning)]


def only_message(caught: Sequence[warnings.WarningMessage]) -> str:
    assert len(caught) == 1, [str(w.message) for w in caught]
    return str(caught[0].message)


def test_the_warning_class_is_a_user_warning() -> None:
    assert issubclass(CamundaConfigWarning, UserWarning)


def test_misspelt_environment_variable_with_did_you_mean() -> None:
    message = only_message(config_warnings(env={"CAMUNDA_REST_ADRESS": "http://cluster:8080"}))
    assert "CAMUNDA_REST_ADRESS (in the environment)" in message
    assert "did you mean CAMUNDA_REST_ADDRESS?" in message
    assert "http://cluster:8080" not in message  # a value of a variable that is not ours is never read


def test_all_unknown_names_in_one_warning() -> None:
    env = {
        "CAMUNDA_REST_ADRESS": "x",
        "ZEEBE_REST_ADRES": "x",
        "CAMUNDA_CLIENT_SECRT": "do-not-leak",
        "CAMUNDA_SOMETHING_ELSE": "x",
    }
    message = only_message(config_warnings(env=env))
    assert message.startswith("Camunda configuration: 4 variables have no effect:")
    assert "ZEEBE_REST_ADRES (in the environment): not a known variable; did you mean ZEEBE_REST_ADDRESS?" in message
    assert "CAMUNDA_CLIENT_SECRT (in the environment): not a known variable; did you mean CAMUNDA_CLIENT_SECRET?" in message
    assert "CAMUNDA_SOMETHING_ELSE (in the environment): not a known variable\n" in message + "\n"
    assert "do-not-leak" not in message


def test_dotenv_names_are_checked_and_the_file_named(tmp_path: Path) -> None:
    envfile = tmp_path / "dev.env"
    envfile.write_text("CAMUNDA_TENANT_ID=t\nCAMUNDA_TENANTID=t\nUNRELATED=1\n")
    message = only_message(config_warnings(env={"CAMUNDA_LOAD_ENVFILE": str(envfile)}))
    assert f"CAMUNDA_TENANTID (in the .env file {envfile})" in message
    assert "did you mean CAMUNDA_TENANT_ID?" in message
    assert "UNRELATED" not in message


def test_a_name_in_two_layers_is_reported_once(tmp_path: Path) -> None:
    envfile = tmp_path / "dev.env"
    envfile.write_text("CAMUNDA_TYPO=1\n")
    message = only_message(
        config_warnings(env={"CAMUNDA_LOAD_ENVFILE": str(envfile), "CAMUNDA_TYPO": "2"})
    )
    assert message.count("CAMUNDA_TYPO") == 1
    assert "(in the environment)" in message


def test_known_names_aliases_and_other_variables_are_quiet() -> None:
    env = {
        "CAMUNDA_REST_ADDRESS": "http://a:1",
        "ZEEBE_CLIENT_ID": "id",
        "ZEEBE_CLIENT_SECRET": "s",
        "CAMUNDA_WORKER_NAME": "w",
        "PATH": "/bin",
        "MY_CAMUNDA_THING": "x",
    }
    assert config_warnings(env=env) == []


def test_names_of_other_camunda_tools_are_quiet() -> None:
    env = {
        # Camunda's client-credentials file
        "ZEEBE_ADDRESS": "abc.bru-2.zeebe.camunda.io:443",
        "ZEEBE_GRPC_ADDRESS": "grpcs://abc.bru-2.zeebe.camunda.io:443",
        "ZEEBE_AUTHORIZATION_SERVER_URL": "https://login.cloud.camunda.io/oauth/token",
        "CAMUNDA_CLUSTER_ID": "abc",
        "CAMUNDA_CLUSTER_REGION": "bru-2",
        "CAMUNDA_CREDENTIALS_SCOPES": "Zeebe",
        "CAMUNDA_TASKLIST_BASE_URL": "https://tasklist",
        "CAMUNDA_OPERATE_BASE_URL": "https://operate",
        # the cluster's own settings in a shared environment
        "ZEEBE_BROKER_NETWORK_HOST": "0.0.0.0",
        "CAMUNDA_SECURITY_AUTHENTICATION_METHOD": "basic",
    }
    assert config_warnings(env=env) == []


def test_plugin_variables_are_known() -> None:
    plugin_variable = Variable(name="CAMUNDA_OTEL_ENDPOINT", description="Where spans go.")
    env = {"CAMUNDA_OTEL_ENDPOINT": "http://collector:4318"}
    assert config_warnings(env=env, extra_variables=[plugin_variable]) == []
    message = only_message(config_warnings(env=env))
    assert "CAMUNDA_OTEL_ENDPOINT" in message


def test_the_warning_points_at_the_callers_line() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ClientCore(environ={"CAMUNDA_REST_ADRESS": "x"}, load_entry_points=False)
    (warning,) = [w for w in caught if issubclass(w.category, CamundaConfigWarning)]
    assert warning.filename == __file__


def test_client_construction_warns_once() -> None:
    with pytest.warns(CamundaConfigWarning, match="CAMUNDA_HTTP_MAX_CONECTIONS") as caught:
        ClientCore(environ={"CAMUNDA_HTTP_MAX_CONECTIONS": "5"}, load_entry_points=False)
    assert len([w for w in caught if issubclass(w.category, CamundaConfigWarning)]) == 1


def test_explicit_unknown_keys_stay_errors() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config({"CAMUNDA_REST_ADRESS": "http://a:1"}, environ={})
    assert "did you mean 'CAMUNDA_REST_ADDRESS'?" in str(caught.value)


# -- the official SDK's documented keys ---------------------------------------------------------


@pytest.mark.parametrize("key", OFFICIAL_SDK_KEYS)
def test_every_official_key_is_accepted_in_the_explicit_dict(key: str, tmp_path: Path) -> None:
    values: dict[str, str] = {
        "CAMUNDA_AUTH_STRATEGY": "NONE",
        "CAMUNDA_SDK_LOG_LEVEL": "warn",
        "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": "true",
        "CAMUNDA_SDK_BACKPRESSURE_PROFILE": "LEGACY",
        "CAMUNDA_WORKER_TIMEOUT": "1000",
        "CAMUNDA_WORKER_MAX_CONCURRENT_JOBS": "3",
        "CAMUNDA_WORKER_REQUEST_TIMEOUT": "100",
        "CAMUNDA_WORKER_STARTUP_JITTER_MAX_SECONDS": "2.5",
        "CAMUNDA_LOAD_ENVFILE": "false",
        "CAMUNDA_MTLS_CA": CA_PEM,
        "CAMUNDA_MTLS_CA_PATH": str(tmp_path / "ca.pem"),
    }
    (tmp_path / "ca.pem").write_text(CA_PEM)
    value = values.get(key, "http://value:1" if "ADDRESS" in key or "URL" in key else "value")
    explicit: dict[str, object] = {key: value}
    # The client certificate and key need each other, and a passphrase needs a key.
    (tmp_path / "chain.pem").write_text(CHAIN_PEM)
    (tmp_path / "key.pem").write_text(KEY_PEM)
    if key in ("CAMUNDA_MTLS_CERT", "CAMUNDA_MTLS_CERT_PATH"):
        explicit[key] = CHAIN_PEM if key == "CAMUNDA_MTLS_CERT" else str(tmp_path / "chain.pem")
        explicit["CAMUNDA_MTLS_KEY"] = KEY_PEM
    if key in ("CAMUNDA_MTLS_KEY", "CAMUNDA_MTLS_KEY_PATH", "CAMUNDA_MTLS_KEY_PASSPHRASE"):
        if key == "CAMUNDA_MTLS_KEY_PATH":
            explicit[key] = str(tmp_path / "key.pem")
        else:
            explicit["CAMUNDA_MTLS_KEY"] = KEY_PEM
        explicit["CAMUNDA_MTLS_CERT"] = CHAIN_PEM
    if key.startswith("CAMUNDA_CLIENT") or key.startswith("CAMUNDA_BASIC"):
        explicit["CAMUNDA_AUTH_STRATEGY"] = "NONE"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resolve_config(explicit, environ={})
    unused = [str(w.message) for w in caught if issubclass(w.category, CamundaConfigWarning)]
    if key == "CAMUNDA_WORKER_STARTUP_JITTER_MAX_SECONDS":
        assert len(unused) == 1 and "accepted for compatibility with the official SDK and ignored" in unused[0]
        assert "(in the configuration dict)" in unused[0]
    else:
        assert unused == []


def test_official_mtls_names_map_onto_ours(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text(CA_PEM)
    (tmp_path / "chain.pem").write_text(CHAIN_PEM)
    (tmp_path / "key.pem").write_text(KEY_PEM)
    config = resolve_config(
        environ={
            "CAMUNDA_MTLS_CA_PATH": str(tmp_path / "ca.pem"),
            "CAMUNDA_MTLS_CERT_PATH": str(tmp_path / "chain.pem"),
            "CAMUNDA_MTLS_KEY_PATH": str(tmp_path / "key.pem"),
            "CAMUNDA_MTLS_KEY_PASSPHRASE": "passphrase",
        }
    )
    assert config.ca_certificate == CA_PEM
    assert config.client_certificate == CHAIN_PEM
    assert config.client_key is not None and config.client_key.reveal() == KEY_PEM
    assert config.client_key_password is not None and config.client_key_password.reveal() == "passphrase"
    config = resolve_config(
        {"CAMUNDA_MTLS_CA": CA_PEM, "CAMUNDA_MTLS_CERT": CHAIN_PEM, "CAMUNDA_MTLS_KEY": KEY_PEM},
        environ={},
    )
    assert config.ca_certificate == CA_PEM
    assert config.client_certificate == CHAIN_PEM
    assert config.client_key is not None and config.client_key.reveal() == KEY_PEM


def test_warned_before_a_configuration_error() -> None:
    # The misspelt secret is why OAUTH lacks one: both are said.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ConfigurationError, match="CAMUNDA_CLIENT_SECRET"):
            resolve_config(environ={"CAMUNDA_CLIENT_ID": "id", "CAMUNDA_CLIENT_SECRT": "s"})
    assert "did you mean CAMUNDA_CLIENT_SECRET?" in only_message(
        [w for w in caught if issubclass(w.category, CamundaConfigWarning)]
    )


def test_official_mtls_key_passphrase_needs_a_key_like_ours() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(environ={"CAMUNDA_MTLS_KEY_PASSPHRASE": "p"})
    assert caught.value.variables == ("CAMUNDA_CUSTOM_PRIVATE_KEY_PASSWORD",)


def test_backpressure_profile_maps_onto_adaptive() -> None:
    assert resolve_config(environ={"CAMUNDA_SDK_BACKPRESSURE_PROFILE": "LEGACY"}).backpressure_adaptive is False
    assert resolve_config(environ={"CAMUNDA_SDK_BACKPRESSURE_PROFILE": "balanced"}).backpressure_adaptive is True
    assert resolve_config(environ={}).backpressure_adaptive is True
    # Ours in a higher layer wins, as for any pair of names of one setting.
    config = resolve_config(
        {"CAMUNDA_BACKPRESSURE_ADAPTIVE": True}, environ={"CAMUNDA_SDK_BACKPRESSURE_PROFILE": "LEGACY"}
    )
    assert config.backpressure_adaptive is True


def test_backpressure_profile_errors() -> None:
    with pytest.raises(ConfigurationError, match="expected BALANCED or LEGACY, got 'FAST'"):
        resolve_config(environ={"CAMUNDA_SDK_BACKPRESSURE_PROFILE": "FAST"})
    with pytest.raises(ConfigurationError, match="set only one"):
        resolve_config(
            environ={"CAMUNDA_SDK_BACKPRESSURE_PROFILE": "LEGACY", "CAMUNDA_BACKPRESSURE_ADAPTIVE": "true"}
        )


def test_redacted_shows_our_name_for_backpressure() -> None:
    shown = resolve_config(environ={"CAMUNDA_SDK_BACKPRESSURE_PROFILE": "LEGACY"}).redacted()
    assert shown["CAMUNDA_BACKPRESSURE_ADAPTIVE"] is False
    assert "CAMUNDA_SDK_BACKPRESSURE_PROFILE" not in shown


def test_other_sdks_names_for_our_settings_get_a_suggestion() -> None:
    message = only_message(config_warnings(env={"CAMUNDA_LOG_LEVEL": "debug", "ZEEBE_TENANT_ID": "t"}))
    assert "CAMUNDA_LOG_LEVEL (in the environment): not a known variable; did you mean CAMUNDA_SDK_LOG_LEVEL?" in message
    assert "ZEEBE_TENANT_ID (in the environment): not a known variable; did you mean CAMUNDA_TENANT_ID?" in message
