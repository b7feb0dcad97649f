"""The three ways a message reaches its subscriber: e-mail, a signed webhook, Telegram's Bot API.

Each `<channel>_send` renders one outbox message (payload shapes in
`services/messages.py`) and hands it over once, answering an `Answer`: whether
it was taken, the status code and the other side's words (for the admin's
attempt rows), and whether trying again could help (`permanent`) and when
(`retry_after`). Claiming, recording and retrying belong to
`services/deliveries.py`; nothing here writes to the database.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import re
import smtplib
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.files.storage import storages
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

from alerts.models import Message, Subscription
from dashboard.templatetags.humanize_es import pct

ANSWER_MAX = 2000  # characters of an answer kept on an attempt row
BRAND = "Discriminamómetro"
USER_AGENT = "Discriminamometro-Alerts/1"
SIGNATURE_HEADER = "X-Discriminamometro-Signature"
TIMESTAMP_HEADER = "X-Discriminamometro-Timestamp"
DELIVERY_HEADER = "X-Discriminamometro-Delivery"
TELEGRAM_TEXT_MAX = 4096  # Telegram refuses longer texts
DIGEST_ITEMS_SHORT = 10  # a Telegram digest lists the latest changes only; the e-mail lists them all
WEBHOOK_RETRYABLE = {408, 429}  # the 4xx answers that mean "later", not "never"


@dataclass(frozen=True, slots=True)
class Answer:
    ok: bool
    status_code: int | None = None
    text: str = ""
    permanent: bool = False  # trying again cannot help (a refused recipient, a 410 Gone)
    retry_after: float | None = None  # the other side said when to come back


def channel_send(message: Message) -> Answer:
    """Send `message` (its subscription loaded) through its subscription's channel."""
    channel = message.subscription.channel
    with translation.override(settings.LANGUAGE_CODE):  # a worker has no request to take a language from
        if channel == Subscription.Channel.EMAIL:
            return email_send(message)
        if channel == Subscription.Channel.WEBHOOK:
            return webhook_send(message)
        if channel == Subscription.Channel.TELEGRAM:
            return telegram_send(message)
    return Answer(ok=False, text=gettext("Canal desconocido: %(channel)s") % {"channel": channel}, permanent=True)


# --- What every channel says -------------------------------------------------------------------------------

def _when(value: Any) -> datetime | None:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return timezone.localtime(moment) if moment is not None and timezone.is_aware(moment) else moment


def change_context(payload: dict[str, Any]) -> dict[str, Any]:
    """An enter/leave payload with its numbers ready to print."""
    return {
        **payload, "series_name": payload.get("series", {}).get("name", ""),
        "series_url": payload.get("series", {}).get("url", ""),
        "rate_text": pct(payload.get("rate")), "usual_text": pct(payload.get("usual_rate")),
        "window_start_at": _when(payload.get("window_start")), "window_end_at": _when(payload.get("window_end")),
        "at_time": _when(payload.get("at")),
    }


def message_context(message: Message) -> dict[str, Any]:
    payload, subscription = message.payload, message.subscription
    context: dict[str, Any] = {
        "message": message, "kind": message.kind, "payload": payload, "subscription": subscription,
        "site_url": settings.SITE_URL, "manage_url": settings.SITE_URL + reverse("alerts:subscriptions"),
        "series_name": payload.get("series", {}).get("name") or subscription.series_name,
    }
    if message.kind in (Message.Kind.ENTER, Message.Kind.LEAVE):
        context["change"] = change_context(payload)
    elif message.kind == Message.Kind.DIGEST:
        items = [change_context(item) for item in payload.get("items", [])]
        current = payload.get("current") or {}
        day = parse_date(payload.get("date") or "")
        context.update(items=items, items_short=items[-DIGEST_ITEMS_SHORT:],
                       items_left_out=max(0, len(items) - DIGEST_ITEMS_SHORT), current=change_context(current),
                       day=formats.date_format(day, "j \\d\\e F \\d\\e Y").lower() if day else "")
    elif message.kind == Message.Kind.BULLETIN:
        context["bulletin"] = payload.get("bulletin", {})
    return context


def subject(message: Message, context: dict[str, Any]) -> str:
    kind, name = message.kind, context["series_name"]
    if kind in (Message.Kind.ENTER, Message.Kind.LEAVE):
        head = f"{message.payload.get('level_label', '')}: {name}"
    elif kind == Message.Kind.DIGEST:
        head = gettext("Resumen del %(day)s: %(series)s") % {"day": context["day"], "series": name}
    elif kind == Message.Kind.BULLETIN:
        head = gettext("Boletín: %(title)s") % {"title": context["bulletin"].get("title", "")}
    else:
        head = gettext("Mensaje de prueba")
    return f"{head} — {BRAND}"


def _template(kind: str) -> str:
    return "change" if kind in (Message.Kind.ENTER, Message.Kind.LEAVE) else kind


# --- E-mail ---------------------------------------------------------------------------------------------------

def email_render(message: Message) -> EmailMultiAlternatives:
    """The e-mail of a message: plain text with an HTML alternative, the bulletin's PDF attached when archived."""
    context = message_context(message)
    name = _template(message.kind)
    email = EmailMultiAlternatives(
        subject=subject(message, context), body=render_to_string(f"alerts/email/{name}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[message.subscription.address],
        headers={
            # The message's id makes the Message-ID: a resend after a lost answer is recognisably the same e-mail.
            "Message-ID": f"<{message.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>",
            "Auto-Submitted": "auto-generated", DELIVERY_HEADER: str(message.pk),
            "List-Unsubscribe": f"<{context['manage_url']}>",
        },
    )
    email.attach_alternative(render_to_string(f"alerts/email/{name}.html", context), "text/html")
    pdf_name = context.get("bulletin", {}).get("pdf_name")
    if pdf_name:
        archive = storages["archive"]
        if archive.exists(pdf_name):
            with archive.open(pdf_name, "rb") as pdf:
                email.attach(os.path.basename(pdf_name), pdf.read(), "application/pdf")
    return email


def email_send(message: Message) -> Answer:
    email = email_render(message)
    try:
        sent = get_connection(fail_silently=False).send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        words = "; ".join(f"{rcpt}: {code} {_text(reply)}" for rcpt, (code, reply) in exc.recipients.items())
        # A 5xx refusal of the recipient is final (no such mailbox); a 4xx one (greylisting, a full box) is not.
        return Answer(ok=False, status_code=codes[0] if codes else None, text=words,
                      permanent=bool(codes) and all(code >= 500 for code in codes))
    except smtplib.SMTPResponseException as exc:
        return Answer(ok=False, status_code=exc.smtp_code, text=f"{type(exc).__name__}: {_text(exc.smtp_error)}")
    except (smtplib.SMTPException, OSError) as exc:
        return Answer(ok=False, text=f"{type(exc).__name__}: {exc}")
    if not sent:
        return Answer(ok=False, text=gettext("El servidor de correo no aceptó el mensaje."))
    return Answer(ok=True, text=gettext("Aceptado por el servidor de correo para %(to)s.") % {
        "to": message.subscription.address})


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


# --- Webhook --------------------------------------------------------------------------------------------------

def webhook_body(message: Message) -> bytes:
    """The documented JSON body; `data` is the message's payload as it is."""
    subscription = message.subscription
    body = {
        "id": str(message.pk), "type": message.kind, "created_at": message.created_at.isoformat(),
        "subscription": {"id": subscription.pk, "name": subscription.name or subscription.series_name,
                         "series": subscription.series},
        "data": message.payload,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>": a replayed body with a new timestamp fails."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


# One connection pool per worker process: a message to an endpoint already reached reuses its connection
# (its TLS handshake, too) instead of opening one per message.
_session = requests.Session()


def webhook_address_refused(subscription: Subscription) -> str:
    """Why a user's webhook may not be posted to ("" when it may): its host resolves, now, to an address of the
    server's own network. The form refuses such addresses as typed; this catches a public name that points
    inside. Staff (and the admin's own subscriptions, without owner) may use any address."""
    owner = subscription.owner
    if owner is None or owner.is_staff:
        return ""
    host = urlsplit(subscription.address).hostname or ""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except OSError:
        return ""  # not resolvable: the request itself fails, and is retried, as any unreachable endpoint
    if any(not ipaddress.ip_address(str(address).split("%")[0]).is_global for address in found):
        return gettext("La dirección del webhook apunta a la red interna del servidor (%(host)s): no se envía.") % {
            "host": host}
    return ""


def webhook_send(message: Message) -> Answer:
    refused = webhook_address_refused(message.subscription)
    if refused:
        return Answer(ok=False, permanent=True, text=refused)
    body, timestamp = webhook_body(message), str(int(time.time()))
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: webhook_signature(secret=message.subscription.secret, timestamp=timestamp, body=body),
        TIMESTAMP_HEADER: timestamp, DELIVERY_HEADER: str(message.pk),
    }
    try:
        # No redirects: a signed body is meant for the URL the subscriber gave, not wherever it points to.
        response = _session.post(message.subscription.address, data=body, headers=headers, stream=True,
                                 timeout=settings.ALERTS["TIMEOUT_SECONDS"], allow_redirects=False)
    except requests.RequestException as exc:
        return Answer(ok=False, text=f"{type(exc).__name__}: {exc}")
    with response:
        text = _read_some(response)
    code = response.status_code
    if 300 <= code < 400:
        text = gettext("Redirección a %(to)s sin seguir.") % {"to": response.headers.get("Location", "?")}
    return Answer(ok=200 <= code < 300, status_code=code, text=text,
                  permanent=400 <= code < 500 and code not in WEBHOOK_RETRYABLE,
                  retry_after=_seconds(response.headers.get("Retry-After")) if code in (429, 503) else None)


def _read_some(response: requests.Response) -> str:
    """The start of an answer: an endpoint that answers a gigabyte does not fill the worker's memory."""
    try:
        raw = response.raw.read(ANSWER_MAX * 4, decode_content=True) or b""
    except (requests.RequestException, OSError, ValueError) as exc:
        return f"({type(exc).__name__}: {exc})"
    return raw.decode(response.encoding or "utf-8", errors="replace")[:ANSWER_MAX]


def _seconds(value: Any) -> float | None:
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None  # an HTTP-date or garbage: the usual backoff applies


# --- Telegram -------------------------------------------------------------------------------------------------

def telegram_text(message: Message) -> str:
    """The message in Telegram's HTML subset; the template escapes every value."""
    text = render_to_string(f"alerts/telegram/{_template(message.kind)}.html", message_context(message)).strip()
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text))
    text = text.replace("&#x27;", "&#39;")  # Django escapes an apostrophe in hex; Telegram documents decimal entities
    return text if len(text) <= TELEGRAM_TEXT_MAX else text[:TELEGRAM_TEXT_MAX - 1] + "…"


def telegram_send(message: Message) -> Answer:
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        return Answer(ok=False, permanent=True, text=gettext(
            "Telegram no está configurado en este sitio (falta TELEGRAM_BOT_TOKEN)."))
    request: dict[str, Any] = {"chat_id": message.subscription.address, "text": telegram_text(message), "parse_mode": "HTML",
               "disable_web_page_preview": True}
    try:
        response = requests.post(f"{settings.TELEGRAM_API_URL}/bot{token}/sendMessage", json=request,
                                 headers={"User-Agent": USER_AGENT}, timeout=settings.ALERTS["TIMEOUT_SECONDS"],
                                 allow_redirects=False)
    except requests.RequestException as exc:
        # The token is in the URL, and the URL is in the exception's words: never in the admin.
        return Answer(ok=False, text=f"{type(exc).__name__}: {exc}".replace(token, "<token>"))
    return telegram_answer(response)


def telegram_answer(response: requests.Response) -> Answer:
    """Read the Bot API's answer: {"ok": true, "result": …} or {"ok": false, "error_code", "description", "parameters"}."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        status = response.status_code
        return Answer(ok=False, status_code=status, text=response.text[:ANSWER_MAX], permanent=status in (400, 403))
    if data.get("ok") is True:
        result = data.get("result") or {}
        return Answer(ok=True, status_code=response.status_code,
                      text=f"message_id {result.get('message_id')}, chat {result.get('chat', {}).get('id')}")
    code: int = data["error_code"] if isinstance(data.get("error_code"), int) else response.status_code
    parameters: dict[str, Any] = data["parameters"] if isinstance(data.get("parameters"), dict) else {}
    return Answer(ok=False, status_code=code, text=str(data.get("description", ""))[:ANSWER_MAX],
                  # 400: the chat does not exist or the text is refused; 403: the bot was blocked or removed.
                  permanent=code in (400, 403),
                  retry_after=_seconds(parameters.get("retry_after")) if code == 429 else None)
