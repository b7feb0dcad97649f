"""Signal handlers: the labeling roles exist once the database is migrated; a queued text whose campaign item
is deleted (with its campaign) goes back to the queue unless it was already labeled."""
from typing import Any

from django.db.models.signals import post_delete, post_migrate
from django.dispatch import receiver

from .models import CampaignItem, QueuedText


@receiver(post_migrate)
def roles_declare(sender: Any, app_config: Any = None, **kwargs: Any) -> None:
    if app_config is None or app_config.label != "labeling":
        return
    from .roles import roles_sync

    roles_sync()


@receiver(post_delete, sender=CampaignItem)
def queued_text_release(sender: Any, instance: CampaignItem, **kwargs: Any) -> None:
    if instance.queued_text_id is None:
        return
    QueuedText.objects.filter(pk=instance.queued_text_id, status=QueuedText.Status.IN_CAMPAIGN).exclude(
        campaign_items__isnull=False
    ).update(status=QueuedText.Status.PENDING)
