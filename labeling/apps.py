from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabelingConfig(AppConfig):
    name = "labeling"
    verbose_name = _("Etiquetado")

    def ready(self) -> None:
        from . import permissions, signals  # noqa: F401
