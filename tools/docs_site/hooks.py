"""mkdocs hook: serves the generated API reference pages and checks they cover everything.

Named in mkdocs.yml (``hooks:``). The pages are built from the code each time (see
``reference.py``); none is written to docs/.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

# mkdocs imports this file by path; the repository root makes ``tools`` importable.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tools.docs_site.reference import Page, build_pages, nav_entries, uncovered_names  # noqa: E402

_log = logging.getLogger("mkdocs.hooks.reference")
_REFERENCE_NAV_TITLE = "API reference"
_pages: list[Page] = []


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _pages[:] = build_pages()
    missing = uncovered_names(_pages)
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
