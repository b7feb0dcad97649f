"""`POST /api/v1/classify` reads plainly valid bodies without building the serializer: the same data, and
every other body still refused by `ClassifyInput` in the one error shape."""
from __future__ import annotations

import pytest
from rest_framework.exceptions import ValidationError

from api.views import body_validated
from classifier.serializers import ClassifyInput
from pipeline.api import classify_body_read

BODIES = [
    {"text": "Pinche naco"}, {"text": "  con espacios  "}, {"texts": ["uno", "dos"]}, {"text": "x", "explain": False},
    {"texts": ["x"], "store": True, "explain": True}, {"text": "x", "thresholds": {"discriminatory": 0.3}},
    {"text": "x", "other": 1}, {"text": ""}, {"text": "   "}, {"text": 5}, {"text": None}, {"texts": []},
    {"texts": "uno"}, {"texts": ["uno", ""]}, {"texts": ["uno", 3]}, {"text": "a\x00b"}, {"text": "a\ud800b"},
    {"text": "x" * 5000}, {"text": "x" * 5001}, {"texts": ["x"] * 1000}, {"texts": ["x"] * 1001},
    {"text": "x", "texts": ["y"]}, {}, {"text": "x", "explain": 1}, {"text": "x", "store": "true"}, [], "texto",
    {"text": ["x"]},
]


def _through_serializer(body: object) -> object:
    try:
        return body_validated(ClassifyInput, request_data=body)
    except ValidationError as error:
        return error.detail


def _through_endpoint_reader(body: object) -> object:
    try:
        return classify_body_read(body)
    except ValidationError as error:
        return error.detail


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_the_fast_reader_gives_what_the_serializer_gives(body, settings):
    settings.API = {**settings.API, "MAX_TEXTS": 1000, "MAX_TEXT_CHARS": 5000}
    assert _through_endpoint_reader(body) == _through_serializer(body)
