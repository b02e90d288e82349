"""Puts this folder on sys.path: the helpers live in ``worker_testing.py`` (a unique
module name, so test folders don't shadow each other's helpers), and the process
strategy's child processes import ``worker_handlers`` by name."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
