"""Texts waiting for annotators that did not come from the post stream.

The classification API queues a text here when its client asks to store it
(`"store": true`), and a client's feedback (the labels it believes right) is
queued as a suggestion: annotators decide, the suggestion never becomes a
training label by itself.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QueuedText(models.Model):
    class Origin(models.TextChoices):
        CLASSIFY = "classify", _("enviado a clasificar")
        FEEDBACK = "feedback", _("corrección de un cliente")

    class Status(models.TextChoices):
        PENDING = "pending", _("pendiente")
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
