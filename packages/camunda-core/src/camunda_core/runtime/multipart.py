"""File uploads for multipart operations (deployments, documents)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import BinaryIO, Union

import attrs

__all__ = ["File", "FileInput", "to_file"]


@attrs.frozen(kw_only=True)
class File:
    """One file part: its content, file name and content type."""

    content: bytes | BinaryIO
    filename: str
    content_type: str = "application/octet-stream"

    @classmethod
    def from_path(cls, path: str | Path, *, content_type: str | None = None) -> File:
        p = Path(path)
        return cls(content=p.read_bytes(), filename=p.name, content_type=content_type or guess_content_type(p.name))


#: What a multipart file argument accepts: a File, a path, or raw bytes.
FileInput = Union[File, Path, str, bytes]


def guess_content_type(filename: str) -> str:
    lowered = filename.lower()
    for suffix, mime in ((".bpmn", "application/xml"), (".dmn", "application/xml"), (".form", "application/json")):
        if lowered.endswith(suffix):
            return mime
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def to_file(value: FileInput, *, default_name: str = "file") -> File:
    if isinstance(value, File):
        return value
    if isinstance(value, (str, Path)):
        return File.from_path(value)
    return File(content=value, filename=default_name)
