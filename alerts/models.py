"""Alerts and bulletins: who watches which series, what each was last told, the outbox, and the bulletins.

* `Subscription`: a series (every post, a category, a state, a hashtag, a
  source; or the monthly bulletin), the level that triggers (yellow or red) and
  one channel (e-mail, webhook, Telegram). It keeps its own state: the level
  of its current episode (`level`) and what its subscriber was last told
  (`notified_level`), so a series that stays red is never announced twice.
* `SeriesLevel`: the last level of each watched series. An evaluation after a
  rollup update compares the new levels with these rows; a level that moved is
  a `SeriesChange`, written in that same (scoring) transaction, and applied to
  the series' subscriptions right after in a transaction of its own: 10,000
  subscriptions add nothing to a scoring batch.
* `Message`: the outbox. A row per message, written in the transaction that
  changes a subscription's state (the scoring step's), sent by a Celery task
  with bounded retries (`services/deliveries.py`); every attempt is a
  `DeliveryAttempt`.
* `Bulletin`: a period's report (HTML and PDF in the archive storage) and the
  numbers it printed.
"""
from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from classifier.models import ModelVersion
from dashboard.levels import Level
from dashboard.services.rollups import hashtag_key
from ingestion.geo import STATE_NAMES
from ingestion.models import Category, Source

SERIES_MAX = 160
STATE_CHOICES: list[tuple[str, str]] = [(code, STATE_NAMES[code]) for code in sorted(STATE_NAMES, key=STATE_NAMES.__getitem__)]


def webhook_secret_new() -> str:
    return secrets.token_hex(32)


class Subscription(models.Model):
    class Watch(models.TextChoices):
        ALL = "all", _("Todas las publicaciones")
        CATEGORY = "category", _("Una categoría")
        STATE = "state", _("Un estado")
        HASHTAG = "hashtag", _("Un hashtag")
        SOURCE = "source", _("Una fuente")
        BULLETIN = "bulletin", _("El boletín mensual")

    class Trigger(models.TextChoices):
        YELLOW = "yellow", _("Amarillo o rojo")
        RED = "red", _("Solo rojo")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Correo electrónico")
        WEBHOOK = "webhook", _("Webhook")
        TELEGRAM = "telegram", _("Telegram")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="alert_subscriptions", verbose_name=_("dueño"),
    )
    name = models.CharField(_("nombre"), max_length=120, blank=True)
    watch = models.CharField(_("qué vigilar"), max_length=10, choices=Watch.choices, default=Watch.ALL)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("categoría"),
    )
    state = models.CharField(_("estado"), max_length=3, blank=True, choices=STATE_CHOICES)
    hashtag = models.CharField(_("hashtag"), max_length=140, blank=True, help_text=_("Sin «#»."))
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("fuente"),
    )
    series = models.CharField(_("serie"), max_length=SERIES_MAX, editable=False, db_index=True)
    trigger = models.CharField(_("avisar desde"), max_length=6, choices=Trigger.choices, default=Trigger.RED)
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    address = models.CharField(
        _("destino"), max_length=500,
        help_text=_("Un correo, la URL del webhook o el chat_id de Telegram."),
    )
    secret = models.CharField(
        _("secreto del webhook"), max_length=64, default=webhook_secret_new,
        help_text=_("Firma cada webhook con HMAC-SHA256 (cabecera X-Discriminamometro-Signature)."),
    )
    quiet_minutes = models.PositiveIntegerField(
        _("silencio entre mensajes (minutos)"), default=360,
        help_text=_("Tras un mensaje, los cambios de este lapso se avisan juntos al terminar: una serie ruidosa no inunda."),
    )
    digest = models.BooleanField(
        _("resumen diario"), default=False,
        help_text=_("Reunir los avisos del día en un solo mensaje en lugar de enviarlos al momento."),
    )
    active = models.BooleanField(_("activa"), default=True)
    # The subscription's own state (see the module docstring): "" until first evaluated, then green or the
    # highest level of the episode under way; and what the subscriber was last told, when.
    level = models.CharField(_("nivel del episodio"), max_length=6, blank=True, choices=Level.choices)
    level_since = models.DateTimeField(_("desde"), null=True, blank=True)
    notified_level = models.CharField(_("último nivel avisado"), max_length=6, blank=True, choices=Level.choices)
    notified_at = models.DateTimeField(_("último aviso"), null=True, blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("suscripción")
        verbose_name_plural = _("suscripciones")
        ordering = ["-created_at"]
        indexes = [
            # The quiet-period catch-up: subscriptions whose subscriber has not heard the latest level.
            models.Index(fields=["notified_at"], name="subscription_owed_idx",
                         condition=Q(active=True, digest=False) & ~Q(level=models.F("notified_level"))),
            # The evaluation's other half: subscriptions never evaluated yet (new, or resumed).
            models.Index(fields=["id"], name="subscription_fresh_idx", condition=Q(active=True, level="")),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.series_name} → {self.address}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.series = series_key(self)
        if self.watch == self.Watch.HASHTAG:
            self.hashtag = hashtag_key(self.hashtag)
        super().save(*args, **kwargs)

    @property
    def series_name(self) -> str:
        return series_name(self)

    def clean(self) -> None:
        if self.watch == self.Watch.HASHTAG and ":" in self.hashtag:
            raise ValidationError({"hashtag": _("Un hashtag no lleva «:».")})
        needed = {
            self.Watch.CATEGORY: ("category", self.category_id), self.Watch.STATE: ("state", self.state),
            self.Watch.HASHTAG: ("hashtag", hashtag_key(self.hashtag)), self.Watch.SOURCE: ("source", self.source_id),
        }.get(self.Watch(self.watch))
        if needed and not needed[1]:
            raise ValidationError({needed[0]: _("Elige qué vigilar.")})


def series_key(subscription: Subscription) -> str:
    """The key of the series a subscription watches: "all", "category:<id>", "state:<code>", "hashtag:<key>",
    "source:<id>"; "bulletin" for the bulletin."""
    watch = subscription.watch
    if watch == Subscription.Watch.CATEGORY:
        return f"category:{subscription.category_id}"
    if watch == Subscription.Watch.STATE:
        return f"state:{subscription.state}"
    if watch == Subscription.Watch.HASHTAG:
        return f"hashtag:{hashtag_key(subscription.hashtag)}"
    if watch == Subscription.Watch.SOURCE:
        return f"source:{subscription.source_id}"
    return str(watch)


def series_name(subscription: Subscription) -> str:
    watch = subscription.watch
    if watch == Subscription.Watch.CATEGORY and subscription.category is not None:
        return subscription.category.name
    if watch == Subscription.Watch.STATE:
        return STATE_NAMES.get(subscription.state, subscription.state)
    if watch == Subscription.Watch.HASHTAG:
        return f"#{subscription.hashtag}"
    if watch == Subscription.Watch.SOURCE and subscription.source is not None:
        return subscription.source.name
    return str(Subscription.Watch(watch).label)


class SeriesLevel(models.Model):
    """The last level of a watched series, and the judgement behind it."""

    series = models.CharField(_("serie"), max_length=SERIES_MAX, unique=True)
    level = models.CharField(_("nivel"), max_length=6, choices=Level.choices, blank=True)
    judgement = models.JSONField(_("juicio"), default=dict, blank=True)
    changed_at = models.DateTimeField(_("cambió"), null=True, blank=True)
    judged_at = models.DateTimeField(_("juzgada"), null=True, blank=True)

    class Meta:
        verbose_name = _("nivel de una serie")
        verbose_name_plural = _("niveles de las series")

    def __str__(self) -> str:
        return f"{self.series}: {self.level or '—'}"


class SeriesChange(models.Model):
    """A watched series' level moved: written in the scoring transaction that moved it, then applied to the
    series' subscriptions (their states and messages) in a transaction of its own."""

    series = models.CharField(_("serie"), max_length=SERIES_MAX)
    level = models.CharField(_("nivel"), max_length=6, choices=Level.choices)
    previous_level = models.CharField(_("nivel anterior"), max_length=6, choices=Level.choices, blank=True)
    judgement = models.JSONField(_("juicio"), default=dict)
    created_at = models.DateTimeField(_("cambió"))
    applied_at = models.DateTimeField(_("aplicado"), null=True, blank=True)

    class Meta:
        verbose_name = _("cambio de nivel")
        verbose_name_plural = _("cambios de nivel")
        ordering = ["-id"]
        indexes = [models.Index(fields=["id"], name="serieschange_pending_idx", condition=Q(applied_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.series}: {self.previous_level or '—'} → {self.level}"


class Message(models.Model):
    class Kind(models.TextChoices):
        ENTER = "enter", _("Entra en alerta")
        LEAVE = "leave", _("Vuelve a verde")
        DIGEST = "digest", _("Resumen diario")
        BULLETIN = "bulletin", _("Boletín")
        TEST = "test", _("Prueba")

    class Status(models.TextChoices):
        HELD = "held", _("Para el resumen")
        DIGESTED = "digested", _("En un resumen")
        PENDING = "pending", _("Por enviar")
        SENDING = "sending", _("Enviándose")
        SENT = "sent", _("Enviado")
        FAILED = "failed", _("Fallido")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="messages",
                                     verbose_name=_("suscripción"))
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("estado"), max_length=8, choices=Status.choices, default=Status.PENDING)
    # What makes a message unique where it must be sent once per thing: a bulletin per subscriber, a day's digest.
    key = models.CharField(_("clave"), max_length=200, null=True, blank=True, unique=True)
    payload = models.JSONField(_("contenido"), default=dict)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    next_attempt_at = models.DateTimeField(_("próximo intento"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("reservado hasta"), null=True, blank=True)
    last_error = models.TextField(_("último error"), blank=True)
    digest = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="parts",
                               verbose_name=_("resumen"))
    created_at = models.DateTimeField(_("creado"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("enviado"), null=True, blank=True)

    class Meta:
        verbose_name = _("mensaje")
        verbose_name_plural = _("mensajes")
        ordering = ["-created_at"]
        indexes = [
            # The sweep that re-queues what is due (a lost task, an expired lease).
            models.Index(fields=["next_attempt_at"], name="message_due_idx",
                         condition=Q(status__in=["pending", "sending"])),
            models.Index(fields=["subscription", "status"], name="message_subscription_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.subscription_id} ({self.get_status_display()})"


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("mensaje"))
    started_at = models.DateTimeField(_("inicio"))
    duration_ms = models.PositiveIntegerField(_("duración (ms)"), default=0)
    ok = models.BooleanField(_("entregado"), default=False)
    status_code = models.PositiveIntegerField(_("código"), null=True, blank=True)
    answer = models.TextField(_("respuesta"), blank=True)

    class Meta:
        verbose_name = _("intento de entrega")
        verbose_name_plural = _("intentos de entrega")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.started_at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else 'error'}"


class Bulletin(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Mensual")
        ON_DEMAND = "on_demand", _("A pedido")

    slug = models.SlugField(_("identificador"), max_length=40, unique=True)
    kind = models.CharField(_("tipo"), max_length=9, choices=Kind.choices, default=Kind.MONTHLY)
    title = models.CharField(_("título"), max_length=200)
    period_start = models.DateTimeField(_("desde"))
    period_end = models.DateTimeField(_("hasta (sin incluir)"))
    model_version = models.ForeignKey(ModelVersion, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("versión del modelo"))
    html_name = models.CharField(_("HTML en el archivo"), max_length=300, blank=True)
    pdf_name = models.CharField(_("PDF en el archivo"), max_length=300, blank=True)
    summary = models.JSONField(_("cifras"), default=dict, blank=True)
    published = models.BooleanField(_("publicado"), default=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)

    class Meta:
        verbose_name = _("boletín")
        verbose_name_plural = _("boletines")
        ordering = ["-period_start", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["period_start", "period_end"], name="bulletin_one_per_period")]

    def __str__(self) -> str:
        return self.title
