"""/alertas/ as its signed-in user sees it: the subscriptions they add (every watch kind and channel), what the form
refuses and why, only their own rows, the limit, and the test message that goes to the outbox."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from django.test import Client
from django.utils import timezone

from alerts.models import Message, Subscription
from alerts.services.subscriptions import SUBSCRIPTIONS_PER_USER
from ingestion.models import Category, Source
from tests.factories import CategoryFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/alertas/"


@pytest.fixture
def user():
    return UserFactory.create(username="ana", email="ana@ejemplo.org")


@pytest.fixture
def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def genero() -> Category:
    Category.objects.update(active=False)
    CategoryFactory.create(slug="retirada", name="Retirada", active=False)
    return CategoryFactory.create(slug="genero-x", name="Género", active=True)


@pytest.fixture
def bluesky() -> Source:
    Source.objects.update(enabled=False)
    SourceFactory.create(slug="apagada", name="Apagada", enabled=False)
    return SourceFactory.create(slug="bluesky-x", name="Bluesky", kind=Source.Kind.BLUESKY, enabled=True)


def one(node: Any, selector: str) -> Tag:
    """The one element a selector must find."""
    found = node.select_one(selector)
    assert isinstance(found, Tag), f"nothing matches {selector}"
    return found


def post(client: Client, **fields: Any):
    data = {"watch": "all", "trigger": "red", "channel": "email", "email": "ana@ejemplo.org", "quiet_hours": "6", **fields}
    return client.post(URL, data)


def page(client: Client) -> BeautifulSoup:
    response = client.get(URL)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def field_errors(response) -> dict[str, str]:
    """Each field's error as the page shows it under the field, by the field's label."""
    html = BeautifulSoup(response.content.decode(), "html.parser")
    return {one(div, "label").get_text(strip=True): one(div, ".field-error").get_text(strip=True)
            for div in html.select(".field.has-error")}


def cards(html: BeautifulSoup) -> list[dict[str, str]]:
    """The subscriptions listed: name, level word and facts by their heading."""
    listed = []
    for card in html.select('[data-testid="subscription"]'):
        facts = {dt.get_text(strip=True): one(dt.parent, "dd").get_text(" ", strip=True) for dt in card.select("dt")}
        listed.append({"name": one(card, "h3").get_text(strip=True), "level": one(card, ".level-word").get_text(strip=True),
                       **facts})
    return listed


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == "/cuenta/entrar/?next=/alertas/"
    assert client.post("/alertas/1/prueba/").status_code == 302


def test_a_new_user_sees_the_empty_state_and_the_form_with_their_email(signed_in: Client):
    html = page(signed_in)
    assert "Todavía no tienes alertas" in one(html, '[data-testid="empty-state"]').get_text()
    assert one(html, 'input[name="email"]')["value"] == "ana@ejemplo.org"
    assert one(html, 'input[name="quiet_hours"]')["value"] == "6"
    assert one(html, 'input[name="watch"][value="all"]').has_attr("checked")
    # Signed-in users find the page in the menu; everyone finds the bulletins.
    assert [a.get_text(strip=True) for a in html.select("header nav a")].count("Alertas") == 1
    bulletins = one(html, "header nav").find("a", string="Boletines")
    assert bulletins is not None and signed_in.get(str(bulletins["href"])).status_code == 200


def test_every_watch_kind_is_created_and_listed(signed_in: Client, user, genero, bluesky):
    assert post(signed_in, watch="all", trigger="yellow").status_code == 302
    assert post(signed_in, watch="category", category=str(genero.pk)).status_code == 302
    assert post(signed_in, watch="state", state="JAL").status_code == 302
    assert post(signed_in, watch="hashtag", hashtag=" #NiUnaMenos ").status_code == 302
    assert post(signed_in, watch="source", source=str(bluesky.pk)).status_code == 302
    assert post(signed_in, watch="bulletin", trigger="yellow", digest="on", quiet_hours="2").status_code == 302

    series = set(Subscription.objects.filter(owner=user).values_list("series", flat=True))
    assert series == {"all", f"category:{genero.pk}", "state:JAL", "hashtag:niunamenos", f"source:{bluesky.pk}",
                      "bulletin"}
    listed = {c["name"]: c for c in cards(page(signed_in))}
    assert list(listed) == ["El boletín mensual", "Bluesky", "#niunamenos", "Jalisco", "Género", "Todas las publicaciones"]
    everything = listed["Todas las publicaciones"]
    assert (everything["Avisar desde"], everything["Canal"], everything["Destino"]) == (
        "Amarillo o rojo", "Correo electrónico", "an•••@ejemplo.org")
    assert (everything["Silencio entre avisos"], everything["Resumen diario"], everything["Último aviso"]) == (
        "6 h", "no", "ninguno todavía")
    assert everything["level"] == "Sin evaluar todavía"
    # The bulletin comes once a month: its trigger, quiet period and digest do not apply.
    bulletin = Subscription.objects.get(owner=user, watch="bulletin")
    assert (bulletin.digest, bulletin.quiet_minutes) == (False, 0)
    assert (listed["El boletín mensual"]["Llega"], listed["El boletín mensual"]["level"]) == ("una vez al mes", "Mensual")
    assert "Silencio entre avisos" not in listed["El boletín mensual"]


def test_the_form_says_which_detail_is_missing_and_keeps_nothing(signed_in: Client, genero, bluesky):
    assert field_errors(post(signed_in, watch="category")) == {"Categoría": "Elige la categoría que quieres vigilar."}
    assert field_errors(post(signed_in, watch="state")) == {"Estado": "Elige el estado que quieres vigilar."}
    assert field_errors(post(signed_in, watch="hashtag", hashtag="#")) == {
        "Hashtag": "Escribe el hashtag que quieres vigilar."}
    assert field_errors(post(signed_in, watch="hashtag", hashtag="ni una menos"))["Hashtag"].startswith(
        "Un hashtag es una sola palabra")
    assert field_errors(post(signed_in, watch="source")) == {"Fuente": "Elige la fuente que quieres vigilar."}
    assert field_errors(post(signed_in, watch="state", state="XX"))["Estado"].startswith("Escoja una opción válida")
    retired = Category.objects.get(slug="retirada")
    assert "Categoría" in field_errors(post(signed_in, watch="category", category=str(retired.pk)))
    # The details of the kinds not chosen are ignored.
    assert post(signed_in, watch="state", state="OAX", hashtag="no lo leas", category="999").status_code == 302
    assert Subscription.objects.get().series == "state:OAX"


def test_the_form_checks_each_channels_address(signed_in: Client):
    assert field_errors(post(signed_in, email="no-es-un-correo")) == {
        "Dirección de correo": "Introduzca una dirección de correo electrónico válida."}
    assert field_errors(post(signed_in, channel="webhook", webhook_url="ftp://ejemplo.org/x")) == {
        "URL del webhook": "Escribe una URL que empiece con http:// o https://."}
    assert field_errors(post(signed_in, channel="webhook", webhook_url="")) == {
        "URL del webhook": "Escribe a dónde enviar los avisos."}
    for internal in ("http://127.0.0.1:8000/x", "http://localhost/x", "http://10.0.0.7/x", "http://[::1]/x",
                     "http://169.254.169.254/latest/meta-data/"):
        assert field_errors(post(signed_in, channel="webhook", webhook_url=internal)) == {
            "URL del webhook": "Esa dirección es interna; usa una URL pública."}, internal
    assert not Subscription.objects.exists()


def test_a_webhook_subscription_shows_its_secret_once_with_the_signature_note(signed_in: Client, user):
    response = post(signed_in, channel="webhook", webhook_url="https://hooks.ejemplo.org/ong/abc123?token=s3")
    subscription = Subscription.objects.get(owner=user)
    assert response["Location"] == f"/alertas/#alerta-{subscription.pk}"
    first = page(signed_in)
    secret = one(first, '[data-testid="secret"]')
    assert secret is not None and subscription.secret in secret.get_text()
    assert len(subscription.secret) == 64 and "X-Discriminamometro-Signature" in secret.get_text()
    assert cards(first)[0]["Destino"] == "https://hooks.ejemplo.org/•••"  # no path or token on the page
    assert "abc123" not in str(first)
    again = page(signed_in)
    assert again.select_one('[data-testid="secret"]') is None and subscription.secret not in str(again)


def test_staff_may_point_a_webhook_inside_the_network(client: Client):
    client.force_login(UserFactory.create(username="operadora", is_staff=True))
    assert post(client, channel="webhook", webhook_url="http://127.0.0.1:9000/hook").status_code == 302


def test_the_same_alert_twice_is_refused(signed_in: Client):
    post(signed_in, watch="state", state="JAL")
    response = post(signed_in, watch="state", state="JAL")
    assert response.status_code == 200
    assert "Ya tienes esta alerta" in response.content.decode()
    assert post(signed_in, watch="state", state="JAL", trigger="yellow").status_code == 302  # another trigger
    assert Subscription.objects.count() == 2


def test_telegram_is_offered_only_while_a_bot_token_is_set(signed_in: Client, user, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    html = page(signed_in)
    assert html.select_one('input[name="channel"][value="telegram"]') is None
    assert html.select_one('input[name="telegram_chat"]') is None and "Telegram" not in one(html, "form[data-subscription-form]").get_text()
    refused = BeautifulSoup(post(signed_in, channel="telegram", telegram_chat="12345").content.decode(), "html.parser")
    assert one(refused, "fieldset.has-error .field-error").get_text().startswith("Escoja una opción válida")
    assert not Subscription.objects.exists()

    settings.TELEGRAM_BOT_TOKEN = "123456:ABC-token"
    html = page(signed_in)
    assert html.select_one('input[name="channel"][value="telegram"]') is not None
    assert field_errors(post(signed_in, channel="telegram", telegram_chat="mi canal")) == {
        "Chat de Telegram": "Escribe el chat_id numérico (p. ej. -1001234567890) o el @nombre del canal."}
    assert post(signed_in, channel="telegram", telegram_chat="-1001234567890").status_code == 302
    assert post(signed_in, channel="telegram", telegram_chat="@alertas_ong", watch="bulletin").status_code == 302
    listed = cards(page(signed_in))
    assert [c["Destino"] for c in listed] == ["@alertas_ong", "•••7890"]
    assert {c["Canal"] for c in listed} == {"Telegram"}


def test_another_users_subscription_is_not_found(client: Client, signed_in: Client, user):
    other = UserFactory.create(username="beto", email="beto@ejemplo.org")
    theirs = Subscription.objects.create(owner=other, watch="state", state="JAL", address="beto@ejemplo.org")
    for path in ("prueba", "pausar", "reanudar", "borrar"):
        assert signed_in.post(f"/alertas/{theirs.pk}/{path}/").status_code == 404, path
    assert signed_in.get(f"/alertas/{theirs.pk}/borrar/").status_code == 404
    assert "beto@" not in str(page(signed_in)) and "Jalisco" not in str(page(signed_in).select("main ul"))
    theirs.refresh_from_db()
    assert theirs.active and not theirs.messages.exists()


def test_the_limit_is_said_and_kept(signed_in: Client, user):
    Subscription.objects.bulk_create([
        Subscription(owner=user, watch="hashtag", hashtag=f"tema{i}", series=f"hashtag:tema{i}", address="ana@ejemplo.org")
        for i in range(SUBSCRIPTIONS_PER_USER - 1)
    ])
    assert post(signed_in, watch="state", state="JAL").status_code == 302
    html = page(signed_in)
    assert "el máximo" in one(html, '[data-testid="limit"]').get_text()
    assert html.select_one("form[data-subscription-form]") is None
    response = post(signed_in, watch="state", state="OAX")
    assert "Ya tienes 50 alertas, el máximo" in response.content.decode()
    assert Subscription.objects.filter(owner=user).count() == SUBSCRIPTIONS_PER_USER


def test_send_a_test_writes_a_pending_message_and_lists_it(signed_in: Client, user, django_capture_on_commit_callbacks):
    post(signed_in, watch="state", state="JAL")
    subscription = Subscription.objects.get(owner=user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = signed_in.post(f"/alertas/{subscription.pk}/prueba/", follow=True)
    assert "Enviado a la cola" in response.content.decode()
    message = Message.objects.get(subscription=subscription)
    assert (message.kind, message.status, message.attempts) == ("test", "pending", 0)
    assert "Jalisco" in message.payload["text"] and len(queued) == 1  # the sending task, once the write commits
    rows = BeautifulSoup(response.content.decode(), "html.parser").select('[data-testid="messages"] tbody tr')
    assert [[td.get_text(strip=True) for td in row.select("td")][1:] for row in rows] == [["Prueba", "Por enviar", "0"]]
    # A second click within a minute queues nothing more.
    response = signed_in.post(f"/alertas/{subscription.pk}/prueba/", follow=True)
    assert "espera un poco" in response.content.decode() and Message.objects.count() == 1
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    signed_in.post(f"/alertas/{subscription.pk}/prueba/")
    assert Message.objects.count() == 2


def test_pause_resume_and_delete_with_confirmation(signed_in: Client, user):
    post(signed_in, watch="state", state="JAL")
    subscription = Subscription.objects.get(owner=user)
    Subscription.objects.filter(pk=subscription.pk).update(level="red", notified_level="red", notified_at=timezone.now())
    assert cards(page(signed_in))[0]["level"] == "Rojo"
    assert cards(page(signed_in))[0]["Último aviso"].startswith("Rojo · ")

    signed_in.post(f"/alertas/{subscription.pk}/pausar/")
    subscription.refresh_from_db()
    assert not subscription.active and cards(page(signed_in))[0]["level"] == "En pausa"
    # A paused alert is not sent anything, a test neither: the button is gone and the request is refused.
    buttons = [b.get_text(strip=True) for b in page(signed_in).select('[data-testid="subscription"] button')]
    assert buttons == ["Reanudar"]
    refused = signed_in.post(f"/alertas/{subscription.pk}/prueba/", follow=True)
    assert "reanúdala para enviar una prueba" in refused.content.decode() and not Message.objects.exists()
    signed_in.post(f"/alertas/{subscription.pk}/reanudar/")
    subscription.refresh_from_db()
    # Resumed, it is judged afresh by the next evaluation (what it was last told stays).
    assert subscription.active and subscription.level == "" and subscription.notified_level == "red"

    confirm = signed_in.get(f"/alertas/{subscription.pk}/borrar/")
    assert "¿Borrar esta alerta?" in confirm.content.decode() and Subscription.objects.exists()
    response = signed_in.post(f"/alertas/{subscription.pk}/borrar/", follow=True)
    assert "Alerta borrada: Jalisco" in response.content.decode() and not Subscription.objects.exists()
    assert signed_in.get(f"/alertas/{subscription.pk}/pausar/").status_code == 405


def test_the_level_badge_is_the_dashboards_word_and_shape(signed_in: Client, user):
    Subscription.objects.create(owner=user, watch="all", address="ana@ejemplo.org", level="yellow")
    card = one(page(signed_in), '[data-testid="subscription"]')
    assert "level-yellow" in card["class"]
    assert one(card, ".badge .level-word").get_text() == "Amarillo"
    assert one(card, ".badge svg.level-icon polygon")["points"] == "10,1 19,18 1,18"  # the triangle


def test_a_new_webhook_secret_replaces_the_old_one_and_is_shown_once(signed_in: Client, user):
    post(signed_in, channel="webhook", webhook_url="https://hooks.ejemplo.org/ong")
    subscription = Subscription.objects.get(owner=user)
    page(signed_in)  # the creation's showing
    old = subscription.secret

    response = signed_in.post(f"{URL}{subscription.pk}/secreto/")

    subscription.refresh_from_db()
    assert response.status_code == 302 and subscription.secret != old and len(subscription.secret) == 64
    shown = page(signed_in)
    assert subscription.secret in one(shown, '[data-testid="secret"]').get_text()
    assert old not in str(shown)
    assert subscription.secret not in str(page(signed_in))  # once


def test_only_the_owners_webhook_gets_a_new_secret(signed_in: Client, user):
    other = Subscription.objects.create(owner=UserFactory.create(), channel="webhook", address="https://a.example/h")
    mail = Subscription.objects.create(owner=user, channel="email", address="yo@example.org")
    assert signed_in.post(f"{URL}{other.pk}/secreto/").status_code == 404
    assert signed_in.post(f"{URL}{mail.pk}/secreto/").status_code == 404  # an e-mail alert has no secret to show
    assert Subscription.objects.get(pk=other.pk).secret == other.secret
