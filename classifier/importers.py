"""Readers for labelled data sets: each yields `(line, LabeledRow | RecordInvalid)`.

- `hateval`: SemEval-2019 HatEval (`id,text,HS,TR,AG`); `HS` → `discriminatory`.
  Its targets are not in the file, so no category is invented.
- `exist`: EXIST 2021 (`id,text,task1,...`); `sexist` → `discriminatory` + `genero`.
- `legacy`: the original project's weakly labelled tweets (`json_<categoría>.txt`,
  Latin-1 `base_<categoría>.csv`): the category whose term found the tweet,
  marked weak; `json_neutro.txt` gives weak negatives.
- `movies`: the movie-genre CSV (`,year,title,plot,genres,...`); `genres` → labels.
- `csv`: any CSV with a text column and 0/1 label columns.
"""
from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.label_sets import DISCRIMINATION, DISCRIMINATORY, MOVIE_GENRES
from ingestion.parsing import text_check
from ingestion.records import RecordInvalid
from ingestion.sources.files import FileUnreadable, csv_dict_rows, csv_open, json_array_items, text_open
from ingestion.validation import json_check, string_check

FORMATS = ("hateval", "exist", "legacy", "movies", "csv")
TRUE_VALUES = {"1", "true", "t", "yes", "si", "sí", "y", "x"}
FALSE_VALUES = {"0", "false", "f", "no", "n", ""}


@dataclass(slots=True)
class LabeledRow:
    text: str
    labels: list[str]
    external_id: str
    weak: bool = False
    split: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportSpec:
    """What a file is: its format, the task and source its rows go to, and how to read it."""

    path: Path
    fmt: str
    task: str
    source: str
    encoding: str = "utf-8"
    split: str = ""
    text_column: str = "text"
    id_column: str = "id"
    label_columns: tuple[str, ...] = ()


Parsed = tuple[int, LabeledRow | RecordInvalid]
MAX_LABELS = 100


def labeled_row_validate(row: LabeledRow) -> LabeledRow:
    """The row if the training table takes it (the posts' own checks: no NUL, no lone surrogate, column lengths)."""
    string_check(row.external_id, field="id", limit=128)
    string_check(row.split, field="split", limit=16)
    if not isinstance(row.labels, list) or len(row.labels) > MAX_LABELS:
        raise RecordInvalid(f"las etiquetas no son una lista de a lo sumo {MAX_LABELS}")
    for label in row.labels:
        string_check(label, field="etiquetas", limit=64)
    json_check(row.extra, field="extra")
    return row


def _ident(value: Any) -> str:
    ident = string_check(str(value or ""), field="id").strip()
    if not ident:
        raise RecordInvalid("falta el id")
    return ident[:128]


def _flag(value: Any, *, column: str) -> bool:
    cleaned = str(value if value is not None else "").strip().lower()
    if cleaned in TRUE_VALUES:
        return True
    if cleaned in FALSE_VALUES:
        return False
    raise RecordInvalid(f"valor no válido en '{column}': {value!r} (se espera 0/1)")


def _csv_records(spec: ImportSpec, required: set[str]) -> Iterator[tuple[int, dict[str, str] | RecordInvalid]]:
    with text_open(spec.path, spec.encoding) as handle:
        reader, header = csv_open(handle)
        missing = sorted(required - set(header))
        if missing:
            raise FileUnreadable(f"faltan columnas en el CSV: {', '.join(missing)} (tiene: {', '.join(header)})")
        yield from csv_dict_rows(reader, spec.encoding)


def _rows(spec: ImportSpec, required: set[str], build: Any) -> Iterator[Parsed]:
    for line, row in _csv_records(spec, required):
        if isinstance(row, RecordInvalid):
            yield line, row
            continue
        try:
            yield line, labeled_row_validate(build(row))
        except RecordInvalid as error:
            yield line, error


def read_hateval(spec: ImportSpec) -> Iterator[Parsed]:
    def build(row: dict[str, str]) -> LabeledRow:
        hateful = _flag(row["HS"], column="HS")
        extra: dict[str, Any] = {k: _flag(row[k], column=k) for k in ("TR", "AG") if k in row}
        return LabeledRow(text_check(row["text"]), [DISCRIMINATORY] if hateful else [], _ident(row["id"]), split=spec.split, extra=extra)

    yield from _rows(spec, {"id", "text", "HS"}, build)


def read_exist(spec: ImportSpec) -> Iterator[Parsed]:
    def build(row: dict[str, str]) -> LabeledRow:
        verdict = row["task1"].strip().lower()
        if verdict not in {"sexist", "non-sexist"}:
            raise RecordInvalid(f"valor no válido en 'task1': {row['task1']!r} (sexist / non-sexist)")
        labels = [DISCRIMINATORY, "genero"] if verdict == "sexist" else []
        extra = {"sexism_type": row.get("task2", ""), "platform": row.get("source", "")}
        return LabeledRow(text_check(row["text"]), labels, _ident(row["id"]), split=spec.split or "train", extra=extra)

    yield from _rows(spec, {"id", "text", "task1"}, build)


def _legacy_category(path: Path) -> str:
    found = re.fullmatch(r"(?:json|base)_(\w+)\.(?:txt|csv)", path.name.lower())
    if not found:
        raise FileUnreadable("el nombre debe ser json_<categoría>.txt o base_<categoría>.csv")
    return found.group(1)


def read_legacy(spec: ImportSpec) -> Iterator[Parsed]:
    category = _legacy_category(spec.path)
    labels = [] if category == "neutro" else [category]
    if spec.path.suffix.lower() == ".csv":
        yield from _rows(spec, {"id", "text"}, lambda row: LabeledRow(
            text_check(row["text"]), [row.get("motivo") or category] if labels else [], _ident(row["id"]),
            weak=True, extra={"term": row.get("tipo", "")},
        ))
        return
    with text_open(spec.path, spec.encoding, document=True) as handle:
        items = json_array_items(handle, spec.encoding, spec.path)
    for index, item in enumerate(items, start=1):
        try:
            text = text_check(item.get("full_text") if isinstance(item, dict) else None)
            author = item.get("user_id", "")
            string_check(author if isinstance(author, str) else str(author), field="user_id")  # before hashing
            digest = hashlib.sha1(f"{author}\x1f{text}".encode()).hexdigest()[:20]
            yield index, labeled_row_validate(LabeledRow(text, labels, f"dm2020-{digest}", weak=True))
        except RecordInvalid as error:
            yield index, error


def read_movies(spec: ImportSpec) -> Iterator[Parsed]:
    def build(row: dict[str, str]) -> LabeledRow:
        try:
            genres = ast.literal_eval(row["genres"])
        except (ValueError, SyntaxError):
            raise RecordInvalid(f"'genres' no es una lista: {row['genres'][:60]!r}") from None
        if not isinstance(genres, list) or not all(isinstance(g, str) for g in genres):
            raise RecordInvalid("'genres' debe ser una lista de nombres de género")
        extra = {"title": row.get("title", ""), "year": row.get("year", "")}
        return LabeledRow(text_check(row["plot"]), sorted(set(genres)), _ident(row[""]), split=spec.split, extra=extra)

    yield from _rows(spec, {"", "plot", "genres"}, build)


def read_generic_csv(spec: ImportSpec) -> Iterator[Parsed]:
    if not spec.label_columns:
        raise FileUnreadable("indique las columnas de etiquetas con --label-columns")

    def build(row: dict[str, str]) -> LabeledRow:
        labels = [c for c in spec.label_columns if _flag(row[c], column=c)]
        return LabeledRow(text_check(row[spec.text_column]), labels, _ident(row[spec.id_column]), split=spec.split)

    yield from _rows(spec, {spec.text_column, spec.id_column, *spec.label_columns}, build)


READERS = {
    "hateval": read_hateval, "exist": read_exist, "legacy": read_legacy,
    "movies": read_movies, "csv": read_generic_csv,
}
DEFAULT_TASKS = {"hateval": DISCRIMINATION, "exist": DISCRIMINATION, "legacy": DISCRIMINATION, "movies": MOVIE_GENRES}
DEFAULT_SOURCES = {
    "hateval": "import:hateval2019", "exist": "import:exist2021",
    "legacy": "weak:discriminamometro", "movies": "import:mmimdb-miad",
}
DEFAULT_ENCODINGS = {"legacy": "latin-1"}
