"""Endpoints whose one request reaches several apps.

`POST /api/v1/classify` answers from the classifier and, when the client sends
`"store": true`, also queues its texts for the annotators (labeling), in one
transaction.

The Perspective-compatible endpoints (`POST /v1alpha1/comments:analyze`,
`POST /v1alpha1/comments:suggestscore`, `GET /$discovery/rest`) speak Perspective's
protocol: its bodies, `?key=` keys, and errors in Google's shape. They count
against the same per-key limits, with the same headers.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from api.authentication import QueryKeyAuthentication
from api.fields import texts_plainly_valid
from api.keys import KeyInfo
from api.models import Scope
from api.serializers import WRITE_ERRORS, ErrorOutput
from api.views import ApiView, body_validated, client_ids
from classifier.api import CLASSIFY_EXAMPLES, classification_answer, loaded_or_unavailable
from classifier.label_sets import DISCRIMINATION
from classifier.selectors.classification import NoActiveModel, texts_classify
from classifier.serializers import ClassifyInput, ClassifyOutput, thresholds_check
from labeling.models import QueuedText
from labeling.services.queue import queued_texts_create
from pipeline.discovery import VERSION, discovery_document
from pipeline.perspective import PerspectiveError, analyze_request_read, error_body, suggest_request_read
from pipeline.services.perspective import comment_analyze, score_suggest

_CLASSIFY_FIELDS = frozenset({"text", "texts", "explain", "store"})


def classify_body_read(data: Any) -> dict[str, Any]:
    """The body of `POST /api/v1/classify`, validated. A plainly valid body (texts that pass every check of
    `ClassifyInput`, no per-request thresholds) is read here, several times faster than building the
    serializer; anything else goes through `ClassifyInput`, which says what is wrong in the one error
    shape. Both give the same data (a test sends the same bodies through both)."""
    if isinstance(data, dict) and data.keys() <= _CLASSIFY_FIELDS and (("text" in data) != ("texts" in data)):
        texts = [data["text"]] if "text" in data else data["texts"]
        explain, store = data.get("explain", True), data.get("store", False)
        if (type(texts) is list and texts and len(texts) <= int(settings.API["MAX_TEXTS"]) and type(explain) is bool
                and type(store) is bool and texts_plainly_valid(texts, most=int(settings.API["MAX_TEXT_CHARS"]))):
            return {"texts": texts, "explain": explain, "store": store}
    return body_validated(ClassifyInput, request_data=data)


class ClassifyApi(ApiView):
    required_scope = "classify"

    @extend_schema(
        operation_id="classify", tags=["clasificación"], request=ClassifyInput,
        responses={200: ClassifyOutput, **WRITE_ERRORS, 503: ErrorOutput}, examples=CLASSIFY_EXAMPLES,
        summary="¿Es discriminatorio? Probabilidades, categorías, términos y explicación de uno o varios textos.",
        description="Los textos no se guardan, salvo con `\"store\": true`, que además los pone en la cola de etiquetado.",
    )
    def post(self, request: Request) -> Response:
        data = classify_body_read(request.data)
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


def google_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal of a Perspective endpoint in Google's error shape, with the status DRF would give it
    (and its headers: `WWW-Authenticate`, `Retry-After`)."""
    if isinstance(exc, PerspectiveError):
        return Response(error_body(code=exc.code, message=exc.message, error_type=exc.error_type, detail=exc.detail), status=exc.code)
    if isinstance(exc, NoActiveModel):
        return Response(error_body(code=503, message=str(exc)), status=503)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    message = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    response.data = error_body(code=response.status_code, message=str(message))
    return response


@extend_schema(exclude=True)  # described by its own discovery document, not by /api/v1's OpenAPI
class PerspectiveApiView(ApiView):
    required_scope = "classify"
    authentication_classes = [QueryKeyAuthentication, SessionAuthentication]

    def get_exception_handler(self) -> Any:
        return google_exception_handler


class CommentAnalyzeApi(PerspectiveApiView):
    def post(self, request: Request) -> Response:
        parsed = analyze_request_read(request.data)
        may_store = isinstance(request.auth, KeyInfo) and Scope.STORE in request.auth.scopes
        return Response(comment_analyze(request=parsed, may_store=may_store, client=client_ids(request)))


class ScoreSuggestApi(PerspectiveApiView):
    def post(self, request: Request) -> Response:
        parsed = suggest_request_read(request.data)
        return Response(score_suggest(request=parsed, client=client_ids(request)))


@require_GET
def discovery_rest(request: HttpRequest) -> JsonResponse:
    """The discovery document Google's clients build from; public, like Google's."""
    if request.GET.get("version", VERSION) != VERSION:
        return JsonResponse(error_body(code=404, message=f"Discovery document not found for API service: commentanalyzer {request.GET['version']}"), status=404)
    return JsonResponse(discovery_document(root_url=request.build_absolute_uri("/")), json_dumps_params={"ensure_ascii": False})
