from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestionConfig(AppConfig):
    name = "ingestion"
    verbose_name = _("Ingesta y diccionario")

    def ready(self) -> None:
        from . import signals  # noqa: F401
