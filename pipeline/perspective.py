"""The Perspective API's wire format (Comment Analyzer v1alpha1): requests read, answers and errors written.

What a Perspective client sends and expects, so one that only changes its base
URL keeps working: `comments:analyze` and `comments:suggestscore` bodies in
camelCase, answers as `attributeScores.<ATTR>.summaryScore {value, type}`, and
errors in Google's shape `{"error": {"code", "message", "status", "details"}}`,
with Perspective's own messages where clients parse them ("Attribute X does not
support request languages: xx"). The limits are Perspective's: 20,480 bytes of
UTF-8 per comment. Nothing here scores or stores; `pipeline/api.py` does.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from classifier.label_sets import ATTRIBUTES

MAX_COMMENT_BYTES = 20_480
SUPPORTED_LANGUAGES: tuple[str, ...] = ("es",)
SCORE_TYPE = "PROBABILITY"
ERROR_TYPE_URL = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"

# HTTP status → the google.rpc.Code name Google's APIs put in `error.status`.
STATUS_NAMES = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    405: "UNIMPLEMENTED", 409: "ABORTED", 413: "INVALID_ARGUMENT", 415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
}

_COMMON_FIELDS = {"comment", "context", "languages", "clientToken", "communityId", "sessionId"}
ANALYZE_FIELDS = _COMMON_FIELDS | {"requestedAttributes", "spanAnnotations", "doNotStore"}
SUGGEST_FIELDS = _COMMON_FIELDS | {"attributeScores"}


class PerspectiveError(Exception):
    """A request Perspective would refuse: its HTTP code, message and Perspective's `errorType`."""

    def __init__(self, message: str, *, code: int = 400, error_type: str | None = None, **detail: Any):
        super().__init__(message)
        self.message, self.code, self.error_type, self.detail = message, code, error_type, detail


def error_body(*, code: int, message: str, error_type: str | None = None, detail: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Google's error shape; `details` carries Perspective's `errorType` when there is one."""
    error: dict[str, Any] = {"code": code, "message": message, "status": STATUS_NAMES.get(code, "UNKNOWN")}
    if error_type:
        error["details"] = [{"@type": ERROR_TYPE_URL, "errorType": error_type, **(detail or {})}]
    return {"error": error}


@dataclass(frozen=True, slots=True)
class AnalyzeRequest:
    text: str
    thresholds: dict[str, float | None]  # requested attribute → scoreThreshold (None: every score answered)
    languages: list[str]
    span_annotations: bool = False
    do_not_store: bool | None = None  # None: not sent (nothing is stored)
    client_token: str = ""
    community_id: str = ""
    session_id: str = ""


@dataclass(frozen=True, slots=True)
class SuggestRequest:
    text: str
    scores: dict[str, float]  # attribute → the score the client believes right
    languages: list[str] = field(default_factory=list)
    client_token: str = ""
    community_id: str = ""


def analyze_request_read(body: Any) -> AnalyzeRequest:
    """A `comments:analyze` body, checked as Perspective checks it (a `PerspectiveError` otherwise)."""
    body = _object(body, ANALYZE_FIELDS)
    text = _comment_text(body)
    requested = body.get("requestedAttributes")
    if not isinstance(requested, dict) or not requested:
        raise PerspectiveError("Must request at least one attribute.", error_type="NO_REQUESTED_ATTRIBUTES")
    thresholds = {name: _attribute_threshold(name, options) for name, options in requested.items()}
    do_not_store = body.get("doNotStore")
    if do_not_store is not None and not isinstance(do_not_store, bool):
        raise _invalid_value("doNotStore", do_not_store)
    span_annotations = body.get("spanAnnotations", False)
    if not isinstance(span_annotations, bool):
        raise _invalid_value("spanAnnotations", span_annotations)
    return AnalyzeRequest(
        text=text, thresholds=thresholds, languages=_languages(body), span_annotations=span_annotations,
        do_not_store=do_not_store, **_client_fields(body),
    )


def suggest_request_read(body: Any) -> SuggestRequest:
    """A `comments:suggestscore` body: the comment and, per attribute, `summaryScore.value` in [0, 1]."""
    body = _object(body, SUGGEST_FIELDS)
    text = _comment_text(body)
    given = body.get("attributeScores")
    if not isinstance(given, dict) or not given:
        raise PerspectiveError("Must suggest a score for at least one attribute.", error_type="NO_REQUESTED_ATTRIBUTES")
    scores = {}
    for name, score in given.items():
        _attribute_known(name)
        value = score.get("summaryScore", {}).get("value") if isinstance(score, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise PerspectiveError(f"attributeScores.{name}.summaryScore.value must be a number between 0 and 1.")
        scores[name] = float(value)
    client = _client_fields(body)
    return SuggestRequest(
        text=text, scores=scores, languages=_languages(body), client_token=client["client_token"],
        community_id=client["community_id"],
    )


def languages_refused(*, attributes: Sequence[str], languages: Sequence[str]) -> PerspectiveError | None:
    """Perspective's answer when none of the request's languages is one we score."""
    if not languages or any(language in SUPPORTED_LANGUAGES for language in languages):
        return None
    return PerspectiveError(
        f"Attribute {attributes[0]} does not support request languages: {','.join(languages)}",
        error_type="LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        languageNotSupportedByAttributeError={"detectedLanguages": list(languages), "attribute": attributes[0]},
    )


def attribute_not_offered(*, attribute: str, languages: Sequence[str], reason: str) -> PerspectiveError:
    """An attribute of Perspective's list the active model does not offer (too little evidence to train it)."""
    return PerspectiveError(
        f"Attribute {attribute} does not support request languages: {','.join(languages)}. {reason}".strip(),
        error_type="LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        languageNotSupportedByAttributeError={"detectedLanguages": list(languages), "attribute": attribute},
    )


def analyze_answer(
    *, request: AnalyzeRequest, scores: Mapping[str, float], spans: Mapping[str, Sequence[tuple[int, int, float]]] | None,
    languages: Sequence[str], detected: Sequence[str],
) -> dict[str, Any]:
    """The `AnalyzeCommentResponse`: each requested attribute at or above its threshold (Perspective leaves the others
    out), with `spanScores` when asked for; a text no word of pushes an attribute gets one span, the whole text."""
    attribute_scores = {}
    for name, threshold in request.thresholds.items():
        value = round(float(scores[name]), 4)
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, Any] = {}
        if spans is not None:
            found = spans.get(name) or [(0, len(request.text), value)]
            entry["spanScores"] = [
                {"begin": begin, "end": end, "score": {"value": round(float(score), 4), "type": SCORE_TYPE}}
                for begin, end, score in found
            ]
        entry["summaryScore"] = {"value": value, "type": SCORE_TYPE}
        attribute_scores[name] = entry
    answer: dict[str, Any] = {"attributeScores": attribute_scores, "languages": list(languages), "detectedLanguages": list(detected)}
    if request.client_token:
        answer["clientToken"] = request.client_token
    return answer


def _object(body: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PerspectiveError("Invalid JSON payload received. The body must be a JSON object.")
    for name in body:
        if name not in allowed:
            raise PerspectiveError(f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.')
    return body


def _comment_text(body: dict[str, Any]) -> str:
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, dict):
        raise _invalid_value("comment", comment)
    text = (comment or {}).get("text")
    if text is not None and not isinstance(text, str):
        raise _invalid_value("comment.text", text)
    if not text or not text.strip():
        raise PerspectiveError("Comment must be non-empty.", error_type="COMMENT_EMPTY")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_COMMENT_BYTES:
        raise PerspectiveError(
            f"Comment text was too many bytes. Value ({size}) exceeded limit ({MAX_COMMENT_BYTES}).",
            error_type="COMMENT_TOO_LONG",
        )
    return text


def _attribute_known(name: str) -> None:
    if name not in ATTRIBUTES:
        raise PerspectiveError(
            f"Unknown attribute: {name}. Attributes served: {', '.join(ATTRIBUTES)}.", error_type="UNKNOWN_ATTRIBUTE",
        )


def _attribute_threshold(name: str, options: Any) -> float | None:
    _attribute_known(name)
    if options is None:
        return None
    if not isinstance(options, dict):
        raise _invalid_value(f"requestedAttributes.{name}", options)
    score_type = options.get("scoreType", SCORE_TYPE)
    if score_type != SCORE_TYPE:
        raise PerspectiveError(f"Unsupported scoreType for {name}: {score_type}. Only PROBABILITY is supported.")
    threshold = options.get("scoreThreshold")
    if threshold is None:
        return None
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise PerspectiveError(f"requestedAttributes.{name}.scoreThreshold must be a number between 0 and 1.")
    return float(threshold)


def _languages(body: dict[str, Any]) -> list[str]:
    languages = body.get("languages") or []
    if not isinstance(languages, list) or not all(isinstance(item, str) and 0 < len(item) <= 20 for item in languages):
        raise _invalid_value("languages", languages)
    return [item.lower().split("-")[0] for item in languages]


def _client_fields(body: dict[str, Any]) -> dict[str, str]:
    found = {}
    for name, key in (("clientToken", "client_token"), ("communityId", "community_id"), ("sessionId", "session_id")):
        value = body.get(name, "")
        if not isinstance(value, str) or len(value) > 200:
            raise _invalid_value(name, value)
        found[key] = value
    return found


def _invalid_value(name: str, value: Any) -> PerspectiveError:
    shown = repr(value)[:40]
    return PerspectiveError(f'Invalid value at \'{name}\' ({shown}).')
