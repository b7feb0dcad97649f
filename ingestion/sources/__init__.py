"""Sources of posts. Each adapter yields `SourceBatch`es (`base.py`); `services/downloads.py` stores them.

An adapter never moves its own cursor: it says how the cursor should move in
`SourceBatch.cursor_updates`, and the service applies that in the same
transaction as the batch's posts, so a run killed half-way resumes where the
last committed batch left off.
"""
from __future__ import annotations

from ingestion.models import Source

from .base import SourceAdapter
from .mastodon import MastodonSource
from .replay import ReplaySource
from .x_api import MIN_PAGE_SIZE, XApiSource


def source_adapter(source: Source, *, budget: int | None = None) -> SourceAdapter:
    """The adapter that downloads `source`; `budget` is how many posts it may read (None: no cap), which a
    paid source sizes its requests by (the others are stopped by the service once past it)."""
    if source.kind == Source.Kind.X_API:
        return XApiSource(source, budget=budget)
    if source.kind == Source.Kind.MASTODON:
        return MastodonSource(source)  # free to read: the service stops it once past a cap an admin set
    if source.kind == Source.Kind.REPLAY:
        return ReplaySource(source)
    raise ValueError(f"la fuente {source.slug} ({source.kind}) no se descarga de forma programada")


def source_read_minimum(source: Source) -> int:
    """The fewest posts one request of the source reads: a budget below it cannot be spent (X asks for 10)."""
    return MIN_PAGE_SIZE if source.kind == Source.Kind.X_API else 1
