"""Writes of the demo: the replay source and a backlog of demo posts spread over the past days."""
from __future__ import annotations

from datetime import timedelta

from ingestion.models import IngestionRun, Source
from ingestion.services.downloads import source_batch_store, store_context_build
from ingestion.services.imports import FileImportBusy
from ingestion.services.runs import ingestion_run_finish, ingestion_run_start


def demo_source_get_or_create() -> tuple[Source, bool]:
    return Source.objects.get_or_create(
        slug="demo",
        defaults={
            "name": "Demostración (corpus sintético)",
            "kind": Source.Kind.REPLAY,
            "config": {"batch_size": 25},
        },
    )


def demo_backlog_load(*, source: Source, count: int, spread: timedelta) -> IngestionRun:
    """Feed `count` demo posts dated over the past `spread`, through the normal batch path."""
    from ingestion.sources.replay import ReplaySource

    run = ingestion_run_start(source=source, label="demo backlog")
    if run is None:
        raise FileImportBusy("la fuente de demostración está descargando; inténtelo después")
    context = store_context_build(source=source, run=run)
    cursors = {c.key: c for c in source.cursors.all()}
    adapter = ReplaySource(source, spread=spread, count=count)
    for sequence, batch in enumerate(adapter.batches(cursors=cursors), start=1):
        source_batch_store(source=source, run=run, batch=batch, sequence=sequence, context=context)
    return ingestion_run_finish(run=run)
