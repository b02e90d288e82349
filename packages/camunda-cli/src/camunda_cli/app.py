"""The ``camunda`` command: the cyclopts app, its commands, and how a run ends (exit codes).

``main()`` is the console script. Commands import the SDK's heavier parts when they run, so
``camunda --help`` stays quick.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import TextIO

from cyclopts import App

from camunda_cli import __version__
from camunda_cli.demo_command import demo
from camunda_cli.doctor import doctor
from camunda_cli.errors import EXIT_OK, describe_failure
from camunda_cli.operations import cancel, deploy, instances, publish, start
from camunda_cli.testkit_command import testkit
from camunda_cli.worker_command import worker

__all__ = ["app", "main", "run"]

_DEBUG_FLAG = "--debug"

app = App(
    name="camunda",
    version=f"camunda {__version__}",
    help_flags=("--help", "-h"),
    result_action="return_value",
    help=(
        "The Camunda 8 command line, on the Python SDK.\n\n"
        "Reads the cluster's address and credentials from CAMUNDA_* variables (and .env when "
        "CAMUNDA_LOAD_ENVFILE says so). --debug (anywhere on the line) shows the traceback of a "
        "failure. Exit codes: 0 ok, 1 the operation failed, 2 usage or configuration error, "
        "3 cluster unreachable, 4 authentication failed, 130 interrupted."
    ),
)
for _command in (demo, doctor, deploy, start, instances, cancel, publish, worker, testkit):
    app.command(_command)


def _split_debug(argv: Sequence[str]) -> tuple[list[str], bool]:
    """``--debug`` may stand anywhere before ``--``: take it out, remember it."""
    args: list[str] = []
    debug = False
    for index, token in enumerate(argv):
        if token == "--":
            args.extend(argv[index:])
            break
        if token == _DEBUG_FLAG:
            debug = True
        else:
            args.append(token)
    return args, debug


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # Like the command's errors: the text alone (an unknown CAMUNDA_* name, say), not the
    # SDK's file and line, which mean nothing to a user of the command line.
    sys.stderr.write(f"camunda: warning: {message}\n")
    sys.stderr.flush()


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (``main`` exits with it)."""
    args, debug = _split_debug(sys.argv[1:] if argv is None else argv)
    with warnings.catch_warnings():
        if not debug:
            warnings.showwarning = _show_warning
        try:
            app(args, exit_on_error=False, print_error=False)
        except (Exception, KeyboardInterrupt) as error:
            if debug:
                traceback.print_exception(type(error), error, error.__traceback__)
            line, exit_code = describe_failure(error)
            sys.stderr.write(f"camunda: error: {line}\n")
            sys.stderr.flush()
            return exit_code
    return EXIT_OK


def main() -> None:
    """The console script ``camunda``."""
    sys.exit(run())
