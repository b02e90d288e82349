"""The error a command or a route raises; the server answers it as an RFC 9457 problem."""

from __future__ import annotations

__all__ = ["Problem"]


class Problem(Exception):
    """An error answer: HTTP status, problem title and detail."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
