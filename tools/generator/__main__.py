"""``python -m tools.generator [--spec-dir DIR] [--out DIR] [--check]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build_ir import build_ir
from .load import load_spec_dir
from .write import compare_tree, format_tree, render_all, write_tree

__all__ = ["main", "REPO_ROOT", "DEFAULT_SPEC_DIR"]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC_DIR = Path("../shared/spec/camunda-8.9")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.generator", description=__doc__)
    parser.add_argument(
        "--spec-dir",
        type=Path,
        default=DEFAULT_SPEC_DIR,
        help="directory with rest-api.bundle.json and spec-metadata.json (relative paths: from the repo root)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="root to write packages/... under (default: the repo)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the files under --out differ from fresh output",
    )
    return parser.parse_args(argv)


def _resolve(path: Path) -> Path:
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    started = time.perf_counter()
    spec_dir = _resolve(args.spec_dir)
    out_root = _resolve(args.out) if args.out is not None else REPO_ROOT
    ir = build_ir(load_spec_dir(spec_dir))
    files = format_tree(render_all(ir))
    elapsed = time.perf_counter() - started
    if args.check:
        diff = compare_tree(files, out_root)
        if diff.clean:
            print(f"generated code is up to date ({len(files)} files, {elapsed:.1f}s)")
            return 0
        print(
            "generated code is out of date; run `uv run python -m tools.generator`\n"
            + diff.summary()
        )
        return 1
    written, removed = write_tree(files, out_root)
    print(
        f"{len(ir.operations)} operations, {len(ir.schemas)} schemas, {len(ir.semantic_types)} semantic types: "
        f"{len(files)} files ({len(written)} written, {len(removed)} removed) in {elapsed:.1f}s -> {out_root}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
