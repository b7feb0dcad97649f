"""Writes of the demo: the replay source, a backlog of demo posts over the past days, and the mix that follows it."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ingestion.models import DEMO_SOURCE_SLUG, IngestionRun, Source
from ingestion.services.downloads import source_batch_store, store_context_build
from ingestion.services.imports import FileImportBusy
from ingestion.services.runs import ingestion_run_finish, ingestion_run_start
from ingestion.sources.replay import PlannedPost, ReplaySource


def demo_source_get_or_create() -> tuple[Source, bool]:
    return Source.objects.get_or_create(
        slug=DEMO_SOURCE_SLUG,
        defaults={
            "name": "Demostración (corpus sintético)",
            "kind": Source.Kind.REPLAY,
            "config": {"batch_size": 25},
        },
    )


def demo_backlog_load(
    *, source: Source, count: int = 0, spread: timedelta | None = None, planned: Sequence[PlannedPost] | None = None,
) -> IngestionRun:
    """Feed demo posts through the normal batch path: the next `count` of the corpus dated over the past
    `spread`, or exactly the `planned` ones."""
    run = ingestion_run_start(source=source, label="demo backlog")
    if run is None:
        raise FileImportBusy("la fuente de demostración está descargando; inténtelo después")
    context = store_context_build(source=source, run=run)
    cursors = {c.key: c for c in source.cursors.all()}
    adapter = ReplaySource(source, spread=spread, count=count, planned=planned)
    for sequence, batch in enumerate(adapter.batches(cursors=cursors), start=1):
        source_batch_store(source=source, run=run, batch=batch, sequence=sequence, context=context)
    return ingestion_run_finish(run=run)


def demo_mix_set(*, source: Source, mix: Sequence[tuple[str, str]]) -> None:
    """The (corpus id, state) pairs the replay serves in turn from now on (`ingestion.sources.replay`)."""
    source.config = {**(source.config or {}), "mix": [[item_id, state] for item_id, state in mix]}
    source.save(update_fields=["config"])
