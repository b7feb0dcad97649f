"""The labeling tables: the queue of texts that are not posts, campaigns, their items, assignments and answers.

The classification API queues a text here when its client asks to store it
(`"store": true`, or `doNotStore: false` on the Perspective-compatible
`comments:analyze`), and a client's correction (`/api/v1/feedback`, or
Perspective's `comments:suggestscore`) is queued as a suggestion: annotators
decide, the suggestion never becomes a training label by itself. A campaign
holds either posts or such queued texts; its task says which question the
annotators answer and which label set the settled items feed.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QueuedText(models.Model):
    class Origin(models.TextChoices):
        CLASSIFY = "classify", _("enviado a clasificar")
        FEEDBACK = "feedback", _("corrección de un cliente")
        SUGGESTSCORE = "suggestscore", _("corrección por suggestscore")
        ANALYZE = "analyze", _("enviado a comments:analyze")

    class Status(models.TextChoices):
        # pending → in_campaign (taken into a campaign) → labeled (its item settled); an item
        # reopened by an undo puts it back to in_campaign, a deleted campaign back to pending.
        PENDING = "pending", _("pendiente")
        IN_CAMPAIGN = "in_campaign", _("en una campaña")
        LABELED = "labeled", _("etiquetado")
        DISCARDED = "discarded", _("descartado")

    task = models.CharField(_("tarea"), max_length=64)
    text = models.TextField(_("texto"))
    origin = models.CharField(_("origen"), max_length=16, choices=Origin.choices)
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.PENDING)
    suggested_labels = models.JSONField(
        _("etiquetas sugeridas"), null=True, blank=True,
        help_text=_("Las etiquetas que el cliente cree correctas (solo en correcciones); [] = ninguna."),
    )
    suggested_scores = models.JSONField(
        _("puntuaciones sugeridas"), null=True, blank=True,
        help_text=_("Las puntuaciones (0 a 1 por atributo) que el cliente envió con suggestscore, tal como llegaron."),
    )
    comment = models.TextField(_("comentario"), blank=True)
    reference = models.CharField(_("referencia del cliente"), max_length=200, blank=True)
    model_version = models.ForeignKey(
        "classifier.ModelVersion", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("versión del modelo")
    )
    model_scores = models.JSONField(_("probabilidades del modelo"), default=dict, blank=True)
    api_key = models.ForeignKey(
        "api.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("clave de API")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("usuario")
    )
    created_at = models.DateTimeField(_("recibido"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("texto en cola de etiquetado")
        verbose_name_plural = _("textos en cola de etiquetado")
        indexes = [models.Index(fields=["task", "status"], name="queuedtext_task_status_idx")]

    def __str__(self) -> str:
        return f"{self.task}/{self.origin} #{self.pk}"


class Campaign(models.Model):
    """A set of posts (or queued texts) to label, who labels each how many times, and the guidelines they follow."""

    class Task(models.TextChoices):
        # The label sets of classifier.label_sets that annotators can feed.
        DISCRIMINATION = "discrimination", _("discriminación")
        TOXICITY = "toxicity", _("toxicidad")

    class Source(models.TextChoices):
        POSTS = "posts", _("publicaciones")
        QUEUE = "queue", _("cola de etiquetado (textos enviados por la API)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("borrador")
        RUNNING = "running", _("en curso")
        PAUSED = "paused", _("en pausa")
        FINISHED = "finished", _("terminada")

    name = models.CharField(_("nombre"), max_length=120)
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    guidelines = models.TextField(_("guía de etiquetado"), blank=True, help_text=_("Markdown: definición y ejemplos de cada categoría."))
    annotators_per_item = models.PositiveSmallIntegerField(_("anotadores por publicación"), default=2)
    task = models.CharField(
        _("tarea"), max_length=64, choices=Task.choices, default=Task.DISCRIMINATION,
        help_text=_("La pregunta que responden los anotadores y el conjunto de etiquetas que alimentan."),
    )
    source = models.CharField(
        _("qué se etiqueta"), max_length=16, choices=Source.choices, default=Source.POSTS,
        help_text=_("Publicaciones descargadas, o textos pendientes de la cola de etiquetado de la misma tarea."),
    )
    # Which items: every filter left empty matches all. New posts that match join a running campaign of posts.
    since = models.DateTimeField(_("desde"), null=True, blank=True)
    until = models.DateTimeField(_("hasta"), null=True, blank=True)
    queue_origin = models.CharField(
        _("origen en la cola"), max_length=16, choices=QueuedText.Origin.choices, blank=True,
        help_text=_("Solo para campañas de la cola: vacío = todos los orígenes."),
    )
    queue_api_key = models.ForeignKey(
        "api.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("clave de API en la cola"), help_text=_("Solo para campañas de la cola: los textos de esta clave."),
    )
    categories = models.ManyToManyField(
        "ingestion.Category", blank=True, verbose_name=_("categorías encontradas"),
        help_text=_("Publicaciones en las que el diccionario encontró alguna de estas categorías."),
    )
    states = models.JSONField(_("estados"), default=list, blank=True, help_text=_("Claves de estado, p. ej. [\"CMX\", \"JAL\"]."))
    sample_size = models.PositiveIntegerField(
        _("muestra aleatoria"), null=True, blank=True, help_text=_("Como mucho tantas publicaciones, elegidas al azar.")
    )
    active_learning = models.BooleanField(
        _("aprendizaje activo"), default=False,
        help_text=_("Primero las publicaciones en las que el modelo activo está menos seguro."),
    )
    random_share = models.FloatField(
        _("proporción aleatoria"), default=0.2,
        help_text=_("En aprendizaje activo, la parte de publicaciones servidas al azar para una evaluación sin sesgo."),
    )
    pre_annotation = models.BooleanField(_("mostrar la predicción del modelo"), default=False)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaña")
        verbose_name_plural = _("campañas")
        permissions = [
            ("annotate", _("Puede etiquetar publicaciones")),
            ("adjudicate", _("Puede resolver desacuerdos")),
            ("coordinate", _("Puede coordinar campañas, asignaciones, exportaciones y métricas")),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignItem(models.Model):
    """A post or a queued text in a campaign (exactly one of the two), how many annotators hold it and its state."""

    class Status(models.TextChoices):
        OPEN = "open", _("abierta")
        SETTLED = "settled", _("resuelta")
        DISPUTED = "disputed", _("en desacuerdo")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items", verbose_name=_("campaña"))
    tweet = models.ForeignKey(
        "ingestion.Tweet", on_delete=models.CASCADE, null=True, blank=True, related_name="campaign_items",
        verbose_name=_("publicación"),
    )
    queued_text = models.ForeignKey(
        QueuedText, on_delete=models.CASCADE, null=True, blank=True, related_name="campaign_items",
        verbose_name=_("texto de la cola"),
    )
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.OPEN)
    # Annotators holding the item: assigned and not skipped. Never above the campaign's annotators_per_item.
    taken = models.PositiveSmallIntegerField(_("asignaciones"), default=0)
    # Higher first; active learning puts the model's least certain posts on top.
    priority = models.FloatField(_("prioridad"), default=0.0)
    # Chosen at random (not by the model's uncertainty): the unbiased part of an active-learning campaign.
    random_slice = models.BooleanField(_("parte aleatoria"), default=False)
    # The settled label: from the annotators' agreement, or a reviewer's decision.
    final_answer = models.CharField(_("respuesta final"), max_length=8, blank=True)
    final_categories = models.JSONField(_("categorías finales"), default=list, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("resuelta por (revisor)"), help_text=_("Vacío cuando la resolvió el acuerdo de los anotadores."),
    )
    settled_at = models.DateTimeField(_("resuelta"), null=True, blank=True)

    class Meta:
        verbose_name = _("publicación de campaña")
        verbose_name_plural = _("publicaciones de campaña")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "tweet"], name="campaignitem_once_per_campaign"),
            models.UniqueConstraint(fields=["campaign", "queued_text"], name="campaignitem_text_once_per_campaign"),
            models.CheckConstraint(
                condition=models.Q(tweet__isnull=False, queued_text__isnull=True)
                | models.Q(tweet__isnull=True, queued_text__isnull=False),
                name="campaignitem_post_or_queued_text",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status", "-priority", "id"], name="campaignitem_queue_idx")]

    def __str__(self) -> str:  # ids only: the admin lists assignments by their item without loading posts
        return f"{self.campaign_id}/{self.tweet_id}" if self.tweet_id is not None else f"{self.campaign_id}/queued:{self.queued_text_id}"

    @property
    def text(self) -> str:
        """What the annotators read: the post's text or the queued text."""
        subject = self.tweet if self.tweet_id is not None else self.queued_text
        return subject.text if subject is not None else ""

    @property
    def external_id(self) -> str:
        """The item's id in the training table: the post's platform id, or `queued:<id>` for a queued text."""
        if self.tweet_id is not None:
            return self.tweet.platform_id if self.tweet is not None else ""
        return f"queued:{self.queued_text_id}"


class Assignment(models.Model):
    """An item handed to one annotator: open until answered or skipped."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("asignada")
        DONE = "done", _("respondida")
        SKIPPED = "skipped", _("saltada")

    item = models.ForeignKey(CampaignItem, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("publicación"))
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("anotador")
    )
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    assigned_at = models.DateTimeField(_("asignada"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminada"), null=True, blank=True)

    class Meta:
        verbose_name = _("asignación")
        verbose_name_plural = _("asignaciones")
        constraints = [
            # Never the same post twice to one annotator, whatever the concurrency.
            models.UniqueConstraint(fields=["item", "annotator"], name="assignment_once_per_annotator"),
        ]
        indexes = [models.Index(fields=["annotator", "status"], name="assignment_annotator_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.annotator_id} ({self.status})"


class Annotation(models.Model):
    """One annotator's answer about one post of a campaign."""

    class Answer(models.TextChoices):
        YES = "yes", _("Sí")
        NO = "no", _("No")
        UNSURE = "unsure", _("No estoy seguro")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="annotation", verbose_name=_("asignación"))
    answer = models.CharField(_("respuesta"), max_length=8, choices=Answer.choices)
    categories = models.JSONField(_("categorías"), default=list, blank=True)
    comment = models.TextField(_("comentario"), blank=True)
    seconds = models.FloatField(_("segundos dedicados"), default=0.0)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        verbose_name = _("anotación")
        verbose_name_plural = _("anotaciones")

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.answer}"
