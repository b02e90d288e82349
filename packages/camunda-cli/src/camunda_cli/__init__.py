"""camunda_cli: the ``camunda`` command line (``camunda --help``; docs/cli.md).

Nothing in the SDK imports this package: ``import camunda_orchestration_sdk`` stays cheap.
"""

__version__ = "8.9.0"

__all__ = ["__version__"]
