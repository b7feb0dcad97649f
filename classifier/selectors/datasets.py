"""Reads of the local copies of the public corpora (`classifier/datasets_catalog.py`): where each file goes in
the datasets folder, and whether it is there, half-downloaded, or there with bytes other than the catalogue's."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.conf import settings

from classifier.datasets_catalog import Dataset, DatasetFile

CHUNK_BYTES = 1024 * 1024


class FileState(StrEnum):
    VERIFIED = "verified"
    MISSING = "missing"
    PARTIAL = "partial"  # only a `.part` file: a download that broke off, resumed by the next fetch
    MISMATCH = "mismatch"  # present, but its SHA-256 is not the catalogue's


@dataclass(frozen=True, slots=True)
class FileStatus:
    file: DatasetFile
    path: Path
    state: FileState
    partial_bytes: int = 0


def datasets_dir_get() -> Path:
    """The folder the corpora are fetched into (`DATASETS_DIR`), one subfolder per corpus."""
    return Path(settings.DATASETS_DIR)


def dataset_file_path(*, dataset: Dataset, file: DatasetFile, directory: Path | None = None) -> Path:
    return (directory or datasets_dir_get()) / dataset.name / file.name


def part_paths(*, path: Path) -> tuple[Path, Path]:
    """Where a fetch writes before it verifies: the file's `.part`, and the `.zip.part` of a zipped download."""
    return path.with_name(path.name + ".part"), path.with_name(path.name + ".zip.part")


def file_sha256(*, path: Path) -> str:
    """The file's SHA-256, read a chunk at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def file_verified(*, path: Path, file: DatasetFile) -> bool:
    """Whether `path` holds exactly the catalogue's bytes (the size is compared first: it costs no read)."""
    return path.is_file() and path.stat().st_size == file.size and file_sha256(path=path) == file.sha256


def dataset_status_get(*, dataset: Dataset, directory: Path | None = None) -> list[FileStatus]:
    """The state of each of the corpus's files in the datasets folder."""
    statuses = []
    for file in dataset.files:
        path = dataset_file_path(dataset=dataset, file=file, directory=directory)
        parts = [part for part in part_paths(path=path) if part.is_file()]
        if file_verified(path=path, file=file):
            statuses.append(FileStatus(file, path, FileState.VERIFIED))
        elif path.exists():
            statuses.append(FileStatus(file, path, FileState.MISMATCH))
        elif parts:
            statuses.append(FileStatus(file, path, FileState.PARTIAL, parts[0].stat().st_size))
        else:
            statuses.append(FileStatus(file, path, FileState.MISSING))
    return statuses
