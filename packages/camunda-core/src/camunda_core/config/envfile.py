"""Reading a dotenv file without touching ``os.environ``.

python-dotenv is imported only here, and only when a file is actually read,
so that importing the SDK stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = ["EnvFileError", "read_envfile"]


class EnvFileError(Exception):
    """The file exists but cannot be used; the message names the path, never its content."""


class _InterpolationScope(Mapping[str, "str | None"]):
    """What ``${NAME}`` in a dotenv value refers to: earlier file values, then ``environ``.

    python-dotenv interpolates against ``os.environ``; we interpolate against the
    environment the resolver was given, so the two never disagree.
    """

    def __init__(self, file_values: Mapping[str, str | None], environ: Mapping[str, str]) -> None:
        self._file_values = file_values
        self._environ = environ

    def __getitem__(self, name: str) -> str | None:
        if name in self._file_values:
            return self._file_values[name]
        return self._environ[name]

    def __iter__(self) -> Iterator[str]:
        # Only membership and lookup are used by interpolation; iterating the
        # whole environment is never needed.
        return iter(self._file_values)

    def __len__(self) -> int:
        return len(self._file_values)

    def __contains__(self, name: object) -> bool:
        return name in self._file_values or name in self._environ


def read_envfile(path: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables defined in ``path``; empty when the file does not exist.

    Lines python-dotenv cannot parse are skipped (it logs a warning for each),
    as are names without a value. ``${NAME}`` and ``${NAME:-default}`` are
    expanded from earlier lines of the file and from ``environ``.
    """
    if not path.exists():
        return {}
    if path.is_dir():
        raise EnvFileError(f"'{path}' is a directory, expected a dotenv file")

    from dotenv import dotenv_values
    from dotenv.variables import parse_variables

    try:
        raw_values = dotenv_values(path, interpolate=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise EnvFileError(f"'{path}' is not UTF-8 text") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise EnvFileError(f"cannot read '{path}': {reason}") from None

    values: dict[str, str | None] = {}
    scope = _InterpolationScope(values, environ)
    for name, value in raw_values.items():
        if value is None:
            values[name] = None
            continue
        values[name] = "".join(atom.resolve(scope) for atom in parse_variables(value))
    return {name: value for name, value in values.items() if value is not None}
