"""Signal handlers: declare the periodic tasks once the database is migrated."""
from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def periodic_tasks_declare(sender: Any, app_config: Any = None, **kwargs: Any) -> None:
    # post_migrate is sent once per app with models; the pipeline has none, so it answers ingestion's.
    if app_config is None or app_config.label != "ingestion":
        return
    from pipeline.schedule import schedules_sync

    schedules_sync()
