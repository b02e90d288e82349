#!/usr/bin/env bash
# One command to set everything up: uv (installed with pip if missing), the
# workspace environment from uv.lock, and the pinned Prism mock server.
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION="5.14.2"
# Clients no one here wrote, for tests/fidelity: the official Python SDK (SDK 9.x
# targets Camunda 8.9; same distribution name as ours, so it gets its own venv)
# and the official JS SDK (9.x targets 8.9).
OFFICIAL_PY_SDK_VERSION="9.0.1"
OFFICIAL_JS_SDK_VERSION="9.1.5"

if ! command -v uv >/dev/null 2>&1; then
  echo "setup: uv not found; installing it with pip"
  python3 -m pip install --quiet "uv>=0.8"
fi

uv sync --frozen --all-packages

OFFICIAL_PY=.tools/official-python-sdk/bin/python
if ! ls .tools/official-python-sdk/lib/python*/site-packages/camunda_orchestration_sdk-"${OFFICIAL_PY_SDK_VERSION}".dist-info >/dev/null 2>&1; then
  echo "setup: installing the official camunda-orchestration-sdk==${OFFICIAL_PY_SDK_VERSION} into .tools/official-python-sdk"
  [ -x "$OFFICIAL_PY" ] || uv venv --quiet --python .venv/bin/python .tools/official-python-sdk
  uv pip install --quiet --python "$OFFICIAL_PY" "camunda-orchestration-sdk==${OFFICIAL_PY_SDK_VERSION}"
fi

if command -v npm >/dev/null 2>&1; then
  if [ ! -x .tools/prism/node_modules/.bin/prism ] || ! grep -q "\"version\": \"${PRISM_VERSION}\"" .tools/prism/node_modules/@stoplight/prism-cli/package.json 2>/dev/null; then
    echo "setup: installing @stoplight/prism-cli@${PRISM_VERSION}"
    mkdir -p .tools/prism
    npm install --prefix .tools/prism --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@${PRISM_VERSION}"
  fi
  if ! grep -q "\"version\": \"${OFFICIAL_JS_SDK_VERSION}\"" .tools/js-sdk/node_modules/@camunda8/orchestration-cluster-api/package.json 2>/dev/null; then
    echo "setup: installing @camunda8/orchestration-cluster-api@${OFFICIAL_JS_SDK_VERSION}"
    mkdir -p .tools/js-sdk
    npm install --prefix .tools/js-sdk --no-audit --no-fund --loglevel=error --save-exact "@camunda8/orchestration-cluster-api@${OFFICIAL_JS_SDK_VERSION}"
  fi
else
  echo "setup: npm not found; the Prism contract tests and the JS fidelity test will be skipped" >&2
fi
echo "setup: done"
