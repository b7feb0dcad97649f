"""Signal handlers: declare the periodic tasks once the database is migrated."""
from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def periodic_tasks_declare(sender: Any, app_config: Any = None, **kwargs: Any) -> None:
    if app_config is None or app_config.label != "ingestion":
        return
    from discriminamometro.schedule import schedules_sync

    schedules_sync()
