"""Create the Bluesky and Mastodon sources, switched off: they read the internet, so an admin turns them on."""
from django.conf import settings
from django.db import migrations

FREE_SOURCES = (
    ("bluesky", "Bluesky", "bluesky", {"url": settings.BLUESKY_JETSTREAM_URL}),
    (
        "mastodon", "Mastodon", "mastodon",
        {"instances": ["mastodon.social"], "hashtags": [], "hashtags_from_dictionary": True},
    ),
)


def free_sources_create(apps, schema_editor):
    Source = apps.get_model("ingestion", "Source")
    for slug, name, kind, config in FREE_SOURCES:
        Source.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind, "enabled": False, "config": config})


def free_sources_delete(apps, schema_editor):
    Source = apps.get_model("ingestion", "Source")
    Source.objects.filter(slug__in=[slug for slug, *_ in FREE_SOURCES], runs__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0006_sources_bluesky_mastodon_budget")]
    operations = [migrations.RunPython(free_sources_create, free_sources_delete)]
