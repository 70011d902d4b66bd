"""The one exception users see: a one-line message naming the file, line and problem; and
the one warning, when years asked lie outside what a source covers."""

from __future__ import annotations

import re

#: What is never printed as it is: C0 controls but the line breaks and tabs that
#: ``printable`` folds into spaces, DEL, C1 controls, bidirectional marks and overrides
#: (they reorder the text around them on screen), and lone surrogates (the bytes of a file
#: name or file that did not decode, kept by Python's ``surrogateescape``).
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every control character, bidirectional override and undecodable
    byte written as an escape (``\\x1b``, ``\\u202e``), so that text from a file or a file
    name cannot move the cursor, recolour or rewrite a terminal.

    >>> escape("caf\\udce9 \\x1b[31mred\\x07")
    'caf\\\\xe9 \\\\x1b[31mred\\\\x07'
    """
    return _UNPRINTABLE.sub(_escaped, text)


def printable(text: str) -> str:
    """``text`` as one line safe to print: ``escape`` it, then fold every run of
    whitespace (line breaks included) into one space.

    >>> printable("line 1\\n  line 2\\x1b")
    'line 1 line 2\\\\x1b'
    """
    return " ".join(escape(text).split())


class CoopgraphError(Exception):
    """A problem with the user's input or environment, reported without a traceback.

    The CLI prints ``str(error)`` on one line to stderr and exits with ``exit_code``
    (1 for invalid data or queries, 2 for usage errors). The message and the path are
    made ``printable`` here, once for every message: whatever a file holds, it reaches
    the terminal as one line of inert text.
    """

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.message = printable(message)  # always one line
        self.path = None if path is None else escape(path)
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


class CoverageWarning(UserWarning):
    """Years asked for that a source's dated facts do not reach (``coopgraph.coverage``):
    the result still comes, without data from that source for those years. The CLI
    prints each as one ``coopgraph: warning:`` line on stderr."""
