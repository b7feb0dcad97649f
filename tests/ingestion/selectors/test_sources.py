"""The sources the scheduler downloads: enabled ones that download, not files."""
from __future__ import annotations

import pytest

from ingestion.models import Source
from ingestion.services.imports import source_file_get
from tests.factories import SourceFactory


@pytest.mark.django_db
def test_disabled_and_file_sources_are_not_scheduled():
    from ingestion.selectors.sources import sources_enabled

    enabled = SourceFactory(slug="on")
    SourceFactory(slug="off", enabled=False)
    source_file_get()
    assert list(sources_enabled()) == [enabled]
    assert Source.objects.count() == 3
