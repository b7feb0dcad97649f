"""Shared fixtures. Tests run against the real PostgreSQL and Redis on 127.0.0.1."""
from __future__ import annotations

import pytest

from ingestion.services import dictionary_seed


@pytest.fixture
def dictionary(db):
    """The original 7 categories and 51 terms (present after migrate; re-seeded after a flush)."""
    dictionary_seed()


@pytest.fixture
def archive_dir(settings, tmp_path):
    """A fresh local archive folder for the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "archive")}},
    }
    from django.core.files.storage import storages

    storages._storages.pop("archive", None)
    yield tmp_path / "archive"
    storages._storages.pop("archive", None)
