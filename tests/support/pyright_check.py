"""Run pyright (strict, as configured in the root pyproject.toml) on a snippet: for negative typing tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from importlib.util import find_spec
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _pyright_command() -> list[str] | None:
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    if pyright:
        return [pyright]
    return [sys.executable, "-m", "pyright"] if find_spec("pyright") is not None else None


#: False when the running Python has no pyright (a member tested alone by tools/test_isolated.sh).
PYRIGHT_AVAILABLE = _pyright_command() is not None


def run_pyright(tmp_path: Path, source: str, *, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """pyright's result for ``source`` (dedented), checked against this Python's packages."""
    command = _pyright_command()
    if command is None:
        raise RuntimeError("pyright is not installed with this Python")
    sample = tmp_path / "sample.py"
    sample.write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run(
        [*command, "--pythonpath", sys.executable, str(sample)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
