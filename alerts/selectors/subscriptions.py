"""Reads of the subscriptions page: a user's subscriptions with their last messages, and what one may watch."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from alerts.models import Message, Subscription
from dashboard.levels import LEVEL_ICONS, Level
from ingestion.models import Source

MESSAGES_SHOWN = 10
ERROR_SHOWN = 160  # characters of a failed attempt's error: enough to see what went wrong


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionRow:
    """One subscription as its owner reads it."""

    subscription: Subscription
    address_masked: str
    level: str  # a Level value, "" while not judged yet
    level_label: str
    level_icon: str
    quiet: str  # "6 h", "90 min", "—" for the bulletin
    messages: list[Message]


def subscriptions_of_user(*, user_id: int) -> list[SubscriptionRow]:
    """The user's subscriptions, newest first, each with its last messages (two queries in all)."""
    subscriptions = list(
        Subscription.objects.filter(owner_id=user_id).select_related("category", "source").order_by("-created_at", "-pk")
    )
    recent = _messages_recent(subscription_ids=[s.pk for s in subscriptions])
    return [_row(s, recent.get(s.pk, [])) for s in subscriptions]


def subscription_of_user_get(*, user_id: int, subscription_id: int) -> Subscription:
    """One of the user's subscriptions; Subscription.DoesNotExist for anyone else's (the page answers 404)."""
    return Subscription.objects.select_related("category", "source").get(pk=subscription_id, owner_id=user_id)


def sources_watchable() -> list[Source]:
    return list(Source.objects.filter(enabled=True).order_by("name", "slug").only("id", "name"))


def _messages_recent(*, subscription_ids: list[int]) -> dict[int, list[Message]]:
    if not subscription_ids:
        return {}
    ranked = (
        Message.objects.filter(subscription_id__in=subscription_ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("subscription_id")], order_by=[F("created_at").desc()]))
        .filter(rank__lte=MESSAGES_SHOWN)
        .order_by("subscription_id", "-created_at")
        .defer("payload")
    )
    recent: dict[int, list[Message]] = {}
    for message in ranked:
        message.last_error = message.last_error[:ERROR_SHOWN]
        recent.setdefault(message.subscription_id, []).append(message)
    return recent


def _row(subscription: Subscription, messages: list[Message]) -> SubscriptionRow:
    level = subscription.level if subscription.level in Level.values else ""
    if subscription.watch == Subscription.Watch.BULLETIN:
        label = _("Mensual")  # a bulletin has no level: it comes once a month
    elif not subscription.active:
        label = _("En pausa")
    elif level:
        label = str(Level(level).label)
    else:
        label = _("Sin evaluar todavía")
    shown = level if subscription.active and subscription.watch != Subscription.Watch.BULLETIN else ""
    return SubscriptionRow(
        subscription=subscription, address_masked=address_mask(channel=subscription.channel, address=subscription.address),
        level=shown or Level.GREY.value, level_label=label, level_icon=LEVEL_ICONS[Level(shown or Level.GREY)],
        quiet="—" if subscription.watch == Subscription.Watch.BULLETIN else _duration(subscription.quiet_minutes),
        messages=messages,
    )


def _duration(minutes: int) -> str:
    if minutes == 0:
        return _("ninguno")
    if minutes % 60:
        return _("%(n)d min") % {"n": minutes}
    return _("%(n)d h") % {"n": minutes // 60}


def address_mask(*, channel: str, address: str) -> str:
    """An address shown without what would let someone else use it: "an•••@ejemplo.org", "https://hooks.ejemplo.org/•••",
    "•••4567"; a public Telegram channel's name is public and stays whole."""
    if channel == Subscription.Channel.EMAIL:
        local, _at, domain = address.partition("@")
        return f"{local[:2]}•••@{domain}"
    if channel == Subscription.Channel.WEBHOOK:
        parts = urlsplit(address)
        tail = "/•••" if (parts.path.strip("/") or parts.query) else ""
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{tail}"
    if address.startswith("@"):
        return address
    return f"•••{address[-4:]}"
