"""Deterministic writing of the generated tree, stale-file removal, and ``--check``."""

from __future__ import annotations

import difflib
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .ir import SpecIR
from .render_api import API_DIR, render_api
from .render_errors import render_errors
from .render_models import MODELS_DIR, render_models
from .render_sdk import SDK_MODELS_DIR, render_sdk
from .render_semantic import render_semantic

__all__ = ["GENERATED_DIRS", "render_all", "format_tree", "write_tree", "compare_tree", "TreeDiff"]

# Directories whose every *.py file is generated: files not generated any more are removed.
GENERATED_DIRS = (MODELS_DIR, API_DIR, SDK_MODELS_DIR)


def render_all(ir: SpecIR) -> dict[str, str]:
    """Relative path -> unformatted source, for every generated file."""
    files: dict[str, str] = {}
    for part in (render_models, render_api, render_errors, render_semantic, render_sdk):
        for path, text in part(ir).items():
            if path in files:
                raise RuntimeError(f"two renderers produced {path}")
            files[path] = text
    return dict(sorted(files.items()))


def format_tree(files: Mapping[str, str]) -> dict[str, str]:
    """Run ``ruff format`` over the files (in a scratch dir) and return the results."""
    with tempfile.TemporaryDirectory(prefix="camunda-gen-") as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _ruff_format(root)
        return {rel: (root / rel).read_text(encoding="utf-8") for rel in files}


def _ruff_format(root: Path) -> None:
    # --isolated: the same settings whether the output lands in the repo or a temp dir.
    cmd = [
        sys.executable,
        "-m",
        "ruff",
        "format",
        "--isolated",
        "--quiet",
        "--line-length",
        "100",
        "--target-version",
        "py310",
        str(root),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"ruff format failed ({result.returncode}):\n{result.stderr}{result.stdout}"
        )


def write_tree(files: Mapping[str, str], out_root: Path) -> tuple[list[str], list[str]]:
    """Write changed files and remove stale ones. Returns (written, removed) relative paths."""
    written: list[str] = []
    for rel, text in sorted(files.items()):
        target = out_root / rel
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(rel)
    removed: list[str] = []
    for rel in _stale_files(files, out_root):
        (out_root / rel).unlink()
        removed.append(rel)
    return written, removed


def _stale_files(files: Mapping[str, str], out_root: Path) -> list[str]:
    stale: list[str] = []
    for directory in GENERATED_DIRS:
        base = out_root / directory
        if not base.is_dir():
            continue
        for path in sorted(base.glob("*.py")):
            rel = path.relative_to(out_root).as_posix()
            if rel not in files:
                stale.append(rel)
    return stale


@dataclass
class TreeDiff:
    """How a committed tree differs from freshly generated output."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    changed: dict[str, str] = field(default_factory=dict)  # path -> unified diff (truncated)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.changed)

    def summary(self, limit: int = 20) -> str:
        lines: list[str] = []
        for label, paths in (
            ("missing", self.missing),
            ("stale", self.stale),
            ("changed", list(self.changed)),
        ):
            if paths:
                lines.append(f"{len(paths)} {label}:")
                lines += [f"  {p}" for p in paths[:limit]]
                if len(paths) > limit:
                    lines.append(f"  ... and {len(paths) - limit} more")
        for path, diff in list(self.changed.items())[:3]:
            lines += ["", f"--- diff of {path} (first lines) ---", diff]
        return "\n".join(lines)


def compare_tree(files: Mapping[str, str], root: Path) -> TreeDiff:
    diff = TreeDiff()
    for rel, text in sorted(files.items()):
        target = root / rel
        if not target.is_file():
            diff.missing.append(rel)
            continue
        current = target.read_text(encoding="utf-8")
        if current != text:
            lines = difflib.unified_diff(
                current.splitlines(), text.splitlines(), "committed", "generated", lineterm="", n=1
            )
            diff.changed[rel] = "\n".join(list(lines)[:30])
    diff.stale = _stale_files(files, root)
    return diff
