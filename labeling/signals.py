"""Signal handlers: the labeling roles exist once the database is migrated."""
from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def roles_declare(sender: Any, app_config: Any = None, **kwargs: Any) -> None:
    if app_config is None or app_config.label != "labeling":
        return
    from .roles import roles_sync

    roles_sync()
