"""Plain data carried through ingestion: a parsed post, and a rejected record."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class TweetRecord:
    """A post as read from any source, before matching and state attribution."""

    platform_id: str
    text: str
    created_at: datetime | None = None
    lang: str = ""
    author_id: str = ""
    author_handle: str = ""
    author_name: str = ""
    author_location: str = ""
    place_name: str = ""
    place_country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_retweet: bool = False
    is_quote: bool = False
    is_reply: bool = False
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    metrics: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordError:
    """Why one record was rejected, and where it was (line number in its file, or page)."""

    line: int | None
    message: str
    record_id: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "id": self.record_id, "message": self.message}

    def __str__(self) -> str:
        where = f"línea {self.line}" if self.line is not None else "registro"
        ident = f" (id {self.record_id})" if self.record_id else ""
        return f"{where}{ident}: {self.message}"


class RecordInvalid(ValueError):
    """Raised by a parser for a record it cannot use; the message is shown to the user."""
