"""mkdocs hook: serves the generated API reference pages and checks they cover everything.

Named in mkdocs.yml (``hooks:``). The pages are built from the code each time (see
``reference.py``); none is written to docs/.
"""

from __future__ import annotations

import logging
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

# mkdocs imports this file by path; the repository root makes ``tools`` importable.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tools.docs_site.reference import (  # noqa: E402
    Page,
    build_pages,
    missing_from_site,
    nav_entries,
    public_names,
    uncovered_names,
)

_log = logging.getLogger("mkdocs.hooks.reference")
_REFERENCE_NAV_TITLE = "API reference"
_pages: list[Page] = []
_names: dict[str, str] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _pages[:] = build_pages()
    _names.clear()
    _names.update(public_names())
    missing = uncovered_names(_pages, _names)
    if missing:
        _log.warning("the API reference does not document %d public names: %s", len(missing), ", ".join(missing))
    nav = config.nav or []
    for index, entry in enumerate(nav):
        if isinstance(entry, dict) and _REFERENCE_NAV_TITLE in entry:
            nav[index] = {_REFERENCE_NAV_TITLE: nav_entries(_pages)}
            break
    else:
        _log.warning("mkdocs.yml: no %r nav entry to put the reference under", _REFERENCE_NAV_TITLE)
    _add_unlisted_guides(config)
    return config


def _nav_paths(entries: Any) -> Iterator[str]:
    if isinstance(entries, str):
        yield entries
    elif isinstance(entries, list):
        for entry in entries:  # pyright: ignore[reportUnknownVariableType]
            yield from _nav_paths(entry)
    elif isinstance(entries, dict):
        for value in entries.values():  # pyright: ignore[reportUnknownVariableType]
            yield from _nav_paths(value)


def _add_unlisted_guides(config: MkDocsConfig) -> None:
    """A page under docs/ that mkdocs.yml does not list yet goes under "Guides", titled by
    its first heading, so a new guide is never built but unreachable."""
    listed = set(_nav_paths(config.nav))
    guides = next((entry["Guides"] for entry in config.nav or [] if isinstance(entry, dict) and "Guides" in entry), None)
    if not isinstance(guides, list):
        return
    docs_dir = Path(config.docs_dir)
    for path in sorted(docs_dir.rglob("*.md")):
        relative = path.relative_to(docs_dir).as_posix()
        if relative in listed or relative.startswith("reference/"):
            continue
        heading = next((line[2:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# ")), relative)
        guides.append({heading: relative})
        _log.info("nav: %s is not in mkdocs.yml; listed under Guides as %r", relative, heading)


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    for page in _pages:
        files.append(File.generated(config, page.path, content=page.markdown))
    return files


def on_post_build(config: MkDocsConfig) -> None:
    """Every public name has an object in the site's inventory or an anchor of ours."""
    inventory_path = Path(config.site_dir) / "objects.inv"
    if not inventory_path.is_file():
        _log.warning("no %s: cannot check that every public name was rendered", inventory_path)
        return
    missing = missing_from_site(_pages, _names, _inventory(inventory_path))
    if missing:
        _log.warning("the built reference has no entry for %d public names: %s", len(missing), ", ".join(missing))


def _inventory(path: Path) -> set[str]:
    """The object names of a Sphinx inventory (v2: four header lines, then zlib text)."""
    header, _, compressed = _split_header(path.read_bytes())
    if not header.startswith(b"# Sphinx inventory version 2"):
        raise ValueError(f"{path}: not a version 2 Sphinx inventory")
    lines = zlib.decompress(compressed).decode("utf-8").splitlines()
    return {line.split(" ", 1)[0] for line in lines if line.strip()}


def _split_header(data: bytes) -> tuple[bytes, bytes, bytes]:
    parts = data.split(b"\n", 4)
    return parts[0], b"\n".join(parts[1:4]), parts[4]
