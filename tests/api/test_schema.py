"""A bounded schemathesis run against the API's own OpenAPI schema: no 5xx, no answer that breaks the schema."""
from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.keys import api_key_create

# The schema exactly as /api/schema/ serves it, generated at collection (no request, no database).
schema = schemathesis.openapi.from_dict(orjson.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True))))
schema.app = get_wsgi_application()


@pytest.fixture
def in_process_app(trained_models, db) -> Iterator[None]:
    # The app runs in-process on the test's own connection, inside its transaction; like Django's
    # test client, keep the request signals from closing that connection between requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(db) -> str:
    _, key = api_key_create(name="schemathesis", scopes={"classify", "read"}, rate_limit=1_000_000)
    return key


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_and_every_answer_matches_the_schema(case, in_process_app, api_key):
    # Not checked: that every schema-valid request is accepted. Some values are valid JSON of the
    # right type that the data refuses (a threshold for a label the model does not have, an
    # unknown category), and those must stay a 400.
    case.call_and_validate(
        headers={"Authorization": f"Api-Key {api_key}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_headers_conformance, response_schema_conformance],
    )


@pytest.mark.django_db
def test_schema_and_swagger_ui_are_served():
    schema = APIClient().get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/classify", "/api/v1/tasks/{task}/predict", "/api/v1/feedback", "/classifier/"} <= set(paths)
    assert paths["/api/v1/classify"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    docs = APIClient().get(reverse("api-docs"))
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
