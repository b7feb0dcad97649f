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
