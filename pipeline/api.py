"""Endpoints whose one request reaches several apps.

`POST /api/v1/classify` answers from the classifier and, when the client sends
`"store": true`, also queues its texts for the annotators (labeling), in one
transaction.
"""
from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import WRITE_ERRORS, ErrorOutput
from api.views import ApiView, body_validated, client_ids
from classifier.api import CLASSIFY_EXAMPLES, classification_answer, loaded_or_unavailable
from classifier.label_sets import DISCRIMINATION
from classifier.selectors.classification import texts_classify
from classifier.serializers import ClassifyInput, ClassifyOutput, thresholds_check
from labeling.models import QueuedText
from labeling.services.queue import queued_texts_create


class ClassifyApi(ApiView):
    required_scope = "classify"

    @extend_schema(
        operation_id="classify", tags=["clasificación"], request=ClassifyInput,
        responses={200: ClassifyOutput, **WRITE_ERRORS, 503: ErrorOutput}, examples=CLASSIFY_EXAMPLES,
        summary="¿Es discriminatorio? Probabilidades, categorías, términos y explicación de uno o varios textos.",
        description="Los textos no se guardan, salvo con `\"store\": true`, que además los pone en la cola de etiquetado.",
    )
    def post(self, request: Request) -> Response:
        data = body_validated(ClassifyInput, request)
        loaded = loaded_or_unavailable(DISCRIMINATION)
        thresholds_check(data.get("thresholds"), labels=loaded.model.labels)
        result = texts_classify(
            task=DISCRIMINATION, texts=data["texts"], thresholds=data.get("thresholds"), explain=data["explain"], loaded=loaded
        )
        body = classification_answer(result)
        if data["store"]:
            with transaction.atomic():
                queued = queued_texts_create(
                    task=DISCRIMINATION, texts=data["texts"], origin=QueuedText.Origin.CLASSIFY,
                    scores=[item["labels"] for item in result.results], model_version_id=result.version.pk,
                    **client_ids(request),
                )
            body["queued"] = len(queued)
        return Response(body)
