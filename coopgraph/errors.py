"""The one exception users see: a one-line message naming the file, line and problem."""

from __future__ import annotations


class CoopgraphError(Exception):
    """A problem with the user's input or environment, reported without a traceback.

    The CLI prints ``str(error)`` on one line to stderr and exits with ``exit_code``
    (1 for invalid data or queries, 2 for usage errors).
    """

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.message = " ".join(message.split())  # always one line
        self.path = path
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class UsageError(CoopgraphError):
    """A bad option value (unknown name, year out of range, unwritable path)."""

    exit_code = 2
