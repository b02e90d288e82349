"""Exit codes and the one line a failure prints.

Every command ends through :func:`exit_code_for`: a script reads the code, a person reads one
line naming what went wrong (the traceback only with ``--debug``).
"""

from __future__ import annotations

from cyclopts import CycloptsError

from camunda_core.errors import (
    ApiError,
    AuthenticationError,
    CamundaError,
    ConfigurationError,
    Forbidden,
    TransportConnectionError,
    TransportTimeoutError,
    Unauthorized,
    ValidationError,
)

__all__ = [
    "EXIT_OK",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "EXIT_UNREACHABLE",
    "EXIT_AUTH",
    "EXIT_INTERRUPTED",
    "CliError",
    "describe_failure",
]

EXIT_OK = 0
#: The operation failed: the cluster answered with an error, or what was asked did not happen.
EXIT_FAILED = 1
#: The command line or the configuration is wrong: nothing was sent.
EXIT_USAGE = 2
#: The cluster (or the token endpoint) could not be reached, or did not answer in time.
EXIT_UNREACHABLE = 3
#: The cluster or the token endpoint refused the credentials.
EXIT_AUTH = 4
#: Stopped by Ctrl+C.
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A failure the command itself detected: ``message`` is the line shown."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


def describe_failure(error: BaseException) -> tuple[str, int]:
    """The line to print for ``error`` and the exit code it means."""
    if isinstance(error, CliError):
        return error.message, error.exit_code
    if isinstance(error, CycloptsError):
        chain = [name for name in (error.command_chain or ()) if name != "camunda"]
        command = " ".join(["camunda", *chain])
        return f"{_one_line(str(error))} (see '{command} --help')", EXIT_USAGE
    if isinstance(error, ConfigurationError):
        problems = "; ".join(str(problem) for problem in error.problems)
        return f"configuration: {problems}", EXIT_USAGE
    if isinstance(error, ValidationError):
        return _one_line(str(error)), EXIT_USAGE
    if isinstance(error, (AuthenticationError, Unauthorized, Forbidden)):
        return f"authentication failed: {_one_line(str(error))}", EXIT_AUTH
    if isinstance(error, (TransportConnectionError, TransportTimeoutError)):
        return (
            f"cluster unreachable: {_one_line(str(error))} "
            "('camunda doctor' tests each step)",
            EXIT_UNREACHABLE,
        )
    if isinstance(error, ApiError):
        return _one_line(str(error)), EXIT_FAILED
    if isinstance(error, CamundaError):
        return _one_line(str(error)), EXIT_FAILED
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    if isinstance(error, OSError):
        return _one_line(str(error)), EXIT_FAILED
    return (
        f"unexpected {type(error).__name__}: {_one_line(str(error))} (run with --debug for the traceback)",
        EXIT_FAILED,
    )
