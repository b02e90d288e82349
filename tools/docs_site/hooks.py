"""mkdocs hook: serves the generated API reference pages and checks they cover everything.

Named in mkdocs.yml (``hooks:``). The pages are built from the code each time (see
``reference.py``); none is written to docs/.
"""

from __future__ import annotations

import logging
import sys
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
    return config


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    for page in _pages:
        files.append(File.generated(config, page.path, content=page.markdown))
    return files
