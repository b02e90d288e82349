"""Puts this folder on sys.path for ``otel_testing`` (a unique module name, so test folders
don't shadow each other's helpers)."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
