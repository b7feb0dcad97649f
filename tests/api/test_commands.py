"""`create_api_key`: a working key, printed once."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey

pytestmark = pytest.mark.django_db

FEEDBACK = {"text": "Pinche naco", "labels": ["discriminatory"]}


def test_create_api_key_command_prints_a_working_key_once():
    from io import StringIO

    from django.core.management import CommandError, call_command

    out, err = StringIO(), StringIO()
    call_command("create_api_key", "Bot de moderación", "--scopes", "classify,read", "--rate-limit", "30", stdout=out, stderr=err)
    key = out.getvalue().strip()
    row = ApiKey.objects.get(name="Bot de moderación")
    assert (row.scopes, row.rate_limit) == ({"classify", "read"}, 30)
    assert key not in row.hashed_key and "no se volverá a mostrar" in err.getvalue()
    response = APIClient().post("/api/v1/feedback", FEEDBACK, format="json", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 201 and response["X-RateLimit-Limit"] == "30"
    with pytest.raises(CommandError, match="desconocidos"):
        call_command("create_api_key", "x", "--scopes", "admin", stdout=StringIO(), stderr=StringIO())
