#!/usr/bin/env bash
# Each member's tests, in a fresh venv holding only that member, the members it
# declares, and the test tools. Proves e.g. that camunda-core works alone.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="$(uv run --frozen python -c 'import sys; print(sys.executable)')"
# cryptography: the TLS tests make their own certificates (a test tool, not a dependency).
TEST_TOOLS=(pytest respx "keyrings.alt" cryptography ./packages/camunda-testkit)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

run_member() {
  local folder="$1"; shift
  local forbidden="$1"; shift
  local venv
  venv="$(mktemp -d "$WORK/$folder.XXXX")"  # a member may run twice (with and without an extra)
  uv venv --quiet --python "$PY" "$venv"
  uv pip install --quiet --python "$venv/bin/python" "$@" "${TEST_TOOLS[@]}"
  if [ -n "$forbidden" ]; then
    for module in $forbidden; do
      if "$venv/bin/python" -c "import $module" 2>/dev/null; then
        echo "isolation: $module must not be installed with $folder" >&2; exit 1
      fi
    done
  fi
  echo "-- tests/$folder alone"
  set +e
  "$venv/bin/python" -m pytest -q "tests/$folder" -m "not prism"
  local rc=$?
  set -e
  # 5 = no tests collected: a member without tests yet is not a failure here.
  if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then exit $rc; fi
}

run_member core "camunda_workers camunda_auth_oauth camunda_orchestration_sdk" ./packages/camunda-core
# keyring is an extra: without it the keyring tests skip and the missing-extra errors are tested.
run_member auth_oauth "camunda_workers camunda_orchestration_sdk keyring" ./packages/camunda-core ./packages/camunda-auth-oauth
run_member auth_oauth "camunda_workers camunda_orchestration_sdk" ./packages/camunda-core "./packages/camunda-auth-oauth[keyring]"
run_member workers "camunda_auth_oauth camunda_orchestration_sdk" ./packages/camunda-core ./packages/camunda-workers
run_member otel "camunda_workers camunda_orchestration_sdk" ./packages/camunda-core ./packages/camunda-otel opentelemetry-sdk
run_member testkit "camunda_core" 
run_member cli "" ./packages/camunda-core ./packages/camunda-auth-oauth ./packages/camunda-workers ./packages/camunda-sdk ./packages/camunda-cli
echo "isolation: ok"
