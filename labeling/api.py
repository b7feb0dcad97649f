"""Labeling endpoint: a client's suggested labels for a text join the annotators' queue."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import WRITE_ERRORS
from api.views import ApiView, body_validated, client_ids
from classifier.serializers import (
    FeedbackInput,
    FeedbackOutput,
)
from labeling.models import QueuedText
from labeling.services.queue import queued_texts_create


class FeedbackApi(ApiView):
    required_scope = "classify"

    @extend_schema(
        operation_id="feedback", tags=["clasificación"], request=FeedbackInput,
        responses={201: FeedbackOutput, **WRITE_ERRORS},
        examples=[OpenApiExample("Corrección", request_only=True, value={
            "text": "Pinche naco", "labels": ["discriminatory", "apariencia"], "comment": "Clasismo", "reference": "caso-118",
        })],
        summary="Enviar las etiquetas que el cliente cree correctas para un texto: entra a la cola de etiquetado como sugerencia.",
    )
    def post(self, request: Request) -> Response:
        data = body_validated(FeedbackInput, request)
        (row,) = queued_texts_create(
            task=data["task"], texts=[data["text"]], origin=QueuedText.Origin.FEEDBACK, suggested_labels=data["labels"],
            comment=data["comment"], reference=data["reference"], **client_ids(request),
        )
        return Response({"id": row.pk, "status": row.status}, status=status.HTTP_201_CREATED)
