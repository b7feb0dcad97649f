"""Published Perspective clients, unchanged but for one URL, against this server over HTTP (live_server):
Google's own (google-api-python-client, built from our discovery document) and the `perspective` package."""
from __future__ import annotations

import pytest
from googleapiclient import discovery
from googleapiclient.errors import HttpError
from perspective import PerspectiveAPI

from api.keys import api_key_create
from labeling.models import QueuedText


@pytest.fixture
def key(transactional_db) -> str:
    return api_key_create(name="cliente", scopes={"classify"}, rate_limit=100)[1]


def google_client(live_server, key: str):
    return discovery.build(
        "commentanalyzer", "v1alpha1", developerKey=key, static_discovery=False, cache_discovery=False,
        discoveryServiceUrl=f"{live_server.url}/$discovery/rest?version=v1alpha1",
    )


def test_googles_client_analyzes_through_our_discovery_document(trained_toxicity_model, live_server, key):
    client = google_client(live_server, key)
    request = {
        "comment": {"text": "Eres un idiota y un naco"}, "requestedAttributes": {"TOXICITY": {}, "IDENTITY_ATTACK": {}},
        "spanAnnotations": True, "languages": ["es"], "clientToken": "g-1",
    }
    answer = client.comments().analyze(body=request).execute()
    assert set(answer["attributeScores"]) == {"TOXICITY", "IDENTITY_ATTACK"}
    assert answer["attributeScores"]["TOXICITY"]["summaryScore"]["type"] == "PROBABILITY"
    assert answer["attributeScores"]["TOXICITY"]["spanScores"]
    assert answer["clientToken"] == "g-1"


def test_googles_client_sees_perspectives_error_for_an_attribute_not_offered(trained_toxicity_model, live_server, key):
    client = google_client(live_server, key)
    with pytest.raises(HttpError) as raised:
        client.comments().analyze(body={"comment": {"text": "hola"}, "requestedAttributes": {"THREAT": {}}}).execute()
    assert raised.value.resp.status == 400
    assert "Attribute THREAT does not support request languages: es" in str(raised.value)


def test_googles_client_suggests_a_score(trained_toxicity_model, live_server, key):
    client = google_client(live_server, key)
    body = {"comment": {"text": "Pinche naco"}, "attributeScores": {"INSULT": {"summaryScore": {"value": 1}}}}
    assert client.comments().suggestscore(body=body).execute()["requestedLanguages"] == []
    assert QueuedText.objects.filter(origin="suggestscore", suggested_labels=["INSULT"]).exists()


def test_the_perspective_package_with_its_url_pointed_here(trained_toxicity_model, live_server, key):
    api = PerspectiveAPI(key)
    api.api_client.url = f"{live_server.url}/v1alpha1/{{endpoint}}"
    scores = api.score("Eres un idiota", tests=["TOXICITY", "IDENTITY_ATTACK"])
    assert set(scores) == {"TOXICITY", "IDENTITY_ATTACK"} and all(0 <= v <= 1 for v in scores.values())
    answer = api.analyze_comment("Qué bonito día", requested_attributes={"TOXICITY": {}}, languages=["es"], span_annotations=True)
    assert answer["attributeScores"]["TOXICITY"]["spanScores"]
