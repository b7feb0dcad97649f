"""Telegram through a local server speaking the Bot API's wire format (sendMessage, its ok/error answers)."""
from __future__ import annotations

import pytest

from alerts.models import DeliveryAttempt, Message, Subscription
from alerts.services.deliveries import message_deliver
from tests.alerts.factories import SERIES, MessageFactory, SubscriptionFactory, digest_payload, enter_payload
from tests.alerts.servers import HttpServer, closed_port_url, telegram_error, telegram_ok

pytestmark = pytest.mark.django_db
TOKEN = "123456789:AAFake-token_for-tests"
CHAT = -1001234567890  # a group's chat id


@pytest.fixture
def bot(settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.ALERTS = {**settings.ALERTS, "TIMEOUT_SECONDS": 2, "BACKOFF_SECONDS": 30}

    def serve(*replies) -> HttpServer:
        server = HttpServer(*replies)
        settings.TELEGRAM_API_URL = server.url
        return server

    return serve


def telegram_message(**fields) -> Message:
    subscription = SubscriptionFactory.create(channel=Subscription.Channel.TELEGRAM, address=str(CHAT))
    return MessageFactory.create(subscription=subscription, **fields)


def test_an_alert_reaches_the_chat_through_send_message(bot):
    payload = enter_payload(series={**SERIES, "name": "Personas <trans> & no binarias 'nb'"})
    with bot(telegram_ok(CHAT, message_id=321)) as server:
        message = telegram_message(payload=payload)

        assert message_deliver(message_id=message.pk).status == "sent"

    [request] = server.received
    assert request.path == f"/bot{TOKEN}/sendMessage"
    body = request.json()
    assert body["chat_id"] == str(CHAT) and body["parse_mode"] == "HTML" and body["disable_web_page_preview"] is True
    text = body["text"]
    assert "<b>Personas &lt;trans&gt; &amp; no binarias &#39;nb&#39; está en rojo</b>" in text  # escaped for HTML parse mode
    assert "Rojo: 3.1 veces la tasa habitual de las últimas 4 semanas." in text
    assert "Tasa de publicaciones discriminatorias: <b>12.4 %</b>" in text and "Tasa habitual: 4.0 %" in text
    assert '<a href="http://127.0.0.1:8000/?categoria=genero">' in text
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.ok and attempt.status_code == 200 and "message_id 321" in attempt.answer


def test_a_digest_fits_one_telegram_message(bot):
    with bot(telegram_ok(CHAT)) as server:
        message = telegram_message(kind=Message.Kind.DIGEST, payload=digest_payload())
        assert message_deliver(message_id=message.pk).status == "sent"
    text = server.received[0].json()["text"]
    assert text.startswith("<b>Género: resumen del 3 de diciembre de 2026</b>")
    assert "• 03:00 Rojo: 12.4 % (habitual 4.0 %)" in text and "• 15:30 Verde: 4.1 %" in text


def test_flood_control_is_honoured_then_the_message_is_sent(bot):
    with bot(telegram_error(429, "Too Many Requests: retry after 1", retry_after=1), telegram_ok(CHAT)) as server:
        message = telegram_message()

        first = message_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert first.status == "retry" and 1 <= (first.retry_in or 0) <= 2  # Telegram's wait, not the 30 s backoff
        assert message.last_error == "429: Too Many Requests: retry after 1"

        assert message_deliver(message_id=message.pk).status == "sent"

    assert len(server.received) == 2
    assert [a.status_code for a in DeliveryAttempt.objects.filter(message=message).order_by("started_at")] == [429, 200]


@pytest.mark.parametrize(("code", "description"), [
    (403, "Forbidden: bot was blocked by the user"),
    (400, "Bad Request: chat not found"),
])
def test_a_blocked_bot_or_an_unknown_chat_fails_at_once(bot, code, description):
    with bot(telegram_error(code, description)) as server:
        message = telegram_message()
        assert message_deliver(message_id=message.pk).status == "failed"
    message.refresh_from_db()
    assert len(server.received) == 1 and message.attempts == 1
    assert message.last_error == f"{code}: {description}"


def test_without_a_bot_token_telegram_messages_fail_with_the_reason(settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    message = telegram_message()

    assert message_deliver(message_id=message.pk).status == "failed"

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "TELEGRAM_BOT_TOKEN" in message.last_error


def test_the_bot_token_never_reaches_the_admin(bot, settings):
    settings.TELEGRAM_API_URL = closed_port_url().removesuffix("/hook")
    message = telegram_message()

    assert message_deliver(message_id=message.pk).status == "retry"

    message.refresh_from_db()
    attempt = DeliveryAttempt.objects.get(message=message)
    assert "ConnectionError" in attempt.answer and "/bot<token>/sendMessage" in attempt.answer
    assert TOKEN not in attempt.answer and TOKEN not in message.last_error
