"""Resolution rules of camunda_core.config: defaults, parsing, precedence, aliases, auth."""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from camunda_core.config import VARIABLES, CamundaConfig, Variable, resolve_config
from camunda_core.errors import ConfigurationError
from camunda_core.types import Secret


def resolve(
    explicit: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    **kwargs: object,
) -> CamundaConfig:
    return resolve_config(explicit, environ=env or {}, **kwargs)  # type: ignore[arg-type]


def problems_of(
    explicit: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    **kwargs: object,
) -> dict[str, str]:
    with pytest.raises(ConfigurationError) as caught:
        resolve(explicit, env, **kwargs)
    return {problem.variable: problem.message for problem in caught.value.problems}


# -- defaults ---------------------------------------------------------------------


def test_defaults_with_nothing_set() -> None:
    config = resolve()
    assert config.rest_address == "http://localhost:8080/v2"
    assert config.auth_strategy == "NONE"
    assert config.client_id is None and config.client_secret is None
    assert config.oauth_url == "https://login.cloud.camunda.io/oauth/token"
    assert config.token_audience == "zeebe.camunda.io"
    assert config.oauth_scope is None
    assert config.oauth_timeout == 10.0
    assert config.basic_auth_username is None and config.basic_auth_password is None
    assert config.tenant_id is None
    assert config.log_level == "error" and config.log_level_explicit is False
    assert config.token_cache == "memory"
    assert config.token_cache_dir is None and config.token_disk_cache_disable is False
    assert config.ca_certificate is None and config.client_certificate is None
    assert config.client_key is None and config.client_key_password is None
    assert config.http_connect_timeout == 5.0
    assert config.http_read_timeout == 30.0
    assert config.http_max_connections == 100
    assert config.http_transport == "auto"
    assert config.retry_max_attempts == 5
    assert config.retry_initial_delay == 0.1
    assert config.retry_max_delay == 5.0
    assert config.retry_deadline == 60.0
    assert config.backpressure_adaptive is True
    assert config.max_concurrent_requests == 64
    assert config.worker_timeout_ms is None
    assert config.worker_max_concurrent_jobs == 10
    assert config.worker_request_timeout_ms == 0
    assert config.worker_name == "camunda-python-sdk-worker"
    assert config.load_envfile is None
    assert dict(config.extra) == {}


def test_class_defaults_match_resolved_defaults() -> None:
    assert CamundaConfig() == resolve()


# -- REST address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://h:8080", "http://h:8080/v2"),
        ("http://h:8080/", "http://h:8080/v2"),
        ("http://h:8080/v2", "http://h:8080/v2"),
        ("http://h:8080/v2/", "http://h:8080/v2"),
        ("https://x/cluster-id", "https://x/cluster-id/v2"),
        ("https://x/cluster-id/v2", "https://x/cluster-id/v2"),
        ("  HTTPS://x.example  ", "HTTPS://x.example/v2"),
    ],
)
def test_rest_address_is_normalised(given: str, expected: str) -> None:
    assert resolve({"CAMUNDA_REST_ADDRESS": given}).rest_address == expected


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ("localhost:8080", "http:// or https://"),
        ("ftp://host/v2", "http:// or https://"),
        ("http://", "with a host"),
        ("http:///v2", "with a host"),
        ("not a url", "http:// or https://"),
        ("http://h:port/v2", "numeric port"),
        ("http://h/v2?x=1", "without a query"),
    ],
)
def test_malformed_rest_address_is_a_problem(given: str, fragment: str) -> None:
    problems = problems_of(env={"CAMUNDA_REST_ADDRESS": given})
    assert fragment in problems["CAMUNDA_REST_ADDRESS"]
    assert repr(given.strip()) in problems["CAMUNDA_REST_ADDRESS"]


def test_malformed_oauth_url_is_a_problem() -> None:
    problems = problems_of({"CAMUNDA_OAUTH_URL": "login.example/token"})
    assert "CAMUNDA_OAUTH_URL" in problems


# -- numbers, booleans, choices ----------------------------------------------------


def test_non_numeric_timeout_names_variable_and_expectation() -> None:
    problems = problems_of(env={"CAMUNDA_HTTP_READ_TIMEOUT_MS": "abc"})
    assert problems == {
        "CAMUNDA_HTTP_READ_TIMEOUT_MS": "expected a positive integer (milliseconds), got 'abc'"
    }


@pytest.mark.parametrize("given", ["0", "-5", "1.5", "10s", "", " "])
def test_read_timeout_rejects_non_positive_and_fractional(given: str) -> None:
    if not given.strip():
        # Empty means unset: the default applies.
        assert resolve(env={"CAMUNDA_HTTP_READ_TIMEOUT_MS": given}).http_read_timeout == 30.0
        return
    assert "CAMUNDA_HTTP_READ_TIMEOUT_MS" in problems_of(
        env={"CAMUNDA_HTTP_READ_TIMEOUT_MS": given}
    )


def test_milliseconds_become_seconds() -> None:
    config = resolve(
        {
            "CAMUNDA_HTTP_CONNECT_TIMEOUT_MS": "1500",
            "CAMUNDA_HTTP_READ_TIMEOUT_MS": 2500,
            "CAMUNDA_OAUTH_TIMEOUT_MS": 250.0,
            "CAMUNDA_RETRY_INITIAL_DELAY_MS": "0",
            "CAMUNDA_RETRY_MAX_DELAY_MS": " 750 ",
            "CAMUNDA_RETRY_DEADLINE_MS": "120000",
        }
    )
    assert config.http_connect_timeout == 1.5
    assert config.http_read_timeout == 2.5
    assert config.oauth_timeout == 0.25
    assert config.retry_initial_delay == 0.0
    assert config.retry_max_delay == 0.75
    assert config.retry_deadline == 120.0


def test_timedelta_is_accepted_for_millisecond_variables() -> None:
    config = resolve({"CAMUNDA_HTTP_READ_TIMEOUT_MS": timedelta(seconds=90)})
    assert config.http_read_timeout == 90.0
    problems = problems_of({"CAMUNDA_HTTP_READ_TIMEOUT_MS": timedelta(0)})
    assert "CAMUNDA_HTTP_READ_TIMEOUT_MS" in problems


def test_typed_bool_is_not_a_number() -> None:
    problems = problems_of({"CAMUNDA_HTTP_MAX_CONNECTIONS": True})
    assert problems["CAMUNDA_HTTP_MAX_CONNECTIONS"] == "expected a positive integer, got True"


@pytest.mark.parametrize(
    ("variable", "given"),
    [
        ("CAMUNDA_RETRY_MAX_ATTEMPTS", "0"),
        ("CAMUNDA_MAX_CONCURRENT_REQUESTS", "0"),
        ("CAMUNDA_HTTP_MAX_CONNECTIONS", "-1"),
        ("CAMUNDA_WORKER_MAX_CONCURRENT_JOBS", "0"),
        ("CAMUNDA_WORKER_TIMEOUT", "0"),
        ("CAMUNDA_WORKER_REQUEST_TIMEOUT", "-1"),
        ("CAMUNDA_RETRY_DEADLINE_MS", "0"),
    ],
)
def test_integer_lower_bounds(variable: str, given: str) -> None:
    assert variable in problems_of(env={variable: given})


def test_retry_max_attempts_one_means_no_retries_and_is_valid() -> None:
    assert resolve(env={"CAMUNDA_RETRY_MAX_ATTEMPTS": "1"}).retry_max_attempts == 1


def test_retry_max_delay_below_initial_delay_is_a_problem() -> None:
    problems = problems_of(
        env={"CAMUNDA_RETRY_INITIAL_DELAY_MS": "2000", "CAMUNDA_RETRY_MAX_DELAY_MS": "1000"}
    )
    assert "CAMUNDA_RETRY_MAX_DELAY_MS" in problems


def test_worker_defaults() -> None:
    config = resolve(
        env={
            "CAMUNDA_WORKER_TIMEOUT": "30000",
            "CAMUNDA_WORKER_MAX_CONCURRENT_JOBS": "4",
            "CAMUNDA_WORKER_REQUEST_TIMEOUT": "20000",
            "CAMUNDA_WORKER_NAME": "billing",
        }
    )
    assert config.worker_timeout_ms == 30000
    assert config.worker_max_concurrent_jobs == 4
    assert config.worker_request_timeout_ms == 20000
    assert config.worker_name == "billing"


@pytest.mark.parametrize("word", ["true", "TRUE", "1", "yes", "Yes", "on", "ON"])
def test_boolean_true_spellings(word: str) -> None:
    assert resolve(env={"CAMUNDA_TOKEN_DISK_CACHE_DISABLE": word}).token_disk_cache_disable is True


@pytest.mark.parametrize("word", ["false", "False", "0", "no", "NO", "off", "Off"])
def test_boolean_false_spellings(word: str) -> None:
    assert resolve(env={"CAMUNDA_BACKPRESSURE_ADAPTIVE": word}).backpressure_adaptive is False


def test_boolean_garbage_is_a_problem() -> None:
    problems = problems_of(env={"CAMUNDA_BACKPRESSURE_ADAPTIVE": "maybe"})
    assert problems["CAMUNDA_BACKPRESSURE_ADAPTIVE"].startswith("expected a boolean")
    assert "'maybe'" in problems["CAMUNDA_BACKPRESSURE_ADAPTIVE"]


def test_typed_bool_in_explicit_dict() -> None:
    assert resolve({"CAMUNDA_BACKPRESSURE_ADAPTIVE": False}).backpressure_adaptive is False


@pytest.mark.parametrize(
    ("given", "expected"), [("httpx", "httpx"), ("AIOHTTP", "aiohttp"), ("auto", "auto")]
)
def test_http_transport_choices(given: str, expected: str) -> None:
    assert resolve(env={"CAMUNDA_HTTP_TRANSPORT": given}).http_transport == expected


def test_http_transport_unknown_is_a_problem() -> None:
    problems = problems_of(env={"CAMUNDA_HTTP_TRANSPORT": "requests"})
    assert (
        problems["CAMUNDA_HTTP_TRANSPORT"] == "expected one of auto, httpx, aiohttp, got 'requests'"
    )


# -- log level ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("DEBUG", "debug"),
        ("warning", "warn"),
        ("Warn", "warn"),
        ("silent", "silent"),
        ("silly", "silly"),
    ],
)
def test_log_level(given: str, expected: str) -> None:
    config = resolve(env={"CAMUNDA_SDK_LOG_LEVEL": given})
    assert config.log_level == expected
    assert config.log_level_explicit is True


def test_log_level_explicit_from_dict_even_when_default_value() -> None:
    config = resolve({"CAMUNDA_SDK_LOG_LEVEL": "error"})
    assert config.log_level == "error" and config.log_level_explicit is True


def test_log_level_unknown_is_a_problem() -> None:
    assert "CAMUNDA_SDK_LOG_LEVEL" in problems_of(env={"CAMUNDA_SDK_LOG_LEVEL": "verbose"})


# -- auth strategy ---------------------------------------------------------------------


def test_oauth_inferred_from_client_credentials() -> None:
    config = resolve(env={"CAMUNDA_CLIENT_ID": "id", "CAMUNDA_CLIENT_SECRET": "s3cr3t-value"})
    assert config.auth_strategy == "OAUTH"
    assert config.client_id == "id"
    assert config.client_secret == Secret("s3cr3t-value")


def test_basic_inferred_from_username_and_password() -> None:
    config = resolve(
        env={"CAMUNDA_BASIC_AUTH_USERNAME": "demo", "CAMUNDA_BASIC_AUTH_PASSWORD": "pw-demo"}
    )
    assert config.auth_strategy == "BASIC"
    assert config.basic_auth_username == "demo"
    assert isinstance(config.basic_auth_password, Secret)
    assert config.basic_auth_password.reveal() == "pw-demo"


def test_none_inferred_without_credentials() -> None:
    assert resolve().auth_strategy == "NONE"


def test_both_credential_sets_without_strategy_is_an_error() -> None:
    env = {
        "CAMUNDA_CLIENT_ID": "id",
        "CAMUNDA_CLIENT_SECRET": "oauth-secret-1",
        "CAMUNDA_BASIC_AUTH_USERNAME": "demo",
        "CAMUNDA_BASIC_AUTH_PASSWORD": "basic-secret-2",
    }
    with pytest.raises(ConfigurationError) as caught:
        resolve(env=env)
    assert caught.value.variables == ("CAMUNDA_AUTH_STRATEGY",)
    text = str(caught.value)
    assert "set CAMUNDA_AUTH_STRATEGY" in text
    assert "oauth-secret-1" not in text and "basic-secret-2" not in text


def test_both_credential_sets_with_strategy_is_fine() -> None:
    env = {
        "CAMUNDA_AUTH_STRATEGY": "basic",
        "CAMUNDA_CLIENT_ID": "id",
        "CAMUNDA_CLIENT_SECRET": "s",
        "CAMUNDA_BASIC_AUTH_USERNAME": "demo",
        "CAMUNDA_BASIC_AUTH_PASSWORD": "pw",
    }
    assert resolve(env=env).auth_strategy == "BASIC"


def test_basic_without_password_is_a_problem() -> None:
    problems = problems_of(
        env={"CAMUNDA_AUTH_STRATEGY": "BASIC", "CAMUNDA_BASIC_AUTH_USERNAME": "demo"}
    )
    assert set(problems) == {"CAMUNDA_BASIC_AUTH_PASSWORD"}
    assert "BASIC" in problems["CAMUNDA_BASIC_AUTH_PASSWORD"]


def test_basic_without_anything_names_both_variables() -> None:
    problems = problems_of({"CAMUNDA_AUTH_STRATEGY": "BASIC"})
    assert set(problems) == {"CAMUNDA_BASIC_AUTH_USERNAME", "CAMUNDA_BASIC_AUTH_PASSWORD"}


def test_oauth_without_secret_is_a_problem() -> None:
    problems = problems_of(env={"CAMUNDA_AUTH_STRATEGY": "OAUTH", "CAMUNDA_CLIENT_ID": "id"})
    assert set(problems) == {"CAMUNDA_CLIENT_SECRET"}


def test_partial_oauth_credentials_infer_oauth_and_report_the_missing_half() -> None:
    problems = problems_of(env={"CAMUNDA_CLIENT_ID": "id"})
    assert set(problems) == {"CAMUNDA_CLIENT_SECRET"}
    assert "inferred" in problems["CAMUNDA_CLIENT_SECRET"]


def test_unknown_strategy_names_pass_through_upper_cased() -> None:
    assert resolve(env={"CAMUNDA_AUTH_STRATEGY": "my-sso"}).auth_strategy == "MY-SSO"


def test_strategy_name_is_upper_cased() -> None:
    config = resolve(
        {"CAMUNDA_AUTH_STRATEGY": "oauth", "CAMUNDA_CLIENT_ID": "i", "CAMUNDA_CLIENT_SECRET": "s"}
    )
    assert config.auth_strategy == "OAUTH"


def test_none_strategy_ignores_credentials() -> None:
    config = resolve(env={"CAMUNDA_AUTH_STRATEGY": "none", "CAMUNDA_CLIENT_ID": "id"})
    assert config.auth_strategy == "NONE"
    assert config.client_id == "id"


# -- token cache -----------------------------------------------------------------------------


def test_token_cache_disk_when_directory_set(tmp_path: Path) -> None:
    config = resolve(env={"CAMUNDA_TOKEN_CACHE_DIR": str(tmp_path)})
    assert config.token_cache == "disk"
    assert config.token_cache_dir == tmp_path


def test_token_cache_memory_when_disk_disabled(tmp_path: Path) -> None:
    config = resolve(
        env={"CAMUNDA_TOKEN_CACHE_DIR": str(tmp_path), "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": "true"}
    )
    assert config.token_cache == "memory"


def test_token_cache_any_name_lower_cased() -> None:
    assert resolve(env={"CAMUNDA_TOKEN_CACHE": "Keyring"}).token_cache == "keyring"


def test_token_cache_disk_while_disk_disabled_is_a_problem() -> None:
    problems = problems_of(
        env={
            "CAMUNDA_TOKEN_CACHE": "disk",
            "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": "yes",
            "CAMUNDA_TOKEN_CACHE_DIR": "/tmp/tokens",
        }
    )
    assert set(problems) == {"CAMUNDA_TOKEN_CACHE"}


def test_token_cache_disk_without_directory_is_a_problem() -> None:
    problems = problems_of(env={"CAMUNDA_TOKEN_CACHE": "disk"})
    assert set(problems) == {"CAMUNDA_TOKEN_CACHE_DIR"}


def test_token_cache_disk_with_directory(tmp_path: Path) -> None:
    config = resolve(env={"CAMUNDA_TOKEN_CACHE": "DISK", "CAMUNDA_TOKEN_CACHE_DIR": str(tmp_path)})
    assert config.token_cache == "disk"


def test_token_cache_dir_expands_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = resolve(env={"CAMUNDA_TOKEN_CACHE_DIR": "~/tokens"})
    assert config.token_cache_dir == tmp_path / "tokens"


def test_relative_token_cache_dir_is_taken_from_cwd(tmp_path: Path) -> None:
    config = resolve({"CAMUNDA_TOKEN_CACHE_DIR": Path("cache")}, cwd=tmp_path)
    assert config.token_cache_dir == tmp_path / "cache"


# -- precedence and aliases -----------------------------------------------------------------


def test_explicit_beats_environment() -> None:
    config = resolve({"CAMUNDA_TENANT_ID": "explicit"}, env={"CAMUNDA_TENANT_ID": "env"})
    assert config.tenant_id == "explicit"


def test_explicit_none_or_empty_falls_through_to_environment() -> None:
    assert resolve({"CAMUNDA_TENANT_ID": None}, env={"CAMUNDA_TENANT_ID": "env"}).tenant_id == "env"
    assert resolve({"CAMUNDA_TENANT_ID": ""}, env={"CAMUNDA_TENANT_ID": "env"}).tenant_id == "env"


@pytest.mark.parametrize(
    ("alias", "attribute", "value"),
    [
        ("ZEEBE_REST_ADDRESS", "rest_address", "http://zeebe:8080/v2"),
        ("CAMUNDA_CLIENT_AUTH_CLIENTID", "client_id", "legacy-id"),
        ("ZEEBE_CLIENT_ID", "client_id", "zeebe-id"),
        ("ZEEBE_TOKEN_AUDIENCE", "token_audience", "aud"),
        ("ZEEBE_AUTHORIZATION_SERVER_URL", "oauth_url", "https://idp.example/token"),
    ],
)
def test_aliases_are_read(alias: str, attribute: str, value: str) -> None:
    config = resolve(env={alias: value, "CAMUNDA_AUTH_STRATEGY": "NONE"})
    assert getattr(config, attribute) == value


@pytest.mark.parametrize("alias", ["CAMUNDA_CLIENT_AUTH_CLIENTSECRET", "ZEEBE_CLIENT_SECRET"])
def test_secret_aliases_are_read(alias: str) -> None:
    config = resolve(env={alias: "alias-secret", "CAMUNDA_CLIENT_ID": "id"})
    assert config.client_secret == Secret("alias-secret")
    assert config.auth_strategy == "OAUTH"


def test_names_of_one_variable_agreeing_in_one_layer_are_fine() -> None:
    # Different values in one layer are a ConfigurationError (tests/core/test_config_aliases.py).
    env = {"ZEEBE_REST_ADDRESS": "http://same:1", "CAMUNDA_REST_ADDRESS": "http://same:1/v2"}
    assert resolve(env=env).rest_address == "http://same:1/v2"
    env = {
        "ZEEBE_CLIENT_ID": "c",
        "CAMUNDA_CLIENT_AUTH_CLIENTID": "c",
        "CAMUNDA_AUTH_STRATEGY": "NONE",
    }
    assert resolve(env=env).client_id == "c"


def test_alias_in_higher_layer_beats_canonical_in_lower_layer() -> None:
    config = resolve(
        {"ZEEBE_REST_ADDRESS": "http://explicit-alias:1"},
        env={"CAMUNDA_REST_ADDRESS": "http://env-canonical:2"},
    )
    assert config.rest_address == "http://explicit-alias:1/v2"


def test_problem_names_the_alias_the_user_set() -> None:
    problems = problems_of(env={"ZEEBE_REST_ADDRESS": "nope"})
    assert set(problems) == {"ZEEBE_REST_ADDRESS"}


def test_unknown_camunda_environment_variables_are_ignored() -> None:
    # Ignored with a warning (tests/core/test_config_unused.py), never an error.
    with pytest.warns(UserWarning, match="CAMUNDA_SOMETHING_ELSE"):
        config = resolve(
            env={"CAMUNDA_SOMETHING_ELSE": "x", "CAMUNDA_MODELER_HOME": "/opt", "ZEEBE_FOO": "1"}
        )
    assert config == resolve()


# -- explicit dict checks ---------------------------------------------------------------------


def test_unknown_explicit_key_suggests_the_closest_name() -> None:
    problems = problems_of({"CAMUNDA_RESTADDRESS": "http://x"})
    assert problems["CAMUNDA_RESTADDRESS"] == (
        "not a known configuration variable; did you mean 'CAMUNDA_REST_ADDRESS'?"
    )


def test_lower_case_explicit_key_suggests_the_upper_case_name() -> None:
    problems = problems_of({"camunda_client_id": "x"})
    assert "did you mean 'CAMUNDA_CLIENT_ID'?" in problems["camunda_client_id"]


def test_unknown_explicit_key_without_close_match() -> None:
    problems = problems_of({"COMPLETELY_DIFFERENT": 1})
    assert problems["COMPLETELY_DIFFERENT"] == "not a known configuration variable"


def test_non_string_explicit_key_is_a_problem() -> None:
    problems = problems_of({42: "x"})  # type: ignore[dict-item]
    assert "42" in problems


def test_explicit_aliases_are_accepted() -> None:
    assert resolve({"ZEEBE_CLIENT_ID": "z", "CAMUNDA_AUTH_STRATEGY": "NONE"}).client_id == "z"


def test_explicit_typed_values() -> None:
    config = resolve(
        {
            "CAMUNDA_HTTP_MAX_CONNECTIONS": 7,
            "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": True,
            "CAMUNDA_TOKEN_CACHE_DIR": Path("/var/cache/camunda"),
            "CAMUNDA_CLIENT_SECRET": Secret("already-wrapped"),
            "CAMUNDA_CLIENT_ID": "id",
        }
    )
    assert config.http_max_connections == 7
    assert config.token_disk_cache_disable is True
    assert config.token_cache_dir == Path("/var/cache/camunda")
    assert config.client_secret == Secret("already-wrapped")


def test_wrong_type_for_string_variable_is_a_problem() -> None:
    problems = problems_of({"CAMUNDA_TENANT_ID": 5})
    assert problems["CAMUNDA_TENANT_ID"] == "expected a string, got 5"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve(
            {"CAMUNDA_REST_ADRESS": "x"},
            env={
                "CAMUNDA_HTTP_READ_TIMEOUT_MS": "abc",
                "CAMUNDA_HTTP_CONNECT_TIMEOUT_MS": "-1",
                "CAMUNDA_SDK_LOG_LEVEL": "loud",
                "CAMUNDA_REST_ADDRESS": "ftp://x",
            },
        )
    assert set(caught.value.variables) == {
        "CAMUNDA_REST_ADRESS",
        "CAMUNDA_HTTP_READ_TIMEOUT_MS",
        "CAMUNDA_HTTP_CONNECT_TIMEOUT_MS",
        "CAMUNDA_SDK_LOG_LEVEL",
        "CAMUNDA_REST_ADDRESS",
    }
    assert "(5 problems)" in str(caught.value)


# -- environment handling -----------------------------------------------------------------------


def test_os_environ_is_the_default_and_is_not_modified(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("CAMUNDA_WORKER_NAME=from-file\nUNRELATED_APP_SETTING=1\n")
    monkeypatch.setenv("CAMUNDA_TENANT_ID", "from-os-environ")
    monkeypatch.setenv("CAMUNDA_LOAD_ENVFILE", "true")
    before = dict(os.environ)
    config = resolve_config(cwd=tmp_path)
    assert dict(os.environ) == before
    assert config.tenant_id == "from-os-environ"
    assert config.worker_name == "from-file"
    assert "UNRELATED_APP_SETTING" not in os.environ


def test_environ_mapping_is_only_read() -> None:
    class ReadOnlyEnviron(Mapping[str, str]):
        def __init__(self, values: dict[str, str]) -> None:
            self._values = values
            self.read: set[str] = set()

        def __getitem__(self, key: str) -> str:
            self.read.add(key)
            return self._values[key]

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(self._values)

        def __len__(self) -> int:
            return len(self._values)

    environ = ReadOnlyEnviron(
        {"CAMUNDA_TENANT_ID": "t", "CAMUNDA_TYPO": "x", "ZEEBE_ADDRESS": "y", "HOME": "/root"}
    )
    with pytest.warns(UserWarning, match="CAMUNDA_TYPO"):
        assert resolve_config(environ=environ).tenant_id == "t"
    # Names are scanned for ones without effect; only the table's values are read.
    assert "CAMUNDA_TENANT_ID" in environ.read
    assert not environ.read & {"CAMUNDA_TYPO", "ZEEBE_ADDRESS", "HOME"}


# -- the config object -----------------------------------------------------------------------


def test_config_is_frozen() -> None:
    config = resolve()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        config.rest_address = "http://elsewhere"  # type: ignore[misc]


def test_with_overrides_returns_a_new_config() -> None:
    config = resolve()
    changed = config.with_overrides(http_read_timeout=60.0, rest_address="http://other:1")
    assert changed.http_read_timeout == 60.0
    assert changed.rest_address == "http://other:1/v2"
    assert config.http_read_timeout == 30.0
    assert changed is not config


def test_with_overrides_wraps_plain_secrets() -> None:
    changed = resolve().with_overrides(client_secret="plain-override-secret")
    assert changed.client_secret == Secret("plain-override-secret")
    assert "plain-override-secret" not in repr(changed)


def test_with_overrides_rejects_unknown_attribute_with_suggestion() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve().with_overrides(http_read_timout=1.0)
    assert caught.value.variables == ("http_read_timout",)
    assert "did you mean 'http_read_timeout'?" in str(caught.value)


def test_with_overrides_rejects_bad_rest_address() -> None:
    with pytest.raises(ConfigurationError):
        resolve().with_overrides(rest_address="ftp://x")


def test_config_pickles() -> None:
    config = resolve(
        env={"CAMUNDA_CLIENT_ID": "id", "CAMUNDA_CLIENT_SECRET": "pickled-secret"},
        extra_variables=[Variable(name="CAMUNDA_PLUGIN_X", description="x", default="d")],
    )
    clone = pickle.loads(pickle.dumps(config))
    assert clone == config
    assert clone.extra == {"CAMUNDA_PLUGIN_X": "d"}


def test_config_is_hashable() -> None:
    assert hash(resolve()) == hash(resolve())


# -- the table itself --------------------------------------------------------------------------


def test_table_attributes_match_config_fields() -> None:
    fields = {field.name for field in attrs.fields(CamundaConfig)}
    attributes = {variable.attribute for variable in VARIABLES if not variable.ignored}
    assert attributes - fields == set()
    assert {variable.attribute for variable in VARIABLES if variable.ignored} == {None}
    assert fields - attributes == {"log_level_explicit", "extra"}


def test_table_names_are_unique_and_prefixed() -> None:
    names = [name for variable in VARIABLES for name in variable.names]
    assert len(names) == len(set(names))
    assert all(name.startswith(("CAMUNDA_", "ZEEBE_")) for name in names)
    assert all(variable.description for variable in VARIABLES)


# The seed's configuration reference: name -> default (None for "—").
SEED_REFERENCE = {
    "ZEEBE_REST_ADDRESS": "http://localhost:8080/v2",
    "CAMUNDA_REST_ADDRESS": "http://localhost:8080/v2",
    "CAMUNDA_TOKEN_AUDIENCE": "zeebe.camunda.io",
    "CAMUNDA_OAUTH_URL": "https://login.cloud.camunda.io/oauth/token",
    "CAMUNDA_CLIENT_ID": None,
    "CAMUNDA_CLIENT_SECRET": None,
    "CAMUNDA_CLIENT_AUTH_CLIENTID": None,
    "CAMUNDA_CLIENT_AUTH_CLIENTSECRET": None,
    "CAMUNDA_AUTH_STRATEGY": "NONE",
    "CAMUNDA_BASIC_AUTH_USERNAME": None,
    "CAMUNDA_BASIC_AUTH_PASSWORD": None,
    "CAMUNDA_SDK_LOG_LEVEL": "error",
    "CAMUNDA_TOKEN_CACHE_DIR": None,
    "CAMUNDA_TOKEN_DISK_CACHE_DISABLE": "false",
    "CAMUNDA_LOAD_ENVFILE": None,
}


@pytest.mark.parametrize(("name", "default"), sorted(SEED_REFERENCE.items()))
def test_seed_reference_is_covered_with_the_same_defaults(name: str, default: str | None) -> None:
    variable = next(v for v in VARIABLES if name in v.names)
    expected = "—" if default is None else f"`{default}`"
    assert variable.default_text() == expected
