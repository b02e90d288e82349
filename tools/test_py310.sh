#!/usr/bin/env bash
# The minimum supported Python (3.10), when this machine has it: the core,
# generator, SDK and worker tests in a separate environment. Optional: a
# machine without 3.10 skips it with a note.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  # A pyenv shim exists even when 3.10 is not selected, so ask each candidate to run.
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for candidate in "$root"/versions/3.10*/bin/python3.10 "$(command -v python3.10 || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c "import sys; assert sys.version_info[:2] == (3, 10)" 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
}

PY310="$(find_python310 || true)"
if [ -z "$PY310" ]; then
  echo "py310: no Python 3.10 interpreter on this machine; skipped"
  exit 0
fi
echo "py310: using $PY310"
export UV_PROJECT_ENVIRONMENT=.venv-py310
uv sync --frozen --all-packages --python "$PY310" --quiet
uv run --frozen --python "$PY310" pytest -q -m "not prism and not slow" tests/core tests/generator tests/sdk tests/workers tests/auth_oauth tests/testkit tests/cli tests/otel tests/compat
