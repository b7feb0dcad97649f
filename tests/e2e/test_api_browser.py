"""The API as an administrator and a developer meet it in Chromium: a key made in the admin, the Swagger UI."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from labeling.models import QueuedText

pytestmark = pytest.mark.browser

PASSWORD = "clave-de-prueba-9471"


def test_a_key_made_in_the_admin_is_shown_once_works_and_stops_working_when_revoked(site):
    admin = get_user_model().objects.create_superuser(username="admin", email="a@example.org", password=PASSWORD)
    site.log_in(username=admin.username, password=PASSWORD, next_path="/admin/")
    page = site.page
    site.visit("/admin/api/apikey/add/", screenshot="admin-apikey-add")
    page.locator("#id_name").fill("Observatorio de prueba")
    page.locator("#id_organization").fill("ONG de prueba")
    page.locator("#id_rate_limit").fill("5")
    page.get_by_role("button", name="Guardar", exact=True).click()
    site.settle(screenshot="admin-apikey-created")
    message = page.locator(".messagelist .warning").inner_text()
    key = re.search(r"es: (\S+\.\S+) —", message).group(1)
    expect(page.locator("#result_list")).to_contain_text("Observatorio de prueba")

    api = page.context.request
    payload = {"text": "Pinche naco", "labels": ["discriminatory"]}
    answer = api.post(f"{site.base_url}/api/v1/feedback", data=payload, headers={"Authorization": f"Api-Key {key}"})
    assert answer.status == 201
    assert (answer.headers["x-ratelimit-limit"], answer.headers["x-ratelimit-remaining"]) == ("5", "4")
    assert QueuedText.objects.get().api_key.name == "Observatorio de prueba"

    page.locator("#result_list input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("revoke")
    page.get_by_role("button", name="Ir").click()
    site.settle(screenshot="admin-apikey-revoked")
    expect(page.locator(".messagelist")).to_contain_text("1 claves revocadas")
    refused = api.post(f"{site.base_url}/api/v1/feedback", data=payload, headers={"Authorization": f"Api-Key {key}"})
    assert refused.status == 401 and refused.json()["code"] == "authentication_failed"


def test_swagger_ui_lists_the_endpoints_with_examples(site):
    site.visit("/api/docs/")
    page = site.page
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/classify", "/api/v1/feedback", "/api/v1/tweets", "/classifier/"} <= {p.strip() for p in paths}
    page.locator(".opblock-summary-path", has_text="/api/v1/classify").first.click()
    expect(page.locator(".opblock-body").first).to_contain_text("feminazis")
    site.screenshot("swagger-ui")
