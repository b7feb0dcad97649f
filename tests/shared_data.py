"""The shared reference data sets (HatEval, EXIST, movie plots, the original project's files) next to the checkout,
and small heads of them for tests that train on real text."""
from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="the shared reference data is not next to the checkout")


def csv_head(source: Path, target: Path, rows: int) -> Path:
    """The header and the first `rows` rows of a CSV file, written to `target`."""
    with source.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))[: rows + 1]
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    return target


def labeled_import(path: Path, fmt: str) -> None:
    """Imports a labeled file as `import_labeled` does, quietly."""
    call_command("import_labeled", str(path), format=fmt, no_progress=True, stdout=StringIO())
