"""The raw archive on a real S3-compatible server (moto in server mode, on loopback)."""
from __future__ import annotations

import socket

import boto3
import pytest
from django.core.files.storage import storages

from ingestion import services
from ingestion.archive import raw_batch_read
from ingestion.models import RawBatch, SourceCursor, Tweet

BUCKET = "discriminamometro-raw"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_archive(s3_server, settings):
    credentials = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=s3_server, **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET, "endpoint_url": s3_server, "access_key": "test-key",
                "secret_key": "test-secret", "region_name": "us-east-1", "file_overwrite": False,
            },
        },
    }
    storages._storages.pop("archive", None)
    yield client
    storages._storages.pop("archive", None)


@pytest.mark.django_db
def test_downloaded_batches_land_in_the_bucket_and_read_back(s3_archive):
    source, _ = services.demo_source_get_or_create()
    run = services.source_download(source_id=source.pk).run

    batch = RawBatch.objects.get(run=run)
    listed = [o["Key"] for o in s3_archive.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert listed == [batch.path]
    assert batch.path.startswith("raw/demo/") and batch.path.endswith(f"-{run.pk}.jsonl.gz")
    head = s3_archive.head_object(Bucket=BUCKET, Key=batch.path)
    assert head["ContentLength"] == batch.size_bytes
    pages = list(raw_batch_read(path=batch.path))
    archived_ids = sorted(t["id"] for page in pages for t in page["data"])
    assert archived_ids == sorted(Tweet.objects.filter(run_id=run.pk).values_list("platform_id", flat=True))
    assert len(archived_ids) == 25
    assert SourceCursor.objects.get(source=source).position == 25
