"""The semáforo's settings in the admin: one row, reached from the list, checked before saving."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dashboard.models import SemaforoSettings
from tests.factories import SemaforoSettingsFactory


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "clave-secreta")
    client.force_login(user)
    return client


FORM = {"window_hours": 24, "baseline_days": 14, "min_baseline_windows": 3, "history_days": 60,
        "min_posts": 50, "yellow_sigma": 1.5, "red_sigma": 3}


@pytest.mark.django_db
def test_the_list_leads_to_the_one_row_and_saving_changes_it(admin_client):
    response = admin_client.get(reverse("admin:dashboard_semaforosettings_changelist"))
    change = reverse("admin:dashboard_semaforosettings_change", args=[1])
    assert response.status_code == 302 and response.url == change
    page = admin_client.get(change)
    assert "Ventana (horas)" in page.content.decode() and "Rojo desde (desviaciones estándar)" in page.content.decode()
    assert "Última modificación" in page.content.decode() and "Actualizado" in page.content.decode()
    assert admin_client.post(change, FORM).status_code == 302
    settings = SemaforoSettings.objects.get()
    assert (settings.pk, settings.window_hours, settings.red_sigma) == (1, 24, 3.0)


@pytest.mark.django_db
def test_inconsistent_settings_are_refused(admin_client):
    change = reverse("admin:dashboard_semaforosettings_change", args=[SemaforoSettingsFactory.create().pk])
    page = admin_client.post(change, {**FORM, "red_sigma": 1, "history_days": 10})
    assert page.status_code == 200
    text = page.content.decode()
    assert "El umbral rojo debe ser mayor que el amarillo." in text
    assert "Debe cubrir al menos la ventana y la historia de referencia." in text
    assert SemaforoSettings.objects.get().red_sigma == 2.0
