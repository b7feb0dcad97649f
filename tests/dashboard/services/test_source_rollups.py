"""Rollups by source: each source's posts are counted under its own subject, the same by the scoring step and by a
recount, and a database counted before sources were counts them again through the history catch-up."""
from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

from dashboard.models import HourlyCount, RollupHistory, TermHourly
from dashboard.services.rollups import rollups_rebuild, source_subject
from ingestion.models import Source
from pipeline.services.history import rollups_history_catch_up
from pipeline.services.scoring import tweets_score
from tests.dashboard.builders import posts_create, recount, score, stored
from tests.factories import CategoryFactory, SourceFactory

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def row(version, subject: str, *, category: int = 0, state: str = "*") -> tuple[int, int]:  # noqa: ANN001
    """(posts, discriminatory) of a subject over every hour."""
    rows = HourlyCount.objects.filter(model_version=version, subject=subject, category_id=category, state=state)
    return sum(r.posts for r in rows), sum(r.discriminatory for r in rows)


@pytest.mark.django_db
def test_each_source_is_counted_apart_and_a_recount_agrees(version):
    bluesky = SourceFactory.create(slug="bluesky-x", kind=Source.Kind.BLUESKY)
    x_api = SourceFactory.create(slug="x-api-x", kind=Source.Kind.X_API)
    genero = CategoryFactory.create(slug="genero-x")
    # A Bluesky tag may hold a ":" (its facets are free text); one spelled like a source's subject stays out.
    score(posts_create(12, at=T0, source=bluesky, categories=[genero], state="JAL", hashtags=["#8M", "#fuente:1"],
                       terms=[("vieja loca", ["genero-x"])]), version=version, discriminatory=9)
    score(posts_create(20, at=T0 + timedelta(hours=3), source=x_api, state="NLE", hashtags=["#8M"]),
          version=version, discriminatory=2)
    score(posts_create(5, at=T0, source=None), version=version, discriminatory=1)  # an import without a source

    assert row(version, "") == (37, 12)
    assert row(version, source_subject(bluesky.pk)) == (12, 9)
    assert row(version, source_subject(x_api.pk)) == (20, 2)
    # Each source has the whole cube: a category's map reads category × state.
    assert row(version, source_subject(bluesky.pk), category=genero.pk, state="JAL") == (12, 9)
    assert row(version, source_subject(x_api.pk), state="NLE") == (20, 2)
    assert row(version, source_subject(x_api.pk), state="JAL") == (0, 0)
    terms = TermHourly.objects.get(model_version=version, subject=source_subject(bluesky.pk), category_id=genero.pk)
    assert (terms.term, terms.posts, terms.discriminatory) == ("vieja loca", 12, 9)
    assert row(version, "8m") == (32, 11)  # a hashtag still counts every source's posts together
    subjects = set(HourlyCount.objects.filter(model_version=version).values_list("subject", flat=True))
    assert subjects == {"", "8m", source_subject(bluesky.pk), source_subject(x_api.pk)}

    incremental = stored(version)
    assert incremental == recount(version)
    HourlyCount.objects.filter(model_version=version).delete()
    TermHourly.objects.filter(model_version=version).delete()
    rollups_rebuild(model_version_id=version.pk)
    assert stored(version) == incremental


@pytest.mark.django_db
def test_a_database_counted_before_sources_gets_their_rows_from_the_history_catch_up(trained_model, demo_run_load):
    run = demo_run_load(40, spread=timedelta(days=2))
    tweets_score()
    assert rollups_history_catch_up().complete
    demo = source_subject(run.source_id)
    counted = row(trained_model, demo)
    assert counted[0] == 40
    # As rollups written before sources were counted: no source rows, and a history said to be complete.
    HourlyCount.objects.filter(subject=demo).delete()
    TermHourly.objects.filter(subject=demo).delete()
    assert rollups_history_catch_up().complete and row(trained_model, demo) == (0, 0)

    migration = importlib.import_module("dashboard.migrations.0002_rollups_sources_recount")
    migration.history_reopen(apps, None)
    assert RollupHistory.objects.get(model_version=trained_model).complete_since is None
    result = rollups_history_catch_up()
    assert (result.recounted, result.scored, result.complete) == (40, 0, True)
    assert row(trained_model, demo) == counted
    assert stored(trained_model) == recount(trained_model)
