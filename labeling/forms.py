"""The forms of the labeling pages: an annotator's answer and a reviewer's decision (with the campaign task's
categories), and a coordinator's campaign from the queue."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiKey
from labeling.services.assignment import MAX_SECONDS

from .models import Annotation, Campaign, QueuedText

MAX_COMMENT = 2000


class _CategoriesForm(forms.Form):
    categories = forms.MultipleChoiceField(label=_("Categorías"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, categories: list[tuple[str, str]], categories_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["categories"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = categories
        # A discriminatory post has a reason; a toxic text need not be more than toxic.
        self.categories_required = categories_required

    def clean(self) -> dict:
        data = super().clean() or {}
        if self.categories_required and data.get("answer") == Annotation.Answer.YES and not data.get("categories"):
            self.add_error("categories", _("Elige al menos una categoría para una publicación discriminatoria."))
        if data.get("answer") != Annotation.Answer.YES:
            data["categories"] = []  # categories belong to "Sí" only
        return data


class AnswerForm(_CategoriesForm):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(label=_("¿Es discriminatorio?"), choices=Annotation.Answer.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Elige Sí, No o No estoy seguro.")})
    comment = forms.CharField(label=_("Comentario (opcional)"), required=False, max_length=MAX_COMMENT,
                              widget=forms.Textarea(attrs={"rows": 2}))
    # Measured by the page (time the tab was visible); the server caps it by the time since assignment.
    seconds = forms.FloatField(required=False, min_value=0.0, max_value=MAX_SECONDS, widget=forms.HiddenInput)


class DecisionForm(_CategoriesForm):
    answer = forms.ChoiceField(
        label=_("Decisión"), widget=forms.RadioSelect,
        choices=[(Annotation.Answer.YES, _("Sí")), (Annotation.Answer.NO, _("No"))],
        error_messages={"required": _("Elige Sí o No.")},
    )


class QueueCampaignForm(forms.Form):
    """A coordinator's campaign from the queue: its name and task, which pending texts, and how they are labeled."""

    name = forms.CharField(label=_("Nombre"), max_length=120)
    task = forms.ChoiceField(label=_("Tarea"), choices=Campaign.Task.choices)
    origin = forms.ChoiceField(label=_("Origen"), required=False,
                               choices=[("", _("Todos")), *QueuedText.Origin.choices])
    api_key = forms.ModelChoiceField(label=_("Clave de API"), required=False, empty_label=_("Todas"),
                                     queryset=ApiKey.objects.order_by("name"))
    since = forms.DateTimeField(label=_("Recibidos desde"), required=False,
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(label=_("Recibidos antes de"), required=False,
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    sample_size = forms.IntegerField(label=_("Muestra aleatoria (vacío = todos)"), required=False, min_value=1)
    annotators_per_item = forms.IntegerField(label=_("Anotadores por texto"), min_value=1, max_value=20, initial=2)
    pre_annotation = forms.BooleanField(
        label=_("Mostrar a los anotadores la predicción del modelo y la sugerencia del cliente"), required=False,
    )
    start = forms.BooleanField(label=_("Ponerla en curso ahora"), required=False)
