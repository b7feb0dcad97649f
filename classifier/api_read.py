"""Read endpoint of the model registry (`read` scope): versions, their state and held-out metrics."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import KeysetCursorPagination
from api.query import query_validated
from api.serializers import ErrorOutput
from api.views import ApiView

from .selectors import model_versions_list
from .serializers_read import ModelVersionPageOutput, ModelVersionsInput, model_version_answer

READ_ERRORS: dict[int, Any] = {code: ErrorOutput for code in (400, 401, 403, 429)}


class ModelVersionListApi(ApiView):
    required_scope = "read"

    @extend_schema(
        operation_id="models_list", tags=["lectura"], parameters=[ModelVersionsInput],
        responses={200: ModelVersionPageOutput, **READ_ERRORS},
        summary="Versiones de modelo entrenadas, de la más reciente a la más antigua, con sus métricas en datos reservados.",
        examples=[OpenApiExample("Versiones", response_only=True, value={"next": None, "previous": None, "results": [{
            "task": "discrimination", "version": 3, "status": "active",
            "created_at": "2026-11-01T03:12:44-06:00", "activated_at": "2026-11-01T03:12:45-06:00", "reason": "",
            "metrics": {"macro_f1": 0.7412, "macro_roc_auc": 0.9021, "labels": {"discriminatory": {
                "precision": 0.81, "recall": 0.77, "f1": 0.79, "threshold": 0.42, "support": 311,
            }}},
        }]})],
    )
    def get(self, request: Request) -> Response:
        data = query_validated(ModelVersionsInput, request)
        paginator = KeysetCursorPagination()
        page = paginator.paginate_queryset(
            model_versions_list(task=data.get("task"), status=data.get("status")), request, view=self
        )
        return Response({**paginator.links(), "results": [model_version_answer(version) for version in page]})
