"""Write the configuration reference table into README.md and docs/configuration.md.

    uv run python tools/config_reference.py          # rewrite the marked blocks
    uv run python tools/config_reference.py --check  # exit 1 if a block is stale

The table comes from ``camunda_core.config.render_reference_table()``; each
file holds it between ``<!-- BEGIN_CONFIG_REFERENCE -->`` and
``<!-- END_CONFIG_REFERENCE -->``. Nothing outside the markers is touched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from camunda_core.config import render_reference_table

__all__ = ["BEGIN_MARKER", "END_MARKER", "TARGETS", "extract_block", "replace_block", "main"]

BEGIN_MARKER = "<!-- BEGIN_CONFIG_REFERENCE -->"
END_MARKER = "<!-- END_CONFIG_REFERENCE -->"

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGETS: tuple[Path, ...] = (REPO_ROOT / "README.md", REPO_ROOT / "docs" / "configuration.md")


def _marker_span(text: str, source: str) -> tuple[int, int]:
    """Start and end offsets of the text strictly between the markers."""
    begin = text.find(BEGIN_MARKER)
    end = text.find(END_MARKER)
    if begin < 0 or end < 0 or end < begin:
        raise ValueError(f"{source}: expected {BEGIN_MARKER} followed by {END_MARKER}")
    return begin + len(BEGIN_MARKER), end


def extract_block(text: str, source: str = "text") -> str:
    """The text between the markers, without surrounding blank lines."""
    start, end = _marker_span(text, source)
    return text[start:end].strip("\n") + "\n"


def replace_block(text: str, table: str, source: str = "text") -> str:
    """``text`` with the block between the markers replaced by ``table``."""
    start, end = _marker_span(text, source)
    return text[:start] + "\n\n" + table.rstrip("\n") + "\n\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="report stale blocks and exit 1, change nothing"
    )
    args = parser.parse_args(argv)
    table = render_reference_table()
    stale: list[Path] = []
    for path in TARGETS:
        text = path.read_text(encoding="utf-8")
        updated = replace_block(text, table, str(path))
        if updated == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(updated, encoding="utf-8")
    relative = ", ".join(str(path.relative_to(REPO_ROOT)) for path in stale)
    if args.check:
        if stale:
            print(
                f"configuration reference is out of date in: {relative}; "
                "run `uv run python tools/config_reference.py`",
                file=sys.stderr,
            )
            return 1
        return 0
    print(f"updated: {relative}" if stale else "configuration reference already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
