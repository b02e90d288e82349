"""Whole-spec generation: determinism, --check, headers, stale-file removal."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tools.generator.__main__ import main  # noqa: E402
from tools.generator.build_ir import build_ir  # noqa: E402
from tools.generator.load import load_spec_dir  # noqa: E402
from tools.generator.render_common import HEADER_LINE  # noqa: E402
from tools.generator.write import GENERATED_DIRS, render_all  # noqa: E402

SPEC_89 = (REPO_ROOT / "../shared/spec/camunda-8.9").resolve()
needs_spec = pytest.mark.skipif(not SPEC_89.is_dir(), reason="the 8.9 spec is not on this machine")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen89")
    assert main(["--spec-dir", str(SPEC_89), "--out", str(out)]) == 0
    return out


@needs_spec
def test_rendering_is_deterministic() -> None:
    first = render_all(build_ir(load_spec_dir(SPEC_89)))
    second = render_all(build_ir(load_spec_dir(SPEC_89)))
    assert first == second


@needs_spec
def test_generating_twice_writes_identical_trees(generated: Path, tmp_path: Path) -> None:
    assert main(["--spec-dir", str(SPEC_89), "--out", str(tmp_path)]) == 0
    first = {p.relative_to(generated): p.read_bytes() for p in generated.rglob("*.py")}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.py")}
    assert first == second


@needs_spec
def test_every_file_has_the_generated_header(generated: Path) -> None:
    files = list(generated.rglob("*.py"))
    assert len(files) > 1000
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith(HEADER_LINE + "\n# Spec version: 0.1; spec hash: sha256:"), path


@needs_spec
def test_check_passes_on_the_committed_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0, capsys.readouterr().out


@needs_spec
def test_check_fails_after_tampering_and_after_a_stale_file(
    generated: Path, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(generated, tree)
    assert main(["--spec-dir", str(SPEC_89), "--out", str(tree), "--check"]) == 0
    target = tree / "packages/camunda-core/src/camunda_core/models/process_instance_result.py"
    target.write_text(target.read_text(encoding="utf-8") + "# tampered\n", encoding="utf-8")
    assert main(["--spec-dir", str(SPEC_89), "--out", str(tree), "--check"]) == 1
    # Regenerating repairs it; a leftover module is reported, then removed.
    assert main(["--spec-dir", str(SPEC_89), "--out", str(tree)]) == 0
    stale = tree / GENERATED_DIRS[0] / "schema_that_was_removed.py"
    stale.write_text("x = 1\n", encoding="utf-8")
    assert main(["--spec-dir", str(SPEC_89), "--out", str(tree), "--check"]) == 1
    assert main(["--spec-dir", str(SPEC_89), "--out", str(tree)]) == 0
    assert not stale.exists()
    assert main(["--spec-dir", str(SPEC_89), "--out", str(tree), "--check"]) == 0


@needs_spec
def test_no_spec_prose_in_generated_code(generated: Path) -> None:
    """Descriptions are never pasted: sample a few long description strings of the spec."""
    import json

    spec = json.loads((SPEC_89 / "rest-api.bundle.json").read_text(encoding="utf-8"))
    descriptions = sorted(
        {
            s["description"].strip()
            for s in spec["components"]["schemas"].values()
            if len(s.get("description", "")) > 60
        }
    )[:40]
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (generated / "packages/camunda-core/src/camunda_core/api").glob("*.py")
    )
    text += "\n".join(
        p.read_text(encoding="utf-8") for p in (generated / GENERATED_DIRS[0]).glob("process_*.py")
    )
    for description in descriptions:
        assert description[:60] not in text
