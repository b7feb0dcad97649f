"""Dashboard models: the semáforo's settings, and the hourly rollups every dashboard page reads.

A rollup row counts, for one hour (UTC) and one model version, the posts that
version scored and how many of them it judged discriminatory. Pages sum a few
thousand of these rows instead of scanning millions of posts. The scoring step
adds each new prediction to them in the transaction that stores it
(`rollups.rollups_add`), and `manage.py rollups_rebuild` recounts them from the
posts and predictions.

Rows are keyed by model version, so one rate never mixes two models'
judgements: pages read the active version's rows, and when a new version is
activated the history catch-up (`rollups.rollups_history_catch_up`, every ten
minutes) recounts what it has scored and scores the rest of the history it needs.

Sentinels rather than NULLs keep the unique keys, and the upserts on them, the
same on PostgreSQL and on the embedded SQLite:

* `category_id` 0 counts every post; otherwise a category's id. A post counts
  in every category of the dictionary terms it matched (`TweetCategory`).
* `state` "*" counts every post; "" counts posts not attributed to a state.
* `subject` "" counts every post; "fuente:<source id>" one source's posts (the
  pages' source filter); otherwise a hashtag (lower case, no "#", never a ":"),
  counting the posts that carry it (for the hashtag search and the top hashtags).

For every post the rows (category or 0) × (state or "*") are counted with an
empty subject, and again with its source's subject: a source's semáforo, trends
and maps, a category's map included (a post has one source, so the sources'
rows together are at most as many as the rows of every post). For each of its
hashtags, the rows (category or 0) × "*" and 0 × state: a hashtag's semáforo,
trend and map, without the whole cube per hashtag. Terms are counted for every
post, its source and each of its hashtags.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from classifier.models import ModelVersion

ALL_CATEGORIES = 0
ALL_STATES = "*"
ALL_POSTS = ""  # the subject of the rows that count every post
SOURCE_SUBJECT_PREFIX = "fuente:"  # + a source's id: the subject of the rows that count that source's posts
SUBJECT_MAX = 140
TERM_MAX = 120  # as ingestion.Term.text


class HourlyCount(models.Model):
    """Posts scored by a model version and the discriminatory ones, per hour, subject, category and state."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+", db_index=False)
    subject = models.CharField(max_length=SUBJECT_MAX, blank=True, default=ALL_POSTS)
    category_id = models.PositiveIntegerField(default=ALL_CATEGORIES)
    state = models.CharField(max_length=3, blank=True, default=ALL_STATES)
    hour = models.DateTimeField()
    posts = models.PositiveIntegerField(default=0)
    discriminatory = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("conteo por hora")
        verbose_name_plural = _("conteos por hora")
        constraints = [
            # The key of the upserts; its order serves the pages' reads too: the semáforo,
            # the trends, the states and a hashtag's widgets all fix version, subject,
            # categories and states, and read a range of hours.
            models.UniqueConstraint(
                fields=["model_version", "subject", "category_id", "state", "hour"], name="hourlycount_key"
            ),
        ]
        indexes = [
            # The top hashtags of a category in a window: every hashtag subject at once.
            models.Index(
                fields=["model_version", "category_id", "hour"], name="hourlycount_hashtags_idx",
                condition=Q(state=ALL_STATES) & ~Q(subject=ALL_POSTS),
            ),
            # Rebuilds and pruning delete a version's rows by time range, every subject at once.
            models.Index(fields=["model_version", "hour"], name="hourlycount_version_hour_idx"),
        ]

    def __str__(self) -> str:
        return f"v{self.model_version_id} {self.hour:%Y-%m-%d %H}h {self.subject or '*'}/{self.category_id}/{self.state}"


class TermHourly(models.Model):
    """Posts that matched a dictionary term, per hour, subject and category: what is being said."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+", db_index=False)
    subject = models.CharField(max_length=SUBJECT_MAX, blank=True, default=ALL_POSTS)
    category_id = models.PositiveIntegerField(default=ALL_CATEGORIES)
    hour = models.DateTimeField()
    term = models.CharField(max_length=TERM_MAX)
    posts = models.PositiveIntegerField(default=0)
    discriminatory = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("conteo de término por hora")
        verbose_name_plural = _("conteos de términos por hora")
        constraints = [
            # Also the index of the top terms: version, subject and category fixed, a range of hours.
            models.UniqueConstraint(
                fields=["model_version", "subject", "category_id", "hour", "term"], name="termhourly_key"
            ),
        ]
        indexes = [models.Index(fields=["model_version", "hour"], name="termhourly_version_hour_idx")]

    def __str__(self) -> str:
        return f"v{self.model_version_id} {self.hour:%Y-%m-%d %H}h {self.term}"


class RollupHistory(models.Model):
    """How far back a model version's rollups are complete; kept by the history catch-up."""

    model_version = models.OneToOneField(ModelVersion, on_delete=models.CASCADE, related_name="+")
    rebuilt_since = models.DateTimeField(_("recontado desde"), null=True, blank=True)
    complete_since = models.DateTimeField(_("completo desde"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("en curso hasta"), null=True, blank=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("historia de los conteos")
        verbose_name_plural = _("historias de los conteos")

    def __str__(self) -> str:
        return f"v{self.model_version_id}: {self.complete_since or '—'}"


class SemaforoSettings(models.Model):
    """The semáforo's rule, edited in the admin; a single row (pk 1)."""

    window_hours = models.PositiveSmallIntegerField(
        _("ventana (horas)"), default=48, validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_("El semáforo juzga las publicaciones de las últimas horas: 48 por omisión."),
    )
    baseline_days = models.PositiveSmallIntegerField(
        _("historia de referencia (días)"), default=28, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "La tasa de la ventana se compara con las tasas de la misma categoría en ventanas de igual duración "
            "durante estos días anteriores."
        ),
    )
    min_posts = models.PositiveIntegerField(
        _("mínimo de publicaciones"), default=30, validators=[MinValueValidator(1)],
        help_text=_("Con menos publicaciones calificadas en la ventana, el nivel es gris: no hay datos para juzgar."),
    )
    min_baseline_windows = models.PositiveSmallIntegerField(
        _("mínimo de ventanas de referencia"), default=3, validators=[MinValueValidator(2)],
        help_text=_("Ventanas anteriores con suficientes publicaciones que hacen falta para calcular la referencia."),
    )
    yellow_sigma = models.FloatField(
        _("amarillo desde (desviaciones estándar)"), default=1.0, validators=[MinValueValidator(0.0)],
        help_text=_("Amarillo cuando la tasa llega a la media de referencia más este número de desviaciones estándar."),
    )
    red_sigma = models.FloatField(
        _("rojo desde (desviaciones estándar)"), default=2.0, validators=[MinValueValidator(0.0)],
        help_text=_("Rojo cuando la tasa llega a la media de referencia más este número de desviaciones estándar."),
    )
    history_days = models.PositiveSmallIntegerField(
        _("historia calificada con un modelo nuevo (días)"), default=120,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Al activarse un modelo nuevo se califican con él las publicaciones de estos días, para que el "
            "semáforo y las tendencias tengan con qué comparar."
        ),
    )
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("configuración del semáforo")
        verbose_name_plural = _("configuración del semáforo")

    def __str__(self) -> str:
        return str(_("Configuración del semáforo"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # one row: the admin edits it, the selectors read it
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.red_sigma <= self.yellow_sigma:
            errors["red_sigma"] = _("El umbral rojo debe ser mayor que el amarillo.")
        if self.baseline_days * 24 < self.window_hours * self.min_baseline_windows:
            errors["baseline_days"] = _("La historia de referencia no alcanza para el mínimo de ventanas de referencia.")
        if self.history_days * 24 < self.baseline_days * 24 + self.window_hours:
            errors["history_days"] = _("Debe cubrir al menos la ventana y la historia de referencia.")
        if errors:
            raise ValidationError(errors)
