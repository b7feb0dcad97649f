"""Query parameters and answer of the model-version read endpoint."""
from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.pagination import KeysetCursorPagination
from api.query import cursor_field, page_size_field

from .models import ModelVersion


class ModelVersionsInput(serializers.Serializer):
    task = serializers.CharField(
        required=False, max_length=64, help_text=_("Tarea: `discrimination`, `movie-genres` u otra entrenada.")
    )
    status = serializers.ChoiceField(
        required=False, choices=ModelVersion.Status.choices,
        help_text=_("candidate (entrenada, no activa), active (la que responde), retired (reemplazada) o failed."),
        error_messages={"invalid_choice": _("«{input}» no es un estado: use candidate, active, retired o failed.")},
    )
    cursor = cursor_field()
    page_size = page_size_field(default=KeysetCursorPagination.page_size, maximum=KeysetCursorPagination.max_page_size)


class ModelVersionOutput(serializers.Serializer):
    task = serializers.CharField()
    version = serializers.IntegerField(help_text=_("Número de versión dentro de la tarea (el `model_version` de las respuestas)."))
    status = serializers.ChoiceField(choices=ModelVersion.Status.choices)
    created_at = serializers.DateTimeField(help_text=_("Cuándo se entrenó (hora de la Ciudad de México)."))
    activated_at = serializers.DateTimeField(allow_null=True, help_text=_("Cuándo empezó a responder; null si nunca."))
    reason = serializers.CharField(help_text=_("Por qué no se activó o por qué falló; vacío si no aplica."))
    metrics = serializers.DictField(help_text=_(
        "Métricas en los datos reservados (held-out): `macro_f1`, `macro_roc_auc`, `macro_pr_auc`, … y, en `labels`, "
        "las de cada etiqueta (precisión, exhaustividad, F1, umbral, soporte)."
    ))


class ModelVersionPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ModelVersionOutput(many=True)


def _local(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def model_version_answer(version: ModelVersion) -> dict[str, Any]:
    return {
        "task": version.task, "version": version.version, "status": version.status,
        "created_at": _local(version.created_at), "activated_at": _local(version.activated_at),
        "reason": version.reason, "metrics": version.metrics,
    }
