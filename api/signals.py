"""Signal handlers: a key that changes or goes is forgotten by every cache that holds it."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from .keys import api_key_forget
from .models import ApiKey


@receiver(post_save, sender=ApiKey)
def api_key_saved(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    # Now, and again after commit: a request in between could cache the old row.
    api_key_forget(prefix=instance.prefix)
    transaction.on_commit(lambda: api_key_forget(prefix=instance.prefix))


@receiver(pre_delete, sender=ApiKey)
def api_key_deleted(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    api_key_forget(prefix=instance.prefix)
