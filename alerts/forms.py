"""The form of a new subscription on the "Mis alertas" page.

Every field is in the page, so it works without JavaScript: the detail of what
to watch (category, state, hashtag, source) and the address of each channel
have their own fields, and only the ones the chosen watch and channel need are
read and required. A small script hides the others (`static/alerts/subscriptions.js`).
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alerts.models import STATE_CHOICES, Subscription
from alerts.services.subscriptions import SubscriptionSpec, address_check, hashtag_check, telegram_enabled
from ingestion.models import Category, Source

QUIET_HOURS_MAX = 7 * 24
WATCH_DETAIL = {  # the field that names what a watch kind watches
    Subscription.Watch.CATEGORY: "category", Subscription.Watch.STATE: "state",
    Subscription.Watch.HASHTAG: "hashtag", Subscription.Watch.SOURCE: "source",
}
DETAIL_MISSING = {
    "category": _("Elige la categoría que quieres vigilar."), "state": _("Elige el estado que quieres vigilar."),
    "hashtag": _("Escribe el hashtag que quieres vigilar."), "source": _("Elige la fuente que quieres vigilar."),
}
CHANNEL_ADDRESS = {  # the field that holds each channel's address
    Subscription.Channel.EMAIL: "email", Subscription.Channel.WEBHOOK: "webhook_url",
    Subscription.Channel.TELEGRAM: "telegram_chat",
}


class SubscriptionForm(forms.Form):
    watch = forms.ChoiceField(label=_("Qué vigilar"), widget=forms.RadioSelect, initial=Subscription.Watch.ALL)
    category = forms.ModelChoiceField(label=_("Categoría"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("Elige una categoría"))
    state = forms.ChoiceField(label=_("Estado"), required=False)
    hashtag = forms.CharField(label=_("Hashtag"), required=False, max_length=140,
                              widget=forms.TextInput(attrs={"placeholder": "#8M", "autocapitalize": "none"}))
    source = forms.ModelChoiceField(label=_("Fuente"), queryset=Source.objects.none(), required=False,
                                    empty_label=_("Elige una fuente"))
    trigger = forms.ChoiceField(label=_("Avisar cuando llegue a"), widget=forms.RadioSelect,
                                choices=Subscription.Trigger.choices, initial=Subscription.Trigger.RED)
    channel = forms.ChoiceField(label=_("Enviar por"), widget=forms.RadioSelect, initial=Subscription.Channel.EMAIL)
    email = forms.CharField(label=_("Dirección de correo"), required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    webhook_url = forms.CharField(label=_("URL del webhook"), required=False, max_length=500,
                                  widget=forms.URLInput(attrs={"placeholder": "https://"}))
    telegram_chat = forms.CharField(label=_("Chat de Telegram"), required=False, max_length=64,
                                    help_text=_("El chat_id numérico (p. ej. -1001234567890) o el @nombre de un canal "
                                                "público; el bot del sitio debe estar en ese chat."))
    quiet_hours = forms.IntegerField(label=_("Silencio entre avisos (horas)"), min_value=0, max_value=QUIET_HOURS_MAX,
                                     initial=6, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                     help_text=_("Tras un aviso, los cambios de ese lapso llegan juntos al terminar."))
    digest = forms.BooleanField(label=_("Resumen diario: un solo mensaje al día en lugar de cada aviso"), required=False)

    def __init__(self, *args: Any, categories: list[Category], sources: list[Source], internal_allowed: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.internal_allowed = internal_allowed
        self._choices_set(categories=categories, sources=sources)

    def _choices_set(self, *, categories: list[Category], sources: list[Source]) -> None:
        fields = self.fields
        _model_choices(fields["category"]).queryset = Category.objects.filter(pk__in=[c.pk for c in categories])
        _model_choices(fields["source"]).queryset = Source.objects.filter(pk__in=[s.pk for s in sources])
        _choices(fields["state"]).choices = [("", _("Elige un estado")), *STATE_CHOICES]
        # A kind with nothing to choose from is not offered at all.
        offered: dict[str, bool] = {Subscription.Watch.CATEGORY: bool(categories), Subscription.Watch.SOURCE: bool(sources)}
        self.offers_category, self.offers_source = bool(categories), bool(sources)
        _choices(fields["watch"]).choices = [(v, label) for v, label in Subscription.Watch.choices if offered.get(v, True)]
        channels = [(v, label) for v, label in Subscription.Channel.choices
                    if v != Subscription.Channel.TELEGRAM or telegram_enabled()]
        _choices(fields["channel"]).choices = channels
        if not telegram_enabled():
            del fields["telegram_chat"]

    def clean_hashtag(self) -> str:
        hashtag = self.cleaned_data.get("hashtag", "")
        if self.data.get(self.add_prefix("watch")) != Subscription.Watch.HASHTAG or not hashtag.strip().lstrip("#"):
            return ""
        return hashtag_check(hashtag)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        watch, channel = data.get("watch"), data.get("channel")
        detail = WATCH_DETAIL.get(Subscription.Watch(watch)) if watch else None
        # Without JavaScript every field is posted: what the choices do not use cannot make the form fail.
        used = {detail, CHANNEL_ADDRESS.get(Subscription.Channel(channel)) if channel else None}
        for name in (*WATCH_DETAIL.values(), *CHANNEL_ADDRESS.values()):
            if name not in used:
                self.errors.pop(name, None)
                data.pop(name, None)
        if detail and not data.get(detail) and detail not in self.errors:
            self.add_error(detail, DETAIL_MISSING[detail])
        if channel:
            field = CHANNEL_ADDRESS[Subscription.Channel(channel)]
            try:
                data["address"] = address_check(channel=channel, address=data.get(field) or "",
                                                internal_allowed=self.internal_allowed)
            except ValidationError as error:
                self.add_error(field, error)
        return data

    def spec(self) -> SubscriptionSpec:
        """The subscription the valid form describes."""
        data = self.cleaned_data
        return SubscriptionSpec(
            watch=data["watch"], trigger=data["trigger"], channel=data["channel"], address=data["address"],
            category=data.get("category"), state=data.get("state") or "", hashtag=data.get("hashtag") or "",
            source=data.get("source"), quiet_minutes=data["quiet_hours"] * 60, digest=data["digest"],
        )


def _choices(field: forms.Field) -> forms.ChoiceField:
    assert isinstance(field, forms.ChoiceField)
    return field


def _model_choices(field: forms.Field) -> forms.ModelChoiceField:
    assert isinstance(field, forms.ModelChoiceField)
    return field
