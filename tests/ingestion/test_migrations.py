"""Data migrations of ingestion, run against rows a user could have stored before them."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import DataError, connection

from ingestion.models import Tweet
from tests.factories import TweetFactory

out_of_range = importlib.import_module("ingestion.migrations.0004_tweet_dates_out_of_range")


@pytest.mark.django_db
def test_a_post_stored_in_the_year_9999_loses_its_date_and_the_post_list_answers_again(client, admin_user):
    good, bad, ancient = TweetFactory.create(), TweetFactory.create(), TweetFactory.create()
    with connection.cursor() as cursor:  # as an import before the record check could leave them
        cursor.execute("UPDATE ingestion_tweet SET created_at = %s WHERE id = %s", ["9999-12-31T23:59:59-05:00", bad.pk])
        cursor.execute("UPDATE ingestion_tweet SET created_at = %s WHERE id = %s", ["0001-01-01T00:00:00+05:00", ancient.pk])
    client.force_login(admin_user)
    with pytest.raises((DataError, OverflowError, ValueError)):
        list(Tweet.objects.values_list("created_at", flat=True))  # what broke every read

    out_of_range.tweet_dates_out_of_range_clear(apps, None)

    dates = dict(Tweet.objects.values_list("pk", "created_at"))
    assert dates[bad.pk] is None and dates[ancient.pk] is None
    assert dates[good.pk] == good.created_at
    assert client.get("/api/v1/tweets").status_code == 200
    assert client.get("/admin/ingestion/tweet/").status_code == 200
