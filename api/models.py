"""API keys: stored hashed, each with its scopes and its own rate limit.

The key itself (`prefix.secret`) is shown once, when it is created in the admin;
the database keeps its prefix and a SHA-512 hash (djangorestframework-api-key).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey


def default_rate_limit() -> int:
    return int(settings.API["DEFAULT_KEY_RATE"])


class Scope(models.TextChoices):
    CLASSIFY = "classify", _("clasificar (classify, predict, feedback)")
    READ = "read", _("leer (tweets, stats, models, dictionary)")
    STORE = "store", _("guardar textos para etiquetar (doNotStore: false en comments:analyze)")


class ApiKey(AbstractAPIKey):
    """A program's access to the API."""

    # The library's fields again, with Spanish names for the admin.
    prefix = models.CharField(_("prefijo"), max_length=8, unique=True, editable=False)
    created = models.DateTimeField(_("creada"), auto_now_add=True, db_index=True)
    name = models.CharField(_("nombre"), max_length=50, help_text=_("Para quién es la clave (no tiene que ser único)."))
    revoked = models.BooleanField(
        _("revocada"), blank=True, default=False,
        help_text=_("Una clave revocada deja de funcionar al instante. No se puede deshacer."),
    )
    expiry_date = models.DateTimeField(
        _("expira"), blank=True, null=True, help_text=_("Desde esta fecha la clave deja de funcionar.")
    )
    organization = models.CharField(_("organización"), max_length=120, blank=True)
    contact = models.EmailField(_("contacto"), blank=True)
    scope_classify = models.BooleanField(_("puede clasificar"), default=True)
    scope_read = models.BooleanField(_("puede leer"), default=False)
    scope_store = models.BooleanField(
        _("puede guardar textos"), default=False,
        help_text=_("Con «doNotStore: false», comments:analyze pone el comentario en la cola de etiquetado."),
    )
    rate_limit = models.PositiveIntegerField(
        _("límite por minuto"), default=default_rate_limit, help_text=_("Peticiones por minuto permitidas a esta clave.")
    )
    notes = models.TextField(_("notas"), blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("clave de API")  # type: ignore[assignment]  # the library's Meta says str
        verbose_name_plural = _("claves de API")  # type: ignore[assignment]

    @property
    def scopes(self) -> set[str]:
        return {scope for scope, allowed in (
            (Scope.CLASSIFY, self.scope_classify), (Scope.READ, self.scope_read), (Scope.STORE, self.scope_store),
        ) if allowed}
