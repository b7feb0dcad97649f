"""Reads of the model registry: the version reads answer from, and the list of versions."""
from __future__ import annotations

from django.db.models import QuerySet

from classifier.label_sets import DISCRIMINATION
from classifier.models import ModelVersion


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
