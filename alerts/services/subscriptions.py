"""A signed-in user's own subscriptions: create one, pause or resume it, delete it, send it a test message.

Where a subscription's messages go is checked here, once for the page and for
anyone else who creates subscriptions: an e-mail address, an http(s) URL that
does not point into the server's own network (for users who are not staff), or
a Telegram chat id or @channel (only while a bot token is set).
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Message, Subscription, series_key, webhook_secret_new
from alerts.services.evaluation import changes_apply_queue
from alerts.services.messages import message_create
from dashboard.services.rollups import hashtag_key
from ingestion.models import Category, Source

SUBSCRIPTIONS_PER_USER = 50
TEST_INTERVAL = timedelta(minutes=1)  # one test message a minute per subscription: the button is no spam cannon
TELEGRAM_CHAT = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")
HASHTAG = re.compile(r"^\w{1,139}$")


class SubscriptionRefused(Exception):
    """A subscription that cannot be created; the message is for the user."""


class TestRefused(Exception):
    """No test message now; the message says why (a paused subscription, a test less than a minute ago)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionSpec:
    """What a new subscription watches, when it speaks and where it writes."""

    watch: str
    trigger: str = Subscription.Trigger.RED
    channel: str = Subscription.Channel.EMAIL
    address: str
    category: Category | None = None
    state: str = ""
    hashtag: str = ""
    source: Source | None = None
    quiet_minutes: int = 360
    digest: bool = False


def telegram_enabled() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def address_check(*, channel: str, address: str, internal_allowed: bool = False) -> str:
    """The address cleaned for its channel; ValidationError with a sentence for the user otherwise."""
    address = address.strip()
    if not address:
        raise ValidationError(_("Escribe a dónde enviar los avisos."))
    if channel == Subscription.Channel.EMAIL:
        validate_email(address)
        return address
    if channel == Subscription.Channel.WEBHOOK:
        return _webhook_check(address, internal_allowed=internal_allowed)
    if channel == Subscription.Channel.TELEGRAM:
        if not telegram_enabled():
            raise ValidationError(_("Los avisos por Telegram no están disponibles en este sitio."))
        if not TELEGRAM_CHAT.match(address):
            raise ValidationError(_("Escribe el chat_id numérico (p. ej. -1001234567890) o el @nombre del canal."))
        return address
    raise ValidationError(_("Elige un canal."))


def _webhook_check(url: str, *, internal_allowed: bool) -> str:
    URLValidator(schemes=["http", "https"], message=_("Escribe una URL que empiece con http:// o https://."))(url)
    host = (urlsplit(url).hostname or "").lower()
    if not internal_allowed and _internal(host):
        # The server would post to its own network on the user's behalf (and show them the answer).
        raise ValidationError(_("Esa dirección es interna; usa una URL pública."))
    return url


def _internal(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not ip.is_global


def hashtag_check(hashtag: str) -> str:
    """A hashtag as the rollups count it (`hashtag_key`); ValidationError when it is not one word."""
    key = hashtag_key(hashtag)
    if not HASHTAG.match(key):
        raise ValidationError(_("Un hashtag es una sola palabra, sin espacios ni signos (p. ej. #8M)."))
    return key


@transaction.atomic
def subscription_create(*, owner_id: int, spec: SubscriptionSpec) -> Subscription:
    """A new active subscription of the user; SubscriptionRefused at the limit or for a copy of one they have."""
    # Two tabs posting at once would both count 49 and make 51: the user's row is the lock they queue on.
    get_user_model().objects.select_for_update().filter(pk=owner_id).first()
    mine = Subscription.objects.filter(owner_id=owner_id)
    if mine.count() >= SUBSCRIPTIONS_PER_USER:
        raise SubscriptionRefused(
            _("Ya tienes %(n)d alertas, el máximo; borra alguna para añadir otra.") % {"n": SUBSCRIPTIONS_PER_USER}
        )
    bulletin = spec.watch == Subscription.Watch.BULLETIN
    subscription = Subscription(
        owner_id=owner_id, watch=spec.watch, channel=spec.channel, address=spec.address.strip(),
        category=spec.category if spec.watch == Subscription.Watch.CATEGORY else None,
        state=spec.state if spec.watch == Subscription.Watch.STATE else "",
        hashtag=spec.hashtag if spec.watch == Subscription.Watch.HASHTAG else "",
        source=spec.source if spec.watch == Subscription.Watch.SOURCE else None,
        # A bulletin is sent once a month whatever the levels: no trigger, quiet period or digest applies.
        trigger=Subscription.Trigger.RED if bulletin else spec.trigger,
        quiet_minutes=0 if bulletin else spec.quiet_minutes, digest=False if bulletin else spec.digest,
    )
    subscription.series = series_key(subscription)
    subscription.full_clean(exclude=["owner"])
    if mine.filter(series=subscription.series, channel=subscription.channel, address=subscription.address,
                   trigger=subscription.trigger).exists():
        raise SubscriptionRefused(_("Ya tienes esta alerta, con el mismo destino."))
    subscription.save()
    if not bulletin:
        changes_apply_queue()  # its first look at its series, within seconds rather than at the next batch
    return subscription


def subscription_pause(*, subscription: Subscription) -> Subscription:
    subscription.active = False
    subscription.save(update_fields=["active"])
    return subscription


def subscription_resume(*, subscription: Subscription) -> Subscription:
    """Active again, its episode forgotten: the next evaluation judges it afresh, as a new subscription."""
    subscription.active = True
    subscription.level, subscription.level_since = "", None
    subscription.save(update_fields=["active", "level", "level_since"])
    if subscription.watch != Subscription.Watch.BULLETIN:
        changes_apply_queue()
    return subscription


def subscription_secret_renew(*, subscription: Subscription) -> Subscription:
    """A new webhook secret (the old one stops signing at once): for a secret lost or leaked."""
    subscription.secret = webhook_secret_new()
    subscription.save(update_fields=["secret"])
    return subscription


def subscription_delete(*, subscription: Subscription) -> None:
    subscription.delete()  # its messages and their delivery attempts go with it


@transaction.atomic
def subscription_test_send(*, subscription: Subscription) -> Message:
    """Queue a test message to the subscription's address; TestRefused while it is paused (the sender would drop
    the message) or within a minute of the last test."""
    # A double click posts twice at once; the subscription's row makes the second wait and see the first.
    Subscription.objects.select_for_update().filter(pk=subscription.pk).first()
    if not subscription.active:
        raise TestRefused(_("La alerta está en pausa: reanúdala para enviar una prueba."))
    recent = Message.objects.filter(subscription=subscription, kind=Message.Kind.TEST,
                                    created_at__gt=timezone.now() - TEST_INTERVAL)
    if recent.exists():
        raise TestRefused(_("Ya enviaste una prueba a esta alerta hace menos de %(n)d segundos; espera un poco.")
                          % {"n": int(TEST_INTERVAL.total_seconds())})
    text = _("Mensaje de prueba del Discriminamómetro: los avisos de «%(series)s» llegarán a este destino.") % {
        "series": subscription.series_name}
    return message_create(subscription=subscription, kind=Message.Kind.TEST, payload={"text": text})
