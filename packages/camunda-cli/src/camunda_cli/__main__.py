"""``python -m camunda_cli``: the ``camunda`` command."""

from camunda_cli.app import main

main()
