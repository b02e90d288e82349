#!/usr/bin/env bash
# One command to run every check: lint, types (strict), generator and config
# reference drift, the docs site (strict), the whole test suite, and each member
# installed alone.
set -euo pipefail
cd "$(dirname "$0")/.."

SPEC_DIR="${CAMUNDA_SPEC_DIR:-../shared/spec/camunda-8.9}"

echo "== ruff"
uv run --frozen ruff check .
echo "== pyright (strict) on packages/ and examples/"
uv run --frozen pyright
if [ -d "$SPEC_DIR" ]; then
  echo "== generator --check ($SPEC_DIR)"
  uv run --frozen python -m tools.generator --spec-dir "$SPEC_DIR" --check
  echo "== docs: operation tags --check ($SPEC_DIR)"
  uv run --frozen python -m tools.docs_site.spec_tags --spec-dir "$SPEC_DIR" --check
else
  echo "== generator --check skipped: no spec at $SPEC_DIR"
fi
echo "== configuration reference in README"
uv run --frozen python tools/config_reference.py --check
echo "== docs site: mkdocs build --strict (API reference generated from the code)"
# NO_MKDOCS_2_WARNING: mkdocs-material prints a banner about its own future, not about this site.
NO_MKDOCS_2_WARNING=1 uv run --frozen mkdocs build --strict --quiet
echo "== pytest"
uv run --frozen pytest "$@"
echo "== members installed alone"
bash tools/test_isolated.sh
echo "== Python 3.10 (the minimum), when the machine has it"
bash tools/test_py310.sh
