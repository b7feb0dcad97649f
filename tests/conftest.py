"""Shared fixtures. Tests run against the real PostgreSQL and Redis on 127.0.0.1."""
from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages

from classifier.models import LabeledText, ModelVersion
from classifier.services.training import model_version_train
from classifier.toxicity import demo_attributes
from ingestion.models import IngestionRun
from ingestion.services.demo import demo_backlog_load, demo_source_get_or_create
from ingestion.services.dictionary import dictionary_seed
from ingestion.sources.replay import demo_corpus
from tests.demo_data import SMALL, demo_labels_create
from tests.shared_data import SHARED, csv_head, labeled_import

pytest_plugins = ["tests.api_fixtures"]


@pytest.fixture(autouse=True)
def _process_caches_forgotten():
    """Per-process caches of database rows (the compiled dictionary, the category list, the served models)
    start empty in every test."""
    from alerts.series import series_history_forget
    from classifier.selectors.serving import models_forget
    from ingestion.selectors.dictionary import matcher_forget
    from labeling.selectors.annotation import category_choices_forget

    matcher_forget()
    category_choices_forget()
    models_forget()
    series_history_forget()


@pytest.fixture
def dictionary(db):
    """The original 7 categories and 51 terms (present after migrate; re-seeded after a flush)."""
    dictionary_seed()


@pytest.fixture
def archive_dir(settings, tmp_path):
    """A fresh local archive folder for the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "archive")}},
    }
    from django.core.files.storage import storages

    storages._storages.pop("archive", None)
    yield tmp_path / "archive"
    storages._storages.pop("archive", None)


@pytest.fixture
def trained_model(dictionary, archive_dir) -> ModelVersion:
    """An active discrimination model learned from the demo corpus's own judgements; its artifact in a fresh archive."""
    demo_labels_create(source="test")
    return model_version_train(task="discrimination", params=SMALL)


@pytest.fixture
def trained_toxicity_model(dictionary, archive_dir) -> ModelVersion:
    """An active toxicity model learned in seconds from the demo corpus's judgements (a discriminatory post is
    toxic and an identity attack; the others are neither): it offers TOXICITY and IDENTITY_ATTACK, and
    leaves the attributes without evidence (THREAT among them) not offered."""
    LabeledText.objects.bulk_create([
        LabeledText(
            task="toxicity", text=item["text"], source="test", external_id=item["id"],
            labels=demo_attributes(discriminatory=item["discriminatory"]), extra={"attributes": ["TOXICITY", "IDENTITY_ATTACK"]},
        )
        for item in demo_corpus()
    ])
    return model_version_train(task="toxicity", params=SMALL)


@pytest.fixture
def demo_run_load(db, archive_dir) -> Callable[..., IngestionRun]:
    """`load(count, spread=...)` replays the next `count` demo posts as one run, spread over the past `spread`."""

    def load(count: int, *, spread: timedelta = timedelta(days=2)) -> IngestionRun:
        source, _ = demo_source_get_or_create()
        return demo_backlog_load(source=source, count=count, spread=spread)

    return load


@pytest.fixture
def demo_run(demo_run_load) -> IngestionRun:
    """60 demo posts from the last two days, as one run."""
    return demo_run_load(60)


@pytest.fixture
def hateval_head(db, tmp_path) -> Callable[..., Path]:
    """`load(rows, split="train")` imports the first `rows` rows of a HatEval 2019 Spanish split as labeled texts
    (the dev split's rows stay held out); skips the test when the shared data is not next to the checkout."""
    if not SHARED.exists():
        pytest.skip("the shared reference data is not next to the checkout")

    def load(rows: int, *, split: str = "train") -> Path:
        source = SHARED / "hateval2019_es" / f"hateval2019_es_{split}.csv"
        path = csv_head(source, tmp_path / f"hateval_{split}.csv", rows)
        labeled_import(path, "hateval")
        return path

    return load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server (moto in server mode) on a free loopback port."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_archive(s3_server, settings):
    """The "archive" storage (raw batches and model artifacts) on the S3 server; yields (client, bucket)."""
    credentials = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=s3_server, **credentials)
    bucket = f"discriminamometro-{uuid.uuid4().hex[:12]}"  # a fresh bucket per test on the shared server
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket, "endpoint_url": s3_server, "access_key": "test-key",
                "secret_key": "test-secret", "region_name": "us-east-1", "file_overwrite": False,
            },
        },
    }
    storages._storages.pop("archive", None)
    yield client, bucket
    storages._storages.pop("archive", None)
