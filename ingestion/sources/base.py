"""What every source adapter yields: batches of parsed posts, their errors, and how the cursor moves.

An adapter never moves its own cursor: it says how the cursor should move in
`SourceBatch.cursor_updates`, and the service applies that in the same
transaction as the batch's posts, so a run killed half-way resumes where the
last committed batch left off.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ingestion.models import SourceCursor
from ingestion.parsing import v2_page_parse
from ingestion.records import RecordError, RecordInvalid, TweetRecord


@dataclass(frozen=True, slots=True)
class CursorUpdate:
    key: str
    query: str = ""
    newest_id: str | None = None
    position: int | None = None


@dataclass(slots=True)
class SourceBatch:
    items: list[Any]  # exactly as received, for the raw archive
    records: list[TweetRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    cursor_updates: list[CursorUpdate] = field(default_factory=list)


def page_batch(page: dict[str, Any], *, cursor_updates: list[CursorUpdate] | None = None) -> SourceBatch:
    """An X API v2 response page as a batch: its good posts, and an error per bad one."""
    keep = isinstance(page, dict) and bool(page.get("data"))
    batch = SourceBatch(items=[page] if keep else [], cursor_updates=cursor_updates or [])
    for item in v2_page_parse(page):
        if isinstance(item, TweetRecord):
            batch.records.append(item)
        elif isinstance(item, RecordInvalid):
            batch.errors.append(RecordError(line=None, message=str(item)))
    return batch


class RateLimited(Exception):
    """The platform said "too many requests"; try again at `reset_at`."""

    def __init__(self, reset_at: datetime):
        super().__init__(f"límite de tasa alcanzado; se reintenta a partir de {reset_at.isoformat()}")
        self.reset_at = reset_at


class BudgetReached(Exception):
    """The source read as many posts as its cap allows; what it read before is committed."""

    def __init__(self, message: str):
        super().__init__(message)


class SourceAdapter(Protocol):
    def batches(self, *, cursors: Mapping[str, SourceCursor]) -> Iterator[SourceBatch]: ...
