"""The command line itself: --version, --help, one-line errors, --debug, the console script,
``camunda testkit``, and that the SDK's import does not load the CLI."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from cli_testing import camunda, start_program

import camunda_cli
from camunda_cli.app import app, main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    outcome = camunda(capsys, "--version")
    assert outcome.code == 0
    assert outcome.out == f"camunda {camunda_cli.__version__}\n"


def test_help_lists_every_command_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    outcome = camunda(capsys, "--help")
    assert outcome.code == 0
    for command in ("demo", "doctor", "deploy", "start", "instances", "cancel", "publish", "worker", "testkit"):
        assert command in outcome.out
    assert "3 cluster unreachable" in outcome.out


def test_every_command_that_outputs_data_has_json(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("demo", "doctor", "deploy", "start", "instances", "cancel", "publish", "worker"):
        assert "--json" in camunda(capsys, name, "--help").out, name
    assert "testkit" in app  # prints the variables to export, then serves until stopped


def test_debug_shows_the_traceback_anywhere_on_the_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMUNDA_REST_ADDRESS", "http://127.0.0.1:1")
    monkeypatch.setenv("CAMUNDA_RETRY_MAX_ATTEMPTS", "1")
    plain = camunda(capsys, "cancel", "123")
    assert plain.code == 3 and "Traceback" not in plain.err and plain.err.count("\n") == 1
    debug = camunda(capsys, "cancel", "123", "--debug")
    assert debug.code == 3
    assert "Traceback (most recent call last)" in debug.err
    assert debug.err.rstrip().splitlines()[-1].startswith("camunda: error: cluster unreachable")


def test_the_console_script_is_installed() -> None:
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="camunda")
    assert script.value == "camunda_cli.app:main"
    assert script.load() is main


def test_importing_the_sdk_does_not_import_the_cli() -> None:
    code = "import sys, camunda_orchestration_sdk; print('camunda_cli' in sys.modules, 'cyclopts' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["False", "False"]


def test_the_cli_brings_no_click() -> None:
    # httpx imports its own command line (click, rich, pygments) on `import httpx` whenever all
    # three are importable: a CLI built on click would slow every SDK import down.
    from importlib.metadata import requires

    assert not any(requirement.startswith("click") for requirement in requires("camunda-cli") or [])


def test_testkit_prints_the_variables_and_serves_until_sigterm() -> None:
    program = start_program(["testkit", "--port", "0", "--require-auth", "bearer"], {})
    assert program.stdout is not None
    exports: dict[str, str] = {}
    while len(exports) < 5:
        line = program.stdout.readline()
        assert line, program.communicate()
        name, _, value = line.removeprefix("export ").strip().partition("=")
        exports[name] = value
    assert exports["CAMUNDA_AUTH_STRATEGY"] == "OAUTH"
    token = httpx.post(exports["CAMUNDA_OAUTH_URL"], data={
        "grant_type": "client_credentials", "client_id": exports["CAMUNDA_CLIENT_ID"],
        "client_secret": exports["CAMUNDA_CLIENT_SECRET"]}).json()["access_token"]
    topology = httpx.get(f"{exports['CAMUNDA_REST_ADDRESS']}/topology", headers={"Authorization": f"Bearer {token}"})
    assert topology.status_code == 200
    program.terminate()
    _, err = program.communicate(timeout=30)
    assert program.returncode == 0, err


def test_testkit_on_a_taken_port_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    from camunda_testkit import FakeCluster

    with FakeCluster() as cluster:
        outcome = camunda(capsys, "testkit", "--port", str(cluster.port))
    assert outcome.code == 2
    assert f"cannot listen on 127.0.0.1:{cluster.port}" in outcome.err


def test_a_misspelt_variable_is_one_warning_line_not_a_python_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from camunda_testkit import FakeCluster

    with FakeCluster() as cluster:
        monkeypatch.setenv("CAMUNDA_REST_ADDRESS", cluster.rest_address)
        monkeypatch.setenv("CAMUNDA_SDK_LOG_LEVLE", "debug")
        outcome = camunda(capsys, "instances", "--json")
        assert outcome.code == 0
        assert outcome.err.startswith("camunda: warning: ")
        assert "CAMUNDA_SDK_LOG_LEVLE" in outcome.err and "did you mean CAMUNDA_SDK_LOG_LEVEL?" in outcome.err
        assert "CamundaConfigWarning" not in outcome.err and ".py:" not in outcome.err
        # doctor lists the name in its settings table instead of warning about it
        doctor = camunda(capsys, "doctor")
        assert doctor.code == 0
        assert "camunda: warning" not in doctor.err and "CamundaConfigWarning" not in doctor.err
        assert "CAMUNDA_SDK_LOG_LEVLE" in doctor.out
