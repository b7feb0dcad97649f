"""Ingestion models: the dictionary (Category, Term), sources, runs, raw batches and tweets."""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .geo import STATE_NAMES

STATE_CHOICES = sorted(STATE_NAMES.items(), key=lambda item: item[1])


class Category(models.Model):
    """A discrimination motive (COPRED catalogue), managed by admins."""

    slug = models.SlugField(_("identificador"), max_length=64, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    description = models.TextField(_("descripción"), blank=True)
    active = models.BooleanField(_("activa"), default=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("categoría")
        verbose_name_plural = _("categorías")

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """A word or phrase of the dictionary; a post containing it is downloaded."""

    class Origin(models.TextChoices):
        # A suggestion is imported inactive; only a person activates it, in the admin.
        PERSON = "", _("añadido por personas")
        HURTLEX_1_2 = "hurtlex-1.2", _("sugerencia de HurtLex 1.2")

    text = models.CharField(_("término"), max_length=120, unique=True)
    categories = models.ManyToManyField(
        Category, through="TermCategory", related_name="terms", verbose_name=_("categorías")
    )
    active = models.BooleanField(_("activo"), default=True)
    origin = models.CharField(_("origen"), max_length=32, choices=Origin.choices, default=Origin.PERSON, blank=True)
    notes = models.TextField(_("notas"), blank=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        ordering = ["text"]
        verbose_name = _("término")
        verbose_name_plural = _("términos")

    def __str__(self) -> str:
        return self.text


class TermCategory(models.Model):
    """A term's membership in a category (a term may belong to several, e.g. "feminazi")."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, verbose_name=_("término"))
    category = models.ForeignKey(Category, on_delete=models.CASCADE, verbose_name=_("categoría"))

    class Meta:
        verbose_name = _("término de la categoría")
        verbose_name_plural = _("términos de la categoría")
        constraints = [models.UniqueConstraint(fields=["term", "category"], name="term_category_unique")]

    def __str__(self) -> str:
        return self.term.text


# The demo replay source's slug: its posts are synthetic (the demo corpus), never real conversation.
DEMO_SOURCE_SLUG = "demo"


class Source(models.Model):
    """Somewhere posts come from: the X API, Bluesky, Mastodon, a file folder, or the demo replay.

    The budget (`monthly_cap`, `run_cap`, `price_per_post`) bounds what a paid source may read; the
    health fields (`last_event_at` … `last_error`) are kept by the sources that read continuously.
    """

    class Kind(models.TextChoices):
        X_API = "x_api", _("API de X (v2)")
        BLUESKY = "bluesky", _("Bluesky (Jetstream, en tiempo real)")
        MASTODON = "mastodon", _("Mastodon (hashtags)")
        FILE = "file", _("Archivos importados")
        REPLAY = "replay", _("Reproducción del corpus de demostración")

    slug = models.SlugField(_("identificador"), max_length=64, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    enabled = models.BooleanField(_("habilitada"), default=True)
    # Kind-specific options, e.g. {"geo": "place_country:MX", "exclude_retweets": true}
    # for the X API, {"batch_size": 25} for the replay.
    config = models.JSONField(_("configuración"), default=dict, blank=True)
    retry_at = models.DateTimeField(
        _("reintentar después de"), null=True, blank=True,
        help_text=_("Fijado cuando la fuente respondió con límite de tasa (429)."),
    )
    monthly_cap = models.PositiveIntegerField(
        _("tope mensual de publicaciones leídas"), null=True, blank=True,
        help_text=_("Al llegar a él, la descarga se detiene hasta el mes siguiente (hora de la Ciudad de México). "
                    "Vacío: sin tope."),
    )
    run_cap = models.PositiveIntegerField(
        _("tope por ejecución"), null=True, blank=True,
        help_text=_("Publicaciones leídas como máximo en cada descarga. Vacío: sin tope."),
    )
    price_per_post = models.DecimalField(
        _("precio por publicación leída (USD)"), max_digits=9, decimal_places=6, null=True, blank=True,
        help_text=_("Para estimar el costo del mes. Vacío: el precio de su tipo (API de X: X_PRICE_PER_POST, "
                    "0.005 USD de forma predeterminada; las demás fuentes son gratuitas)."),
    )
    last_event_at = models.DateTimeField(
        _("último evento"), null=True, blank=True,
        help_text=_("Hora, según la plataforma, del evento o publicación más reciente leído."),
    )
    last_read_at = models.DateTimeField(_("última lectura"), null=True, blank=True)
    reconnects = models.PositiveIntegerField(_("reconexiones"), default=0)
    failures = models.PositiveIntegerField(_("errores de conexión"), default=0)
    last_error = models.TextField(_("último error"), blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fuente")
        verbose_name_plural = _("fuentes")

    def __str__(self) -> str:
        return self.name


class SourceCursor(models.Model):
    """Where a source resumes: the newest id seen per query, or an offset for the replay."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="cursors")
    key = models.CharField(_("clave"), max_length=64, help_text=_("Hash de la consulta."))
    query = models.TextField(_("consulta"), blank=True)
    newest_id = models.CharField(_("id más reciente"), max_length=255, blank=True)
    position = models.BigIntegerField(_("posición"), default=0)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("cursor")
        verbose_name_plural = _("cursores")
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="cursor_unique_per_source")]

    def __str__(self) -> str:
        return f"{self.source.slug}:{self.key}"


class IngestionRun(models.Model):
    """One download (or file import): when, how it ended, and what it counted."""

    class Status(models.TextChoices):
        RUNNING = "running", _("en curso")
        SUCCEEDED = "succeeded", _("completada")
        PARTIAL = "partial", _("completada con errores")
        RATE_LIMITED = "rate_limited", _("límite de tasa")
        FAILED = "failed", _("fallida")
        ABANDONED = "abandoned", _("abandonada")
        SKIPPED = "skipped", _("omitida")
        CAPPED = "capped", _("detenida por el tope")

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="runs", null=True, blank=True,
        verbose_name=_("fuente"),
    )
    label = models.CharField(_("descripción"), max_length=255, blank=True)
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("inicio"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("último latido"), auto_now_add=True)
    fetched = models.PositiveIntegerField(_("descargados"), default=0)
    new = models.PositiveIntegerField(_("nuevos"), default=0)
    duplicate = models.PositiveIntegerField(_("duplicados"), default=0)
    rejected = models.PositiveIntegerField(_("rechazados"), default=0)
    # [{"line": 12, "id": "...", "message": "..."}], capped so a bad file cannot bloat the row.
    errors = models.JSONField(_("errores"), default=list, blank=True)
    message = models.TextField(_("mensaje"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("ejecución de ingesta")
        verbose_name_plural = _("ejecuciones de ingesta")
        constraints = [
            # Two runs of the same source never overlap: at most one running row per source.
            models.UniqueConstraint(
                fields=["source"], condition=Q(status="running"), name="one_running_run_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source or self.label} ({self.get_status_display()})"


class RawBatch(models.Model):
    """A batch exactly as downloaded, archived as gzipped JSON lines in storage."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="raw_batches")
    run = models.ForeignKey(IngestionRun, on_delete=models.SET_NULL, null=True, related_name="raw_batches")
    path = models.CharField(_("ruta"), max_length=512, unique=True)
    records = models.PositiveIntegerField(_("registros"), default=0)
    size_bytes = models.PositiveBigIntegerField(_("bytes"), default=0)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lote crudo")
        verbose_name_plural = _("lotes crudos")

    def __str__(self) -> str:
        return self.path


class Tweet(models.Model):
    """A post, stored once, with what it matched and where it is attributed to."""

    class Evidence(models.TextChoices):
        PLACE = "place", _("lugar etiquetado")
        COORDINATES = "coordinates", _("coordenadas")
        PROFILE = "profile", _("ubicación del perfil")
        NONE = "", _("sin evidencia")

    # X's numeric ids, Bluesky's at:// URIs and Mastodon's status URIs: never equal across platforms.
    platform_id = models.CharField(_("id en la plataforma"), max_length=255)
    text = models.TextField(_("texto"))
    lang = models.CharField(_("idioma"), max_length=8, blank=True)
    # Null when the source does not say (the original project's 2020 files).
    created_at = models.DateTimeField(_("publicado"), null=True, blank=True)
    author_id = models.CharField(_("id del autor"), max_length=255, blank=True)
    author_handle = models.CharField(_("usuario"), max_length=255, blank=True)
    author_name = models.CharField(_("nombre del autor"), max_length=255, blank=True)
    author_location = models.CharField(_("ubicación del perfil"), max_length=255, blank=True)
    place_name = models.CharField(_("lugar"), max_length=255, blank=True)
    place_country_code = models.CharField(_("país del lugar"), max_length=2, blank=True)
    latitude = models.FloatField(_("latitud"), null=True, blank=True)
    longitude = models.FloatField(_("longitud"), null=True, blank=True)
    is_retweet = models.BooleanField(_("es retuit"), default=False)
    is_quote = models.BooleanField(_("es cita"), default=False)
    is_reply = models.BooleanField(_("es respuesta"), default=False)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    mentions = models.JSONField(_("menciones"), default=list, blank=True)
    urls = models.JSONField(_("enlaces"), default=list, blank=True)
    metrics = models.JSONField(_("métricas públicas"), default=dict, blank=True)
    # [{"term": "naco", "start": 10, "end": 14, "categories": ["apariencia"]}]
    matches = models.JSONField(_("coincidencias"), default=list, blank=True)
    categories = models.ManyToManyField(
        Category, through="TweetCategory", related_name="tweets", verbose_name=_("categorías")
    )
    state = models.CharField(_("estado"), max_length=3, blank=True, choices=STATE_CHOICES)
    country_code = models.CharField(_("país"), max_length=2, blank=True)
    state_confidence = models.FloatField(_("confianza del estado"), default=0.0)
    state_evidence = models.CharField(
        _("evidencia del estado"), max_length=16, choices=Evidence.choices, blank=True
    )
    # Provenance links carry no database constraint nor index: checking three foreign
    # keys per row at commit cost a fifth of the import time, and no page filters on them.
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("fuente"),
        db_constraint=False, db_index=False,
    )
    run = models.ForeignKey(
        IngestionRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ejecución"),
        db_constraint=False, db_index=False,
    )
    raw_batch = models.ForeignKey(
        RawBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lote crudo"),
        db_constraint=False, db_index=False,
    )
    ingested_at = models.DateTimeField(_("ingresado"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("publicación")
        verbose_name_plural = _("publicaciones")
        constraints = [
            # A constraint rather than unique=True: the same guarantee without the extra
            # pattern-ops index PostgreSQL gets for a unique varchar field.
            models.UniqueConstraint(fields=["platform_id"], name="tweet_platform_id_unique"),
        ]
        indexes = [
            # Newest first with the id as tie-breaker: the read API's cursor order (`created_at`, `id`).
            models.Index(fields=["created_at", "id"], name="tweet_created_id_idx"),
            models.Index(fields=["state", "created_at"], name="tweet_state_created_idx"),
            models.Index(fields=["author_handle"], name="tweet_handle_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}: {self.text[:60]}"


class TweetCategory(models.Model):
    """A tweet's matched category, with the tweet's time and state copied for fast filters."""

    # Both columns are covered by the composite indexes below; no single-column ones.
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, db_index=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    created_at = models.DateTimeField(null=True)
    state = models.CharField(max_length=3, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tweet", "category"], name="tweet_category_unique")]
        indexes = [
            models.Index(fields=["category", "created_at"], name="tweetcat_cat_created_idx"),
            models.Index(fields=["category", "state", "created_at"], name="tweetcat_cat_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tweet_id}:{self.category_id}"
