""""Mis alertas" in Chromium: a signed-in user adds a webhook alert for a category with the form (its fields follow
the choices), reads its secret once, sends a test; the page fits a phone and a laptop without sideways scroll."""
from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from alerts.models import Message, Subscription
from ingestion.models import Category

from .conftest import PHONE

pytestmark = pytest.mark.browser
PASSWORD = "clave-de-prueba-5310"


@pytest.fixture
def person(transactional_db):
    return get_user_model().objects.create_user(username="defensora", email="defensora@ejemplo.org", password=PASSWORD)


@pytest.fixture
def genero(transactional_db) -> Category:
    return Category.objects.update_or_create(slug="genero", defaults={"name": "Género", "active": True})[0]


@pytest.fixture
def broker():
    """The test message goes to the broker for a worker this test does not start: take it off afterwards."""
    yield
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


def test_add_a_webhook_alert_for_a_category_see_its_secret_and_send_a_test(site, person, genero, broker):
    site.log_in(username="defensora", password=PASSWORD, next_path="/alertas/")
    site.settle(screenshot="alerts-empty")
    page = site.page
    expect(page.get_by_test_id("empty-state")).to_contain_text("Todavía no tienes alertas")
    expect(page.get_by_role("navigation").get_by_role("link", name="Alertas")).to_be_visible()
    no_sideways_scroll(page)

    form = page.get_by_test_id("subscription-form")
    # With the script, only the fields the choices need are shown.
    expect(form.get_by_label("Categoría", exact=True)).to_be_hidden()
    expect(form.get_by_label("Dirección de correo", exact=True)).to_have_value("defensora@ejemplo.org")
    form.get_by_label("Una categoría", exact=True).check()
    expect(form.get_by_label("Categoría", exact=True)).to_be_visible()
    expect(form.get_by_label("Estado", exact=True)).to_be_hidden()
    form.get_by_label("Categoría", exact=True).select_option(label="Género")
    form.get_by_label("Amarillo o rojo", exact=True).check()
    form.get_by_label("Webhook", exact=True).check()
    expect(form.get_by_label("Dirección de correo", exact=True)).to_be_hidden()
    form.get_by_label("URL del webhook", exact=True).fill("https://hooks.ejemplo.org/ong/7f3a")
    form.get_by_label("Silencio entre avisos (horas)").fill("12")
    site.screenshot("alerts-form-filled")
    with page.expect_navigation():
        form.get_by_role("button", name="Crear alerta").click()
    site.settle(screenshot="alerts-created")

    subscription = Subscription.objects.get(owner=person)
    assert (subscription.series, subscription.trigger, subscription.quiet_minutes) == (
        f"category:{genero.pk}", "yellow", 720)
    card = page.get_by_test_id("subscription")
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading", name="Género")).to_be_visible()
    expect(card.get_by_test_id("address")).to_have_text("https://hooks.ejemplo.org/•••")
    secret = card.get_by_test_id("secret")
    expect(secret).to_contain_text(subscription.secret)
    expect(secret).to_contain_text("X-Discriminamometro-Signature")
    no_sideways_scroll(page)

    with page.expect_navigation():
        card.get_by_role("button", name="Enviar prueba").click()
    site.settle(screenshot="alerts-test-sent")
    expect(page.get_by_role("status")).to_contain_text("Enviado a la cola")
    expect(card.get_by_test_id("secret")).to_have_count(0)  # shown once
    card.locator("summary").click()
    rows = card.get_by_test_id("messages").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Prueba")
    expect(rows.first).to_contain_text("Por enviar")
    assert Message.objects.get(subscription=subscription).status == Message.Status.PENDING

    page.set_viewport_size(PHONE)
    site.settle(screenshot="alerts-phone")
    no_sideways_scroll(page)


def test_without_javascript_every_field_is_shown_and_the_server_names_the_missing_one(browser, live_server, person,
                                                                                      tmp_path):
    from .conftest import DESKTOP, context_open, site_open

    context = context_open(browser, viewport=PHONE, java_script_enabled=False)
    site = site_open(context.new_page(), live_server, tmp_path)
    site.log_in(username="defensora", password=PASSWORD, next_path="/alertas/")
    page = site.page
    form = page.get_by_test_id("subscription-form")
    expect(form.get_by_label("Estado", exact=True)).to_be_visible()
    expect(form.get_by_label("Hashtag", exact=True)).to_be_visible()
    expect(form.get_by_label("URL del webhook", exact=True)).to_be_visible()
    form.get_by_label("Un hashtag", exact=True).check()
    with page.expect_navigation():
        form.get_by_role("button", name="Crear alerta").click()
    site.settle(screenshot="alerts-nojs-error")
    expect(form.locator(".field.has-error")).to_contain_text("Escribe el hashtag que quieres vigilar.")
    no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)
    no_sideways_scroll(page)
    context.close()


def test_the_list_shows_each_alerts_level_like_the_semaforo_and_fits_a_phone(site, phone_site, person, genero):
    from django.utils import timezone

    now = timezone.now()
    red = Subscription.objects.create(owner=person, watch="category", category=genero, trigger="yellow",
                                      channel="webhook", address="https://hooks.ejemplo.org/un/camino/muy/largo/1234567890",
                                      level="red", notified_level="red", notified_at=now)
    Subscription.objects.create(owner=person, watch="state", state="CHP", address="defensora@ejemplo.org", level="yellow",
                                digest=True)
    Subscription.objects.create(owner=person, watch="hashtag", hashtag="unhashtagmuylargoquenodebeensancharlapagina" * 2,
                                address="defensora@ejemplo.org", active=False)
    Subscription.objects.create(owner=person, watch="bulletin", address="defensora@ejemplo.org", quiet_minutes=0)
    Message.objects.create(subscription=red, kind="enter", status="failed", attempts=6,
                           last_error="HTTP 502: " + "upstream connect error or disconnect/reset before headers " * 5)

    for each, name in ((site, "alerts-levels"), (phone_site, "alerts-levels-phone")):
        each.log_in(username="defensora", password=PASSWORD, next_path="/alertas/")
        each.page.locator(f"#alerta-{red.pk} summary").click()
        each.settle(screenshot=name)
        words = each.page.locator('[data-testid="subscription"] .level-word').all_inner_texts()
        assert words == ["Mensual", "En pausa", "Amarillo", "Rojo"]
        expect(each.page.locator(f"#alerta-{red.pk} .level-icon polygon")).to_have_attribute(
            "points", "6,1 14,1 19,6 19,14 14,19 6,19 1,14 1,6")  # the dashboard's octagon
        expect(each.page.locator(f"#alerta-{red.pk}")).to_contain_text("Fallido")
        no_sideways_scroll(each.page)
