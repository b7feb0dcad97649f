"""The raw archive: every downloaded batch, exactly as received, as gzipped JSON lines.

Files go to the "archive" storage alias (a local folder by default, S3 when
`STORAGE_BUCKET` is set) under `raw/<source>/<YYYY>/<MM>/<DD>/<HHMMSS>-<run id>.jsonl.gz`.
"""
from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from ingestion.models import IngestionRun, RawBatch, Source


def archive_storage():  # noqa: ANN201 (a Storage; django-stubs has no alias type)
    return storages["archive"]


def raw_batch_path(*, source_slug: str, run_id: int, at: datetime, sequence: int = 1) -> str:
    at = at.astimezone(UTC)
    suffix = "" if sequence == 1 else f"-{sequence}"
    return f"raw/{source_slug}/{at:%Y/%m/%d}/{at:%H%M%S}-{run_id}{suffix}.jsonl.gz"


def _item_encode(item: Any) -> bytes:
    """One item as a JSON line. orjson refuses integers past 64 bits and lone surrogates, which a
    page may carry (its bad posts are rejected later, one by one): those items take the slower encoder."""
    try:
        return orjson.dumps(item)
    except TypeError:
        return json.dumps(item).encode()  # ASCII escapes keep a lone surrogate as it came


def raw_batch_write(
    *, source: Source, run: IngestionRun, items: Iterable[Any], sequence: int = 1
) -> RawBatch:
    """Write one batch to storage and record it. Written before the posts are stored,
    so a post in the database always has its raw batch on disk."""
    buffer = io.BytesIO()
    count = 0
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz:
        for item in items:
            gz.write(_item_encode(item) + b"\n")
            count += 1
    path = raw_batch_path(source_slug=source.slug, run_id=run.pk, at=datetime.now(UTC), sequence=sequence)
    saved = archive_storage().save(path, ContentFile(buffer.getvalue()))
    return RawBatch.objects.create(
        source=source, run=run, path=saved, records=count, size_bytes=buffer.tell()
    )


def raw_batch_read(*, path: str) -> Iterator[Any]:
    """Read an archived batch back, item by item, exactly as it was received.

    The standard library's decoder, not orjson's: orjson turns an integer past 64 bits into a
    float and refuses the lone surrogates `_item_encode` kept. Reading the archive is rare
    (reprocessing, audits); writing it is on every download."""
    with archive_storage().open(path, "rb") as handle, gzip.GzipFile(fileobj=handle) as gz:
        for line in gz:
            if line.strip():
                yield json.loads(line)
