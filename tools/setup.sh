#!/usr/bin/env bash
# One command to set everything up: uv (installed with pip if missing), the
# workspace environment from uv.lock, and the pinned Prism mock server.
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION="5.14.2"

if ! command -v uv >/dev/null 2>&1; then
  echo "setup: uv not found; installing it with pip"
  python3 -m pip install --quiet "uv>=0.8"
fi

uv sync --frozen --all-packages

if command -v npm >/dev/null 2>&1; then
  if [ ! -x .tools/prism/node_modules/.bin/prism ] || ! grep -q "\"version\": \"${PRISM_VERSION}\"" .tools/prism/node_modules/@stoplight/prism-cli/package.json 2>/dev/null; then
    echo "setup: installing @stoplight/prism-cli@${PRISM_VERSION}"
    mkdir -p .tools/prism
    npm install --prefix .tools/prism --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@${PRISM_VERSION}"
  fi
else
  echo "setup: npm not found; the Prism contract tests will be skipped" >&2
fi
echo "setup: done"
