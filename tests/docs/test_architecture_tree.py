"""docs/architecture.md describes the tree as it is: every path it names exists, and every
top-level module and package of camunda_core has a line in its map."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = {
    "camunda_core": ROOT / "packages/camunda-core/src/camunda_core",
    "camunda_auth_oauth": ROOT / "packages/camunda-auth-oauth/src/camunda_auth_oauth",
    "camunda_workers": ROOT / "packages/camunda-workers/src/camunda_workers",
    "camunda_orchestration_sdk": ROOT / "packages/camunda-sdk/src/camunda_orchestration_sdk",
    "camunda_testkit": ROOT / "packages/camunda-testkit/src/camunda_testkit",
}


def _tree_entries() -> list[str]:
    """Paths of the fenced ``camunda_core/`` map, built from its indentation."""
    block = re.search(r"```\ncamunda_core/\n(.*?)```", DOC.read_text(), re.S)
    assert block, "docs/architecture.md has no camunda_core/ tree"
    stack: list[tuple[int, str]] = []
    paths: list[str] = []
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        name = line.split()[0]
        if not name.endswith(("/", ".py")):
            continue  # a description wrapped onto the next line
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = "/".join([p for _, p in stack] + [name.rstrip("/")])
        paths.append(path)
        if name.endswith("/"):
            stack.append((indent, name.rstrip("/")))
    return paths


def test_every_path_in_the_camunda_core_map_exists() -> None:
    missing = [p for p in _tree_entries() if not (PACKAGES["camunda_core"] / p).exists()]
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_every_top_level_module_of_camunda_core_is_in_the_map() -> None:
    named = {p.split("/")[0] for p in _tree_entries()}
    actual = {
        child.name
        for child in PACKAGES["camunda_core"].iterdir()
        if not child.name.startswith(("_", ".")) and (child.suffix == ".py" or (child / "__init__.py").exists())
    }
    assert not actual - named, f"not described in docs/architecture.md: {sorted(actual - named)}"


def test_every_module_path_named_in_the_text_exists() -> None:
    text = DOC.read_text()
    wrong = []
    for package, path in re.findall(r"`(camunda_\w+)/([\w/]+\.py)`", text):
        if package in PACKAGES and not (PACKAGES[package] / path).exists():
            wrong.append(f"{package}/{path}")
    # Bare module names in a package's sentence: `poller.py` after `camunda_workers/`.
    for sentence in re.findall(r"`(camunda_\w+)/`([^.]*(?:\.py`[^.]*)*)", text):
        package, rest = sentence
        for module in re.findall(r"`([\w/]+\.py)`", rest):
            if package in PACKAGES and not (PACKAGES[package] / module).exists():
                wrong.append(f"{package}/{module}")
    assert not wrong, f"docs/architecture.md names modules that do not exist: {wrong}"
