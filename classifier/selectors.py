"""Reads of the model registry and of stored predictions (the read API, the dashboard)."""
from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from .models import ModelVersion
from .task_definitions import DISCRIMINATION


def model_version_for_reads(*, version: int | None = None) -> ModelVersion | None:
    """The discrimination model whose predictions a read shows: version number `version`, else the active one.

    None when there is no such version (or, without `version`, no active one).
    """
    versions = ModelVersion.objects.filter(task=DISCRIMINATION).only("id", "task", "version", "status")
    if version is None:
        return versions.filter(status=ModelVersion.Status.ACTIVE).first()
    return versions.filter(version=version).first()


def model_versions_list(*, task: str | None = None, status: str | None = None) -> QuerySet[ModelVersion]:
    """Model versions, optionally of one task and status (the caller orders them)."""
    versions = ModelVersion.objects.defer("params", "artifact_path", "artifact_sha256")
    if task is not None:
        versions = versions.filter(task=task)
    if status is not None:
        versions = versions.filter(status=status)
    return versions


def predicted_category_q(*, field: str, slug: str) -> Q:
    """Rows whose predicted categories (the JSON list `field`) include `slug`.

    PostgreSQL tests containment (`@>`); SQLite (the embedded mode) has no JSON
    containment, so it looks for the quoted slug in the list's text, which is
    exact because a slug cannot contain a quote.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [slug]})
    return Q(**{f"{field}__icontains": f'"{slug}"'})
