"""The Perspective-compatible endpoint: Perspective's request and response shapes, its errors in Google's shape,
`?key=` keys counted by the usual limits, doNotStore, suggestscore and span offsets."""
from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from api.keys import api_key_create
from labeling.models import QueuedText

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"

pytestmark = pytest.mark.usefixtures("api_fresh")


@pytest.fixture
def key(db) -> str:
    return api_key_create(name="periódico", scopes={"classify"}, rate_limit=50)[1]


@pytest.fixture
def storing_key(db) -> str:
    return api_key_create(name="foro", scopes={"classify", "store"}, rate_limit=50)[1]


def analyze(body: dict[str, Any], key: str) -> Any:
    return APIClient().post(f"{ANALYZE}?key={key}", body, format="json")


def body_of(text: str, *attributes: str, **fields: Any) -> dict[str, Any]:
    return {"comment": {"text": text}, "requestedAttributes": {name: {} for name in attributes or ("TOXICITY",)}, **fields}


def google_error(response: Any, code: int, status: str) -> dict[str, Any]:
    assert response.status_code == code, response.content
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (code, status)
    return error


def test_documented_request_answers_perspectives_shape(trained_toxicity_model, key):
    """Perspective's documented example, in Spanish: summary scores as probabilities, languages, the client's token."""
    response = analyze(body_of("Eres un idiota, vete de mi país", "TOXICITY", "IDENTITY_ATTACK", languages=["es"],
                               clientToken="nota-42", communityId="foro-deportes", sessionId="s1"), key)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert set(answer["attributeScores"]) == {"TOXICITY", "IDENTITY_ATTACK"}
    for score in answer["attributeScores"].values():
        assert score["summaryScore"]["type"] == "PROBABILITY"
        assert 0 <= score["summaryScore"]["value"] <= 1
        assert "spanScores" not in score
    assert answer["languages"] == ["es"]
    assert answer["clientToken"] == "nota-42"
    assert "es" in answer["detectedLanguages"]


def test_hostile_comment_scores_above_a_friendly_one(trained_toxicity_model, key):
    def toxicity(text: str) -> float:
        return analyze(body_of(text), key).json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]

    from ingestion.sources.replay import demo_corpus

    corpus = demo_corpus()
    hostile = next(item["text"] for item in corpus if item["discriminatory"])
    friendly = next(item["text"] for item in corpus if not item["discriminatory"])
    assert toxicity(hostile) > toxicity(friendly)


def test_score_threshold_leaves_lower_scores_out(trained_toxicity_model, key):
    answer = analyze(body_of("Qué bonito día", "TOXICITY"), key).json()
    value = answer["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    above = {"comment": {"text": "Qué bonito día"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": min(1.0, value + 0.01)}}}
    assert analyze(above, key).json()["attributeScores"] == {}


@pytest.mark.parametrize("text", ["¡¡ESTÚPIDAAAA!! naca 🙄 vete de aquí", "Ñoño 👍🏽 pendejooo #NoEsNormal @alguien", "a" * 3 + " idiota"])
def test_span_scores_point_into_the_text_as_sent(trained_toxicity_model, key, text):
    answer = analyze(body_of(text, "TOXICITY", "IDENTITY_ATTACK", spanAnnotations=True), key).json()
    for name in ("TOXICITY", "IDENTITY_ATTACK"):
        spans = answer["attributeScores"][name]["spanScores"]
        assert spans, name
        for span in spans:
            assert 0 <= span["begin"] < span["end"] <= len(text)
            assert span["score"]["type"] == "PROBABILITY" and 0 <= span["score"]["value"] <= 1
            piece = text[span["begin"]:span["end"]]
            assert piece == piece.strip() and piece  # whole words, not cut inside an accent or an emoji


def test_span_of_an_elongated_shouted_word_covers_it_whole(trained_toxicity_model, key):
    """The word that pushes most in a hostile post, shouted and stretched ("NACOOOOO"), is one span as typed."""
    from ingestion.sources.replay import demo_corpus

    hostile = next(item["text"] for item in demo_corpus() if item["discriminatory"])
    spans = analyze(body_of(hostile, spanAnnotations=True), key).json()["attributeScores"]["TOXICITY"]["spanScores"]
    top = max(spans, key=lambda span: span["score"]["value"])
    word = next(w for w in hostile[top["begin"]:top["end"]].split() if w.isalpha())
    shouted = word.upper() + word[-1].upper() * 4
    text = f"Oye, {shouted} 👎🏽 ñoño"
    spans = analyze(body_of(text, spanAnnotations=True), key).json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert any(shouted in text[span["begin"]:span["end"]] for span in spans), (text, spans)


@pytest.mark.parametrize(("body", "code", "status", "message", "error_type"), [
    ({"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}, 400, "INVALID_ARGUMENT", "Comment must be non-empty.", "COMMENT_EMPTY"),
    ({"requestedAttributes": {"TOXICITY": {}}}, 400, "INVALID_ARGUMENT", "Comment must be non-empty.", "COMMENT_EMPTY"),
    ({"comment": {"text": "ñ" * 10_241}, "requestedAttributes": {"TOXICITY": {}}}, 400, "INVALID_ARGUMENT",
     "Comment text was too many bytes. Value (20482) exceeded limit (20480).", "COMMENT_TOO_LONG"),
    ({"comment": {"text": "hola"}, "requestedAttributes": {"SARCASM": {}}}, 400, "INVALID_ARGUMENT", "Unknown attribute: SARCASM", "UNKNOWN_ATTRIBUTE"),
    ({"comment": {"text": "hola"}, "requestedAttributes": {}}, 400, "INVALID_ARGUMENT", "Must request at least one attribute.", "NO_REQUESTED_ATTRIBUTES"),
    ({"comment": {"text": "hola"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]}, 400, "INVALID_ARGUMENT",
     "Attribute TOXICITY does not support request languages: en", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"),
    ({"comment": {"text": "hola"}, "requestedAttributes": {"THREAT": {}}, "languages": ["es"]}, 400, "INVALID_ARGUMENT",
     "Attribute THREAT does not support request languages: es", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"),
    ({"comment": {"text": "hola"}, "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}}, 400, "INVALID_ARGUMENT",
     "Unsupported scoreType", None),
    ({"comment": {"text": "hola"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}}, 400, "INVALID_ARGUMENT", "scoreThreshold", None),
    ({"comment": {"text": "hola"}, "requestedAttributes": {"TOXICITY": {}}, "doNotSotre": True}, 400, "INVALID_ARGUMENT",
     'Unknown name "doNotSotre"', None),
    ({"comment": {"text": 7}, "requestedAttributes": {"TOXICITY": {}}}, 400, "INVALID_ARGUMENT", "comment.text", None),
])
def test_perspectives_own_errors_in_googles_shape(trained_toxicity_model, key, body, code, status, message, error_type):
    error = google_error(analyze(body, key), code, status)
    assert message in error["message"]
    if error_type:
        assert error["details"][0]["errorType"] == error_type


def test_attribute_not_offered_says_why(trained_toxicity_model, key):
    error = google_error(analyze(body_of("hola", "THREAT"), key), 400, "INVALID_ARGUMENT")
    assert "ejemplos positivos" in error["message"]  # the training report's reason


def test_comment_in_another_language_is_refused_as_perspective_does(trained_toxicity_model, key):
    error = google_error(analyze(body_of("The weather is lovely and the children play in the garden"), key), 400, "INVALID_ARGUMENT")
    assert error["message"].startswith("Attribute TOXICITY does not support request languages: en")


def test_short_spanish_slang_is_scored_as_spanish(trained_toxicity_model, key):
    assert analyze(body_of("Pinche naco vete a tu pais"), key).status_code == 200


def test_body_that_is_not_json_is_googles_invalid_argument(trained_toxicity_model, key):
    response = APIClient().post(f"{ANALYZE}?key={key}", data=b"{no", content_type="application/json")
    google_error(response, 400, "INVALID_ARGUMENT")


def test_key_in_query_string_or_headers_counted_by_the_same_limit(trained_toxicity_model):
    _, key = api_key_create(name="bot", scopes={"classify"}, rate_limit=3)
    headers_client = APIClient()
    headers_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    first = analyze(body_of("hola"), key)
    assert first.status_code == 200 and first["X-RateLimit-Limit"] == "3" and first["X-RateLimit-Remaining"] == "2"
    second = headers_client.post(ANALYZE, body_of("hola"), format="json")
    assert second.status_code == 200 and second["X-RateLimit-Remaining"] == "1"
    analyze(body_of("hola"), key)
    refused = analyze(body_of("hola"), key)
    google_error(refused, 429, "RESOURCE_EXHAUSTED")
    assert refused["X-RateLimit-Remaining"] == "0" and "Retry-After" in refused


def test_missing_bad_and_unscoped_keys(trained_toxicity_model):
    google_error(APIClient().post(ANALYZE, body_of("hola"), format="json"), 401, "UNAUTHENTICATED")
    google_error(analyze(body_of("hola"), "abc.def"), 401, "UNAUTHENTICATED")
    _, reader = api_key_create(name="lector", scopes={"read"})
    google_error(analyze(body_of("hola"), reader), 403, "PERMISSION_DENIED")


def test_the_key_is_only_read_from_the_query_string_on_perspectives_routes(trained_models, key):
    response = APIClient().post(f"/api/v1/classify?key={key}", {"texts": ["hola"]}, format="json")
    assert response.status_code == 401


def test_without_a_toxicity_model_the_answer_is_unavailable(db, key):
    google_error(analyze(body_of("hola"), key), 503, "UNAVAILABLE")


def test_nothing_is_stored_by_default_or_without_the_keys_permission(trained_toxicity_model, key, storing_key):
    analyze(body_of("Eres un idiota"), storing_key)  # doNotStore not sent
    analyze(body_of("Eres un idiota", doNotStore=True), storing_key)
    analyze(body_of("Eres un idiota", doNotStore=False), key)  # the key may not store
    assert not QueuedText.objects.exists()


def test_do_not_store_false_with_a_storing_key_queues_the_comment(trained_toxicity_model, storing_key):
    response = analyze(body_of("Eres un idiota", "TOXICITY", doNotStore=False, clientToken="c-9"), storing_key)
    assert response.status_code == 200
    (queued,) = QueuedText.objects.all()
    assert (queued.task, queued.origin, queued.text, queued.reference) == ("toxicity", "analyze", "Eres un idiota", "c-9")
    assert set(queued.model_scores) >= {"TOXICITY", "IDENTITY_ATTACK"}
    assert queued.api_key_id is not None


def test_suggestscore_queues_the_clients_scores_as_a_suggestion(db, key):
    body = {"comment": {"text": "Pinche naco"}, "attributeScores": {
        "TOXICITY": {"summaryScore": {"value": 0.9}}, "INSULT": {"summaryScore": {"value": 0.8}},
        "IDENTITY_ATTACK": {"summaryScore": {"value": 0.1}}}, "clientToken": "t-1", "communityId": "noticias"}
    response = APIClient().post(f"{SUGGEST}?key={key}", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["clientToken"] == "t-1"
    (queued,) = QueuedText.objects.all()
    assert (queued.task, queued.origin) == ("toxicity", "suggestscore")
    assert queued.suggested_labels == ["TOXICITY", "INSULT"]
    assert queued.suggested_scores == {"TOXICITY": 0.9, "INSULT": 0.8, "IDENTITY_ATTACK": 0.1}


def test_suggestscore_refuses_a_score_outside_zero_and_one(db, key):
    body = {"comment": {"text": "hola"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 3}}}}
    google_error(APIClient().post(f"{SUGGEST}?key={key}", body, format="json"), 400, "INVALID_ARGUMENT")
    assert not QueuedText.objects.exists()


def test_discovery_document_describes_both_methods_under_this_server(db):
    response = APIClient().get("/$discovery/rest?version=v1alpha1&key=anything")
    assert response.status_code == 200
    document = response.json()
    assert document["rootUrl"] == "http://testserver/"
    methods = document["resources"]["comments"]["methods"]
    assert methods["analyze"]["path"] == "v1alpha1/comments:analyze"
    assert methods["suggestscore"]["httpMethod"] == "POST"
    assert APIClient().get("/$discovery/rest?version=v9").status_code == 404


def test_a_suggestscore_correction_becomes_a_toxicity_training_row_through_a_campaign(db, key):
    """suggestscore → the queue → a campaign from the queue → two annotators agree → a `toxicity` LabeledText
    that the next training of the task reads."""
    from classifier.models import LabeledText
    from labeling.models import Campaign
    from labeling.services.assignment import annotation_submit, assignment_next
    from labeling.services.campaigns import QueueFilters, campaign_from_queue_create
    from tests.factories import UserFactory

    body = {"comment": {"text": "Cállate, pendejo"}, "attributeScores": {
        "TOXICITY": {"summaryScore": {"value": 0.95}}, "INSULT": {"summaryScore": {"value": 0.9}}}}
    assert APIClient().post(f"{SUGGEST}?key={key}", body, format="json").status_code == 200
    campaign, taken = campaign_from_queue_create(
        name="Correcciones", filters=QueueFilters(task="toxicity", origin="suggestscore"), status=Campaign.Status.RUNNING,
    )
    assert taken == 1
    for name in ("ana", "beto"):
        person = UserFactory.create(username=name).pk
        assignment = assignment_next(campaign=campaign, annotator_id=person)
        assert assignment is not None and assignment.item.text == "Cállate, pendejo"
        annotation_submit(assignment_id=assignment.pk, annotator_id=person, answer="yes", categories=["INSULT"])
    row = LabeledText.objects.get(task="toxicity", source="annotators")
    assert (row.text, row.labels) == ("Cállate, pendejo", ["TOXICITY", "INSULT"])
    assert QueuedText.objects.get().status == "labeled"
