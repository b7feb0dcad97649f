"""Alert e-mails through Django's SMTP backend to a real SMTP server (aiosmtpd) on 127.0.0.1."""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from alerts.models import DeliveryAttempt, Message
from alerts.services.deliveries import message_deliver
from tests.alerts.factories import (
    MessageFactory,
    SubscriptionFactory,
    bulletin_payload,
    digest_payload,
    leave_payload,
)
from tests.alerts.servers import SmtpHandler, smtp_server, strip_tags
from tests.conftest import free_port

pytestmark = pytest.mark.django_db
SENDER = "Discriminamómetro <alertas@discriminamometro.test>"


@pytest.fixture
def smtp(settings):
    """A real SMTP server; Django's SMTP backend pointed at it."""
    for handler, port in smtp_server():
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.DEFAULT_FROM_EMAIL = SENDER
        yield handler


def delivered(handler: SmtpHandler, message: Message):
    outcome = message_deliver(message_id=message.pk)
    assert outcome.status == "sent", outcome
    assert len(handler.mails) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.sent_at is not None
    return handler.mails[0]


def test_an_enter_alert_arrives_as_a_spanish_email_with_its_sentence_and_rate(smtp):
    message = MessageFactory.create(subscription=SubscriptionFactory.create(address="ong@example.org"))

    mail = delivered(smtp, message)

    email = mail.message
    assert mail.subject == "Rojo: Género — Discriminamómetro"
    assert mail.sender == "alertas@discriminamometro.test" and email["From"] == SENDER
    assert mail.recipients == ["ong@example.org"] and email["To"] == "ong@example.org"
    assert email["Message-ID"] == f"<{message.pk}@127.0.0.1>"  # stable: a resend is the same e-mail
    text = mail.part("text/plain")
    assert "Género está en rojo." in text
    assert "Rojo: 3.1 veces la tasa habitual de las últimas 4 semanas." in text
    assert "Tasa de publicaciones discriminatorias: 12.4 %" in text and "Tasa habitual: 4.0 %" in text
    assert "42 discriminatorias de 340" in text
    assert "Ventana: 1 dic 12:00 – 3 dic 12:00" in text  # Mexico City time
    assert "http://127.0.0.1:8000/?categoria=genero" in text
    assert "http://127.0.0.1:8000/alertas/" in text  # where the subscriber manages the alerts
    html = mail.part("text/html")
    assert "Rojo: 3.1 veces la tasa habitual" in html and "12.4 %" in html
    assert 'href="http://127.0.0.1:8000/?categoria=genero"' in html
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.ok and "ong@example.org" in attempt.answer


def test_a_leave_alert_says_the_series_is_green_again(smtp):
    message = MessageFactory.create(kind=Message.Kind.LEAVE, payload=leave_payload())

    mail = delivered(smtp, message)

    assert mail.subject == "Verde: Género — Discriminamómetro"
    assert "Género volvió a verde." in mail.part("text/plain")
    assert "4.1 %" in mail.part("text/plain")
    assert "Género volvió a verde" in strip_tags(mail.part("text/html"))


def test_a_digest_lists_the_days_changes_and_where_the_series_stands(smtp):
    message = MessageFactory.create(kind=Message.Kind.DIGEST, payload=digest_payload())

    mail = delivered(smtp, message)

    assert mail.subject == "Resumen del 3 de diciembre de 2026: Género — Discriminamómetro"
    text = mail.part("text/plain")
    assert "Los 2 cambios del día" in text
    assert "- 03:00 Rojo: 3.1 veces la tasa habitual de las últimas 4 semanas. (12.4 %; habitual 4.0 %)" in text  # 09:00 UTC is 03:00 in Mexico City
    assert "- 15:30 Verde: la tasa está en su nivel habitual. (4.1 %; habitual 4.0 %)" in text
    assert "Ahora: Verde: la tasa está en su nivel habitual." in text
    assert "Los 2 cambios del día" in strip_tags(mail.part("text/html"))


def test_a_bulletin_email_attaches_the_archived_pdf(smtp, archive_dir):
    pdf = b"%PDF-1.4\n% boletin de prueba\n%%EOF\n"
    name = storages["archive"].save("bulletins/2026-11.pdf", ContentFile(pdf))
    message = MessageFactory.create(kind=Message.Kind.BULLETIN, payload=bulletin_payload(pdf_name=name))

    mail = delivered(smtp, message)

    assert mail.subject == "Boletín: Boletín de noviembre de 2026 — Discriminamómetro"
    assert "Lo adjuntamos en PDF." in mail.part("text/plain")
    assert "http://127.0.0.1:8000/boletines/2026-11/" in mail.part("text/plain")
    assert mail.attachments() == [("2026-11.pdf", "application/pdf", pdf)]


def test_a_bulletin_whose_pdf_is_not_archived_sends_its_links(smtp, archive_dir):
    message = MessageFactory.create(kind=Message.Kind.BULLETIN, payload=bulletin_payload(pdf_name="bulletins/no.pdf"))

    mail = delivered(smtp, message)

    assert mail.attachments() == []
    assert "http://127.0.0.1:8000/boletines/2026-11.pdf" in mail.part("text/plain")


def test_a_test_message_says_where_alerts_will_arrive(smtp):
    text = "Mensaje de prueba del Discriminamómetro: los avisos de «Género» llegarán a este destino."
    message = MessageFactory.create(kind=Message.Kind.TEST, payload={"text": text})

    mail = delivered(smtp, message)

    assert mail.subject == "Mensaje de prueba — Discriminamómetro"
    assert text in mail.part("text/plain")


def test_a_recipient_the_server_refuses_fails_at_once(smtp):
    smtp.refused.add("nadie@example.org")
    message = MessageFactory.create(subscription=SubscriptionFactory.create(address="nadie@example.org"))

    outcome = message_deliver(message_id=message.pk)

    assert outcome.status == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 1 and message.next_attempt_at is None
    assert "550" in message.last_error and "User unknown" in message.last_error
    attempt = DeliveryAttempt.objects.get(message=message)
    assert not attempt.ok and attempt.status_code == 550
    assert smtp.mails == []


def test_an_smtp_server_that_is_down_is_tried_again_later(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.ALERTS = {**settings.ALERTS, "BACKOFF_SECONDS": 30}
    message = MessageFactory.create()

    outcome = message_deliver(message_id=message.pk)

    assert outcome.status == "retry" and 30 <= (outcome.retry_in or 0) <= 33
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
