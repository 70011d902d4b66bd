"""What the endpoint answers: an HTTP status, a media type, a body and headers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Reply:
    """What a worker answers: an HTTP status, a media type and a body; ``keep`` when the
    result cache may keep it (a 200 to a query without RAND, NOW, UUID, STRUUID or BNODE)."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    keep: bool = False


def error(status: int, message: str, **headers: str) -> Reply:
    """A plain-text reply: ``message`` on one line."""
    return Reply(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers)
