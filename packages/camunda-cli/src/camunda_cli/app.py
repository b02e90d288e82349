"""The ``camunda`` command: the click group, its commands, and how a run ends (exit codes).

``main()`` is the console script. Commands import the SDK's heavier parts when they run, so
``camunda --help`` stays quick.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import click

from camunda_cli import __version__
from camunda_cli.demo_command import demo
from camunda_cli.doctor import doctor
from camunda_cli.errors import EXIT_INTERRUPTED, EXIT_OK, describe_failure
from camunda_cli.operations import cancel, deploy, instances, publish, start
from camunda_cli.testkit_command import testkit
from camunda_cli.worker_command import worker

__all__ = ["cli", "main", "run"]

_DEBUG_FLAG = "--debug"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="camunda", message="%(prog)s %(version)s")
@click.option(_DEBUG_FLAG, is_flag=True, help="show the traceback of a failure (allowed anywhere on the line)")
def cli(debug: bool) -> None:
    """The Camunda 8 command line, on the Python SDK.

    Reads the cluster's address and credentials from CAMUNDA_* variables (and .env when
    CAMUNDA_LOAD_ENVFILE says so). Exit codes: 0 ok, 1 the operation failed, 2 usage or
    configuration error, 3 cluster unreachable, 4 authentication failed, 130 interrupted.
    """


for _command in (demo, doctor, deploy, start, instances, cancel, publish, worker, testkit):
    cli.add_command(_command)


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


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (``main`` exits with it)."""
    args, debug = _split_debug(sys.argv[1:] if argv is None else argv)
    try:
        code = cli.main(args=args, prog_name="camunda", standalone_mode=False)
    except click.exceptions.Exit as stop:  # --help, --version
        return stop.exit_code
    except click.exceptions.Abort:
        sys.stderr.write("camunda: interrupted\n")
        return EXIT_INTERRUPTED
    except (Exception, KeyboardInterrupt) as error:
        if debug:
            traceback.print_exception(type(error), error, error.__traceback__)
        line, exit_code = describe_failure(error)
        sys.stderr.write(f"camunda: error: {line}\n")
        sys.stderr.flush()
        return exit_code
    return code if isinstance(code, int) else EXIT_OK


def main() -> None:
    """The console script ``camunda``."""
    sys.exit(run())
