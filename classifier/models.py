"""Classifier models: the labelled texts every training run reads from."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LabeledText(models.Model):
    """A text with its labels for one task: the only table training reads.

    An empty label list means negative for every label of the task. Rows are
    unique per task, source and external id, so importing a file twice, or an
    annotation settled again, updates the row instead of adding one.
    """

    task = models.CharField(_("tarea"), max_length=64)
    text = models.TextField(_("texto"))
    labels = models.JSONField(_("etiquetas"), default=list, blank=True)
    source = models.CharField(_("origen"), max_length=64, help_text=_("p. ej. annotators o import:hateval2019"))
    external_id = models.CharField(_("id externo"), max_length=128)
    weak = models.BooleanField(
        _("etiqueta débil"), default=False,
        help_text=_("La etiqueta viene de una regla (el término que encontró el texto), no de una persona."),
    )
    weight = models.FloatField(_("peso"), null=True, blank=True)
    split = models.CharField(
        _("partición"), max_length=16, blank=True, help_text=_("train, dev o test cuando el origen las define")
    )
    extra = models.JSONField(_("datos adicionales"), default=dict, blank=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("texto etiquetado")
        verbose_name_plural = _("textos etiquetados")
        constraints = [
            models.UniqueConstraint(fields=["task", "source", "external_id"], name="labeledtext_unique_per_source")
        ]
        indexes = [models.Index(fields=["task", "source"], name="labeledtext_task_source_idx")]

    def __str__(self) -> str:
        return f"{self.task}/{self.source}/{self.external_id}"


class ModelVersion(models.Model):
    """A trained model of a task: its metrics, parameters and artifact, and whether it serves.

    At most one version per task is active. A new version becomes active only
    if its held-out macro F1 is not worse than the active one's on the same
    held-out data (by more than a tolerance); otherwise it stays a candidate
    with the reason recorded.
    """

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("candidata")
        ACTIVE = "active", _("activa")
        RETIRED = "retired", _("retirada")
        FAILED = "failed", _("fallida")

    task = models.CharField(_("tarea"), max_length=64)
    version = models.PositiveIntegerField(_("versión"))
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.CANDIDATE)
    metrics = models.JSONField(_("métricas"), default=dict, blank=True)
    params = models.JSONField(_("parámetros"), default=dict, blank=True)
    artifact_path = models.CharField(_("artefacto"), max_length=512, blank=True)
    artifact_sha256 = models.CharField(_("sha256 del artefacto"), max_length=64, blank=True)
    reason = models.TextField(_("motivo"), blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activada"), null=True, blank=True)

    class Meta:
        ordering = ["task", "-version"]
        verbose_name = _("versión de modelo")
        verbose_name_plural = _("versiones de modelo")
        constraints = [
            models.UniqueConstraint(fields=["task", "version"], name="modelversion_unique_version"),
            models.UniqueConstraint(
                fields=["task"], condition=models.Q(status="active"), name="modelversion_one_active_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} v{self.version} ({self.get_status_display()})"


class Prediction(models.Model):
    """A post scored by one model version: each label's probability and the decisions."""

    tweet = models.ForeignKey("ingestion.Tweet", on_delete=models.CASCADE, related_name="predictions", db_index=False)
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="predictions")
    scores = models.JSONField(_("probabilidades"), default=dict)
    discriminatory = models.BooleanField(_("discriminatorio"), default=False)
    categories = models.JSONField(_("categorías"), default=list, blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("predicción")
        verbose_name_plural = _("predicciones")
        constraints = [
            # Scoring twice with the same version changes nothing.
            models.UniqueConstraint(fields=["tweet", "model_version"], name="prediction_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.tweet_id} @ v{self.model_version_id}"


class ScoringMark(models.Model):
    """How far a model version has scored the posts, in id order, so the scoring step never looks for unscored
    posts over the whole table.

    Every post with an id up to `settled_to` has this version's prediction. Ids
    up to `claimed_to` have been handed to a scoring batch, the last of them at
    `claimed_at`; a post there may still lack its prediction: a transaction
    that took a lower id may commit after a batch read past it, and a worker
    may die with its batch. The scoring step looks for unscored posts in that
    gap only, and moves `settled_to` up once no transaction that began before
    `claimed_at` is still open (`classifier/services/predictions.py`).
    """

    model_version = models.OneToOneField(ModelVersion, on_delete=models.CASCADE, related_name="scoring_mark")
    settled_to = models.BigIntegerField(_("puntuadas hasta"), default=0)
    claimed_to = models.BigIntegerField(_("repartidas hasta"), default=0)
    claimed_at = models.DateTimeField(_("repartidas el"), null=True, blank=True)

    class Meta:
        verbose_name = _("marca de puntuación")
        verbose_name_plural = _("marcas de puntuación")

    def __str__(self) -> str:
        return f"v{self.model_version_id}: {self.settled_to}/{self.claimed_to}"


class EmbeddingVersion(models.Model):
    """Word vectors of one language, trained with gensim word2vec on every post and labelled text.

    The vectors live in the configured storage as a NumPy `.npz` file (words and
    a float32 matrix, read without pickle); models trained afterwards use the
    latest version of their language as features.
    """

    language = models.CharField(_("idioma"), max_length=8)
    version = models.PositiveIntegerField(_("versión"))
    texts = models.PositiveIntegerField(_("textos del corpus"), default=0)
    tokens = models.PositiveBigIntegerField(_("palabras del corpus"), default=0)
    vocabulary_size = models.PositiveIntegerField(_("vocabulario"), default=0)
    dimensions = models.PositiveSmallIntegerField(_("dimensiones"), default=0)
    params = models.JSONField(_("parámetros"), default=dict, blank=True)
    seconds = models.FloatField(_("segundos de entrenamiento"), default=0.0)
    artifact_path = models.CharField(_("artefacto"), max_length=512, blank=True)
    artifact_sha256 = models.CharField(_("sha256 del artefacto"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        ordering = ["language", "-version"]
        verbose_name = _("versión de vectores de palabras")
        verbose_name_plural = _("versiones de vectores de palabras")
        constraints = [
            models.UniqueConstraint(fields=["language", "version"], name="embeddingversion_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.language} v{self.version} ({self.vocabulary_size} palabras)"
