"""``camunda doctor``: each step against the test kit with OAuth; a wrong secret names the failing
step and the variable to fix; secrets never appear."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_testing import camunda

from camunda_testkit import FakeCluster

SECRET = "s3cret-value-1234"
WRONG_SECRET = "wr0ng-value-5678"


@pytest.fixture
def oauth_cluster() -> Iterator[FakeCluster]:
    with FakeCluster(require_auth="bearer", oauth_clients={"demo": SECRET}) as cluster:
        yield cluster


def _oauth_env(monkeypatch: pytest.MonkeyPatch, cluster: FakeCluster, secret: str) -> None:
    monkeypatch.setenv("CAMUNDA_REST_ADDRESS", cluster.rest_address)
    monkeypatch.setenv("CAMUNDA_OAUTH_URL", cluster.oauth_url)
    monkeypatch.setenv("CAMUNDA_CLIENT_ID", "demo")
    monkeypatch.setenv("CAMUNDA_CLIENT_SECRET", secret)


def _statuses(report: dict[str, object]) -> dict[str, str]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return {check["step"]: check["status"] for check in checks}  # pyright: ignore


def test_every_step_passes_against_the_test_kit_with_oauth(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, oauth_cluster: FakeCluster
) -> None:
    _oauth_env(monkeypatch, oauth_cluster, SECRET)
    outcome = camunda(capsys, "doctor", "--json")
    assert outcome.code == 0, outcome.err
    report = outcome.json()
    assert report["ok"] is True
    assert _statuses(report) == {
        "configuration": "pass", "connectivity": "pass", "tls": "skip", "auth": "pass",
        "topology": "pass", "broker version": "pass",
    }
    broker = next(check for check in report["checks"] if check["step"] == "broker version")
    assert broker["detail"].startswith("8.9.0")
    settings = {row["variable"]: row for row in report["settings"]}
    assert settings["CAMUNDA_CLIENT_ID"]["source"] == "environment"
    assert settings["CAMUNDA_CLIENT_SECRET"]["source"] == "environment"
    assert settings["CAMUNDA_CLIENT_SECRET"]["value"] == "***"
    assert settings["CAMUNDA_HTTP_READ_TIMEOUT_MS"]["source"] == "default"
    assert oauth_cluster.stats.token_requests >= 1
    assert SECRET not in outcome.out + outcome.err


def test_the_human_report_shows_a_line_per_step(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, oauth_cluster: FakeCluster
) -> None:
    _oauth_env(monkeypatch, oauth_cluster, SECRET)
    outcome = camunda(capsys, "doctor")
    assert outcome.code == 0, outcome.err
    for step in ("configuration", "connectivity", "auth", "topology", "broker version"):
        assert f"pass  {step}:" in outcome.out
    assert "skip  tls:" in outcome.out
    assert "CAMUNDA_CLIENT_SECRET" in outcome.out  # the settings table lists it...
    assert SECRET not in outcome.out + outcome.err  # ...redacted


@pytest.mark.parametrize("as_json", [False, True])
def test_a_wrong_secret_fails_the_auth_step_naming_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, oauth_cluster: FakeCluster, as_json: bool
) -> None:
    _oauth_env(monkeypatch, oauth_cluster, WRONG_SECRET)
    outcome = camunda(capsys, "doctor", *(["--json"] if as_json else []))
    assert outcome.code == 4
    assert outcome.err.startswith("camunda: error: doctor: auth failed:")
    assert "CAMUNDA_CLIENT_SECRET" in outcome.err
    if as_json:
        report = outcome.json()
        assert report["ok"] is False
        assert _statuses(report)["auth"] == "fail"
        assert _statuses(report)["topology"] == "skip"
        auth = next(check for check in report["checks"] if check["step"] == "auth")
        assert "CAMUNDA_CLIENT_SECRET" in auth["fix"]
    else:
        assert "FAIL  auth:" in outcome.out
        assert "fix: check CAMUNDA_CLIENT_SECRET" in outcome.out
    assert WRONG_SECRET not in outcome.out + outcome.err
    assert SECRET not in outcome.out + outcome.err
    assert "Traceback" not in outcome.err


def test_an_unreachable_cluster_fails_connectivity_and_exits_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMUNDA_REST_ADDRESS", "http://127.0.0.1:1")
    outcome = camunda(capsys, "doctor", "--json")
    assert outcome.code == 3
    report = outcome.json()
    assert _statuses(report) == {
        "configuration": "pass", "connectivity": "fail", "tls": "skip", "auth": "skip", "topology": "skip",
    }
    assert "CAMUNDA_REST_ADDRESS" in outcome.err


def test_basic_credentials_the_cluster_refuses_fail_the_auth_step(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeCluster(require_auth="basic", basic_users={"ann": "right-password"}) as cluster:
        monkeypatch.setenv("CAMUNDA_REST_ADDRESS", cluster.rest_address)
        monkeypatch.setenv("CAMUNDA_BASIC_AUTH_USERNAME", "ann")
        monkeypatch.setenv("CAMUNDA_BASIC_AUTH_PASSWORD", "wrong-password")
        outcome = camunda(capsys, "doctor", "--json")
    assert outcome.code == 4
    assert _statuses(outcome.json())["auth"] == "fail"
    assert "CAMUNDA_BASIC_AUTH_PASSWORD" in outcome.err
    assert "wrong-password" not in outcome.out + outcome.err


def test_settings_from_a_dotenv_file_say_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, camunda_cluster: FakeCluster
) -> None:
    envfile = tmp_path / "camunda.env"
    envfile.write_text(f"CAMUNDA_REST_ADDRESS={camunda_cluster.rest_address}\n")
    monkeypatch.setenv("CAMUNDA_LOAD_ENVFILE", str(envfile))
    outcome = camunda(capsys, "doctor", "--json")
    assert outcome.code == 0, outcome.err
    settings = {row["variable"]: row for row in outcome.json()["settings"]}
    assert settings["CAMUNDA_REST_ADDRESS"]["source"] == ".env"
    assert str(envfile) in settings["CAMUNDA_REST_ADDRESS"]["detail"]
    assert settings["CAMUNDA_AUTH_STRATEGY"]["source"] == "default"


def test_an_invalid_configuration_exits_2_naming_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMUNDA_HTTP_READ_TIMEOUT_MS", "soon")
    outcome = camunda(capsys, "doctor", "--json")
    assert outcome.code == 2
    assert _statuses(outcome.json()) == {"configuration": "fail"}
    assert "CAMUNDA_HTTP_READ_TIMEOUT_MS" in outcome.err
    assert outcome.err.count("\n") == 1
