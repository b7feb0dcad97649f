"""The Perspective-compatible endpoints' work: score a comment with the toxicity model, and keep what a client asks to keep.

`comment_analyze` answers `comments:analyze` from the active `toxicity` model
(its attributes are Perspective's) and, only when the request says
`doNotStore: false` and the key may store, queues the comment for annotators.
`score_suggest` queues a client's corrected scores (`comments:suggestscore`) as a
suggestion annotators decide on. The wire format is `pipeline/perspective.py`'s.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction

from classifier.label_sets import TOXICITY
from classifier.selectors.classification import model_for, texts_classify
from classifier.selectors.spans import text_scores_spans_get
from ingestion.language import languages_detected
from labeling.models import QueuedText
from labeling.services.queue import queued_texts_create
from pipeline.perspective import (
    SUPPORTED_LANGUAGES,
    AnalyzeRequest,
    SuggestRequest,
    analyze_answer,
    attribute_not_offered,
    languages_refused,
)


def comment_analyze(*, request: AnalyzeRequest, may_store: bool, client: dict[str, Any]) -> dict[str, Any]:
    """The `AnalyzeCommentResponse` for `request`; raises `PerspectiveError` for what Perspective refuses and
    `NoActiveModel` while no toxicity model is active. `client`: who asked (`pipeline.api` `client_ids`)."""
    attributes = list(request.thresholds)
    detected, spanish = languages_detected(request.text)
    languages = _languages_scored(request=request, attributes=attributes, detected=detected, spanish=spanish)
    loaded = model_for(task=TOXICITY)
    refused = loaded.version.metrics.get("not_offered", {})
    for name in attributes:
        if name not in loaded.model.labels:
            raise attribute_not_offered(attribute=name, languages=languages, reason=_reason(refused.get(name)))
    spans = None
    if request.span_annotations:  # the whole text is scored in the same pass as its spans
        scores, spans = text_scores_spans_get(loaded=loaded, text=request.text, labels=attributes)
    else:
        (result,) = texts_classify(task=TOXICITY, texts=[request.text], explain=False, loaded=loaded).results
        scores = result["labels"]
    answer = analyze_answer(request=request, scores=scores, spans=spans, languages=languages, detected=detected)
    if request.do_not_store is False and may_store:
        queued_texts_create(
            task=TOXICITY, texts=[request.text], origin=QueuedText.Origin.ANALYZE, scores=[{name: round(value, 4) for name, value in scores.items()}],
            model_version_id=loaded.version.pk, reference=request.client_token, comment=_community(request.community_id),
            **client,
        )
    return answer


def score_suggest(*, request: SuggestRequest, client: dict[str, Any]) -> dict[str, Any]:
    """Queue the client's scores as a suggestion for annotators (`SuggestCommentScoreResponse`)."""
    detected, _ = languages_detected(request.text)
    with transaction.atomic():
        queued_texts_create(
            task=TOXICITY, texts=[request.text], origin=QueuedText.Origin.SUGGESTSCORE,
            suggested_scores=request.scores,  # its labels: the attributes at 0.5 or more, in Perspective's order reference=request.client_token, comment=_community(request.community_id),
            **client,
        )
    answer: dict[str, Any] = {"detectedLanguages": detected, "requestedLanguages": request.languages}
    if request.client_token:
        answer["clientToken"] = request.client_token
    return answer


def _languages_scored(*, request: AnalyzeRequest, attributes: list[str], detected: list[str], spanish: bool) -> list[str]:
    if request.languages:
        refused = languages_refused(attributes=attributes, languages=request.languages)
        if refused is not None:
            raise refused
        return [language for language in request.languages if language in SUPPORTED_LANGUAGES]
    if not spanish:
        refused = languages_refused(attributes=attributes, languages=detected)
        if refused is not None:
            raise refused
    return list(SUPPORTED_LANGUAGES)


def _reason(reason: Any) -> str:
    return f"No se ofrece: {reason}." if reason else ""


def _community(community_id: str) -> str:
    return f"communityId: {community_id}" if community_id else ""
