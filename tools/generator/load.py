"""Reading the bundled OpenAPI spec and its metadata file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SpecInput", "load_spec_dir", "SPEC_FILE", "METADATA_FILE"]

SPEC_FILE = "rest-api.bundle.json"
METADATA_FILE = "spec-metadata.json"


@dataclass(frozen=True)
class SpecInput:
    """The raw spec and metadata documents, as parsed JSON."""

    spec: dict[str, Any]
    metadata: dict[str, Any]


def load_spec_dir(spec_dir: Path) -> SpecInput:
    """Read ``rest-api.bundle.json`` and ``spec-metadata.json`` from ``spec_dir``."""
    spec_path = spec_dir / SPEC_FILE
    metadata_path = spec_dir / METADATA_FILE
    for path in (spec_path, metadata_path):
        if not path.is_file():
            raise FileNotFoundError(f"spec input not found: {path}")
    with spec_path.open(encoding="utf-8") as f:
        spec = json.load(f)
    with metadata_path.open(encoding="utf-8") as f:
        metadata = json.load(f)
    return SpecInput(spec=spec, metadata=metadata)
