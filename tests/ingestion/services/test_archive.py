"""The raw archive on a real S3-compatible server (moto in server mode, on loopback)."""
from __future__ import annotations

import pytest

from ingestion.models import RawBatch, SourceCursor, Tweet
from ingestion.services.archive import raw_batch_read
from ingestion.services.demo import demo_source_get_or_create
from ingestion.services.downloads import source_download


@pytest.mark.django_db
def test_downloaded_batches_land_in_the_bucket_and_read_back(s3_archive):
    client, bucket = s3_archive
    source, _ = demo_source_get_or_create()
    run = source_download(source_id=source.pk).run

    batch = RawBatch.objects.get(run=run)
    listed = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == [batch.path]
    assert batch.path.startswith("raw/demo/") and batch.path.endswith(f"-{run.pk}.jsonl.gz")
    head = client.head_object(Bucket=bucket, Key=batch.path)
    assert head["ContentLength"] == batch.size_bytes
    pages = list(raw_batch_read(path=batch.path))
    archived_ids = sorted(t["id"] for page in pages for t in page["data"])
    assert archived_ids == sorted(Tweet.objects.filter(run_id=run.pk).values_list("platform_id", flat=True))
    assert len(archived_ids) == 25
    assert SourceCursor.objects.get(source=source).position == 25
