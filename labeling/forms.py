"""The forms of the labeling pages: an annotator's answer and a reviewer's decision, with the campaign task's categories."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from labeling.services.assignment import MAX_SECONDS

from .models import Annotation

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
