"""Posts stored with a date out of range (year 9999, year 1) before every record was checked lose that date.

Such a date overflows Python's datetime when read back, so every read, the admin's list and
each scoring run that touched the post failed. Its date becomes unknown (NULL), as for files
that give none: reads leave undated posts out, and the raw archive still holds what was sent.
"""
from datetime import UTC, datetime, timedelta

from django.db import migrations
from django.db.models import Q

EARLIEST_POST = datetime(2006, 1, 1, tzinfo=UTC)  # as ingestion/validation.py, fixed here for this migration


def tweet_dates_out_of_range_clear(apps, schema_editor) -> None:
    Tweet = apps.get_model("ingestion", "Tweet")
    latest = datetime.now(UTC) + timedelta(days=1)
    # Compared in the database: the values themselves are never loaded into Python.
    Tweet.objects.filter(Q(created_at__lt=EARLIEST_POST) | Q(created_at__gt=latest)).update(created_at=None)


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0003_tweet_created_id_index")]

    operations = [migrations.RunPython(tweet_dates_out_of_range_clear, migrations.RunPython.noop)]
