from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = _("Flujo de trabajo")

    def ready(self) -> None:
        from . import signals  # noqa: F401
