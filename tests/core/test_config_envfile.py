"""CAMUNDA_LOAD_ENVFILE: which file, precedence against the other layers, tolerance."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from camunda_core.config import resolve_config
from camunda_core.errors import ConfigurationError


def write_env(directory: Path, text: str, name: str = ".env") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("switch", ["true", "TRUE", "1", "yes"])
def test_true_loads_dotenv_from_cwd(tmp_path: Path, switch: str) -> None:
    write_env(tmp_path, "CAMUNDA_TENANT_ID=from-file\n")
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": switch}, cwd=tmp_path)
    assert config.tenant_id == "from-file"
    assert config.load_envfile == str(tmp_path / ".env")


@pytest.mark.parametrize("switch", ["false", "0", "no", "", "False"])
def test_false_loads_nothing(tmp_path: Path, switch: str) -> None:
    write_env(tmp_path, "CAMUNDA_TENANT_ID=from-file\n")
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": switch}, cwd=tmp_path)
    assert config.tenant_id is None
    assert config.load_envfile is None


def test_no_switch_loads_nothing(tmp_path: Path) -> None:
    write_env(tmp_path, "CAMUNDA_TENANT_ID=from-file\n")
    assert resolve_config(environ={}, cwd=tmp_path).tenant_id is None


def test_path_loads_that_file(tmp_path: Path) -> None:
    path = write_env(tmp_path, "CAMUNDA_WORKER_NAME=custom\n", name="dev.env")
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": str(path)}, cwd=Path("/"))
    assert config.worker_name == "custom"
    assert config.load_envfile == str(path)


def test_relative_path_is_taken_from_cwd(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    write_env(tmp_path / "conf", "CAMUNDA_WORKER_NAME=relative\n", name="app.env")
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "conf/app.env"}, cwd=tmp_path)
    assert config.worker_name == "relative"


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write_env(tmp_path, "CAMUNDA_WORKER_NAME=home\n", name="dev.env")
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "~/dev.env"})
    assert config.worker_name == "home"


def test_switch_in_explicit_dict(tmp_path: Path) -> None:
    write_env(tmp_path, "CAMUNDA_TENANT_ID=from-file\n")
    assert (
        resolve_config({"CAMUNDA_LOAD_ENVFILE": "true"}, environ={}, cwd=tmp_path).tenant_id
        == "from-file"
    )
    assert (
        resolve_config({"CAMUNDA_LOAD_ENVFILE": True}, environ={}, cwd=tmp_path).tenant_id
        == "from-file"
    )
    path = tmp_path / ".env"
    assert resolve_config({"CAMUNDA_LOAD_ENVFILE": path}, environ={}).tenant_id == "from-file"


def test_explicit_switch_beats_environment_switch(tmp_path: Path) -> None:
    write_env(tmp_path, "CAMUNDA_TENANT_ID=from-file\n")
    config = resolve_config(
        {"CAMUNDA_LOAD_ENVFILE": False}, environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=tmp_path
    )
    assert config.tenant_id is None


def test_missing_file_is_silently_ignored(tmp_path: Path) -> None:
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=tmp_path)
    assert config.tenant_id is None
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": str(tmp_path / "absent.env")})
    assert config.tenant_id is None


def test_directory_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": str(tmp_path)})
    assert caught.value.variables == ("CAMUNDA_LOAD_ENVFILE",)
    assert str(tmp_path) in str(caught.value)


def test_non_utf8_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"CAMUNDA_TENANT_ID=\xff\xfe\n")
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=tmp_path)
    assert caught.value.variables == ("CAMUNDA_LOAD_ENVFILE",)


def test_wrong_switch_type_is_a_problem() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config({"CAMUNDA_LOAD_ENVFILE": 3}, environ={})
    assert caught.value.variables == ("CAMUNDA_LOAD_ENVFILE",)


def test_three_layers_precedence(tmp_path: Path) -> None:
    write_env(
        tmp_path,
        """
        CAMUNDA_TENANT_ID=file
        CAMUNDA_WORKER_NAME=file
        CAMUNDA_OAUTH_SCOPE=file
        """,
    )
    env = {"CAMUNDA_LOAD_ENVFILE": "true", "CAMUNDA_TENANT_ID": "env", "CAMUNDA_WORKER_NAME": "env"}
    config = resolve_config({"CAMUNDA_TENANT_ID": "explicit"}, environ=env, cwd=tmp_path)
    assert config.tenant_id == "explicit"  # explicit > env > file
    assert config.worker_name == "env"  # env > file
    assert config.oauth_scope == "file"  # file is used when nothing is above it


def test_empty_environment_value_falls_through_to_file(tmp_path: Path) -> None:
    write_env(tmp_path, "CAMUNDA_TENANT_ID=file\n")
    config = resolve_config(
        environ={"CAMUNDA_LOAD_ENVFILE": "1", "CAMUNDA_TENANT_ID": ""}, cwd=tmp_path
    )
    assert config.tenant_id == "file"


def test_alias_in_environment_beats_canonical_in_file(tmp_path: Path) -> None:
    write_env(tmp_path, "CAMUNDA_REST_ADDRESS=http://file:1\n")
    config = resolve_config(
        environ={"CAMUNDA_LOAD_ENVFILE": "1", "ZEEBE_REST_ADDRESS": "http://env:2"}, cwd=tmp_path
    )
    assert config.rest_address == "http://env:2/v2"


def test_garbage_lines_do_not_crash(tmp_path: Path) -> None:
    write_env(
        tmp_path,
        """
        this is not a dotenv line
        ===
        CAMUNDA_TENANT_ID=good
        'unterminated
        export CAMUNDA_WORKER_NAME="quoted value"
        JUST_A_NAME
        CAMUNDA_OAUTH_SCOPE
        = no name
        \x00binary\x01
        CAMUNDA_SDK_LOG_LEVEL=debug # trailing comment
        """,
    )
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=tmp_path)
    assert config.tenant_id == "good"
    assert config.worker_name == "quoted value"
    assert config.oauth_scope is None  # a name without a value is not a value
    assert config.log_level == "debug"


def test_invalid_value_in_file_is_reported_under_its_name(tmp_path: Path) -> None:
    write_env(tmp_path, "CAMUNDA_HTTP_READ_TIMEOUT_MS=soon\n")
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=tmp_path)
    assert caught.value.variables == ("CAMUNDA_HTTP_READ_TIMEOUT_MS",)


def test_unknown_names_in_file_are_ignored(tmp_path: Path) -> None:
    write_env(tmp_path, "CAMUNDA_NOT_OURS=1\nDATABASE_URL=postgres://x\n")
    # Ignored, with a CamundaConfigWarning naming the CAMUNDA_ one (test_config_unused.py).
    with pytest.warns(UserWarning, match="CAMUNDA_NOT_OURS") as caught:
        config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=tmp_path)
    assert config.tenant_id is None
    assert "DATABASE_URL" not in str(caught[0].message)


def test_switch_inside_the_file_is_not_followed(tmp_path: Path) -> None:
    write_env(tmp_path, "CAMUNDA_LOAD_ENVFILE=other.env\n")
    write_env(tmp_path, "CAMUNDA_TENANT_ID=other\n", name="other.env")
    config = resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=tmp_path)
    assert config.tenant_id is None
    assert config.load_envfile == str(tmp_path / ".env")


def test_interpolation_uses_the_given_environ_and_earlier_lines(tmp_path: Path) -> None:
    write_env(
        tmp_path,
        """
        HOST_PART=cluster.example
        CAMUNDA_REST_ADDRESS=https://${HOST_PART}/${CLUSTER_ID}
        CAMUNDA_WORKER_NAME=${WORKER_PREFIX:-svc}-worker
        """,
    )
    config = resolve_config(
        environ={"CAMUNDA_LOAD_ENVFILE": "true", "CLUSTER_ID": "abc123"}, cwd=tmp_path
    )
    assert config.rest_address == "https://cluster.example/abc123/v2"
    assert config.worker_name == "svc-worker"


def test_dotenv_is_not_imported_unless_a_file_is_loaded(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from camunda_core.config import resolve_config
        resolve_config(environ={})
        assert "dotenv" not in sys.modules, "dotenv imported without a file"
        resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=__import__("pathlib").Path(sys.argv[1]))
        assert "dotenv" not in sys.modules, "dotenv imported for a missing file"
        open(sys.argv[1] + "/.env", "w").write("CAMUNDA_TENANT_ID=x\\n")
        resolve_config(environ={"CAMUNDA_LOAD_ENVFILE": "true"}, cwd=__import__("pathlib").Path(sys.argv[1]))
        assert "dotenv" in sys.modules
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
