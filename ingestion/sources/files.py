"""Read posts from files: X API v2 JSON lines, CSV, and the original project's files.

Readers stream the file and yield `(line_number, TweetRecord | RecordInvalid)`,
so one bad line is reported with its number and every good line is kept. Bytes
that are not valid in the file's encoding are caught per line, not per file.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson
from django.conf import settings

from ..parsing import csv_columns_resolve, csv_row_parse, legacy_csv_parse, legacy_json_parse, v2_page_parse
from ..records import RecordInvalid, TweetRecord

FORMATS = ("xapi", "csv", "legacy-json", "legacy-csv")
FORMAT_HELP = {
    "xapi": "JSON lines: one X API v2 response page (data/includes) or one v2 tweet per line",
    "csv": "CSV with a header: id, text and optional created_at, lang, username, location, …",
    "legacy-json": "the original project's json_<category>.txt (one JSON array)",
    "legacy-csv": "the original project's base_<category>.csv (Latin-1)",
}
# A JSON array is read whole; beyond this size the file should be JSON lines.
MAX_JSON_ARRAY_BYTES = 256 * 1024 * 1024
_SURROGATE_RE = re.compile("[\udc80-\udcff]")

Parsed = tuple[int, TweetRecord | RecordInvalid]


class FileUnreadable(Exception):
    """The whole file cannot be read (missing, empty, not the format). Nothing was imported."""


def file_format_detect(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if re.fullmatch(r"json_\w+\.txt", name):
        return "legacy-json"
    if re.fullmatch(r"base_\w+\.csv", name):
        return "legacy-csv"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json", ".txt")):
        return "xapi"
    raise FileUnreadable(f"no se reconoce el formato de {path.name}; indique --format ({', '.join(FORMATS)})")


def default_encoding(fmt: str) -> str:
    return "latin-1" if fmt == "legacy-csv" else "utf-8"


def _open_binary(raw: IO[bytes], path: Path) -> IO[bytes]:
    return gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix == ".gz" else raw  # type: ignore[return-value]


def _open_text(raw: IO[bytes], path: Path, encoding: str) -> IO[str]:
    # surrogateescape keeps undecodable bytes as markers, so each bad line can be
    # reported on its own instead of the decoder stopping the whole file.
    return io.TextIOWrapper(_open_binary(raw, path), encoding=encoding, errors="surrogateescape", newline="")


def _encoding_error(encoding: str) -> RecordInvalid:
    other = "latin-1" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else "utf-8"
    return RecordInvalid(f"bytes no válidos en {encoding}; ¿el archivo está en otra codificación? (pruebe --encoding {other})")


def file_check(path: Path) -> None:
    if not path.exists():
        raise FileUnreadable(f"no existe el archivo {path}")
    if not path.is_file():
        raise FileUnreadable(f"{path} no es un archivo")
    if path.stat().st_size == 0:
        raise FileUnreadable(f"el archivo {path.name} está vacío")


def read_xapi(binary: IO[bytes], encoding: str) -> Iterator[Parsed]:
    """JSON lines read as bytes: orjson parses UTF-8 directly, with no text decoding step."""
    limit = settings.INGESTION["MAX_LINE_BYTES"]
    utf8 = encoding.lower().replace("_", "-") in {"utf-8", "utf8"}
    for number, line in enumerate(binary, start=1):
        if len(line) > limit:
            yield number, RecordInvalid(f"la línea mide {len(line)} bytes, más que el límite de {limit}")
        elif line.strip():
            yield from _xapi_line(number, line, encoding=None if utf8 else encoding)


def _xapi_line(number: int, line: bytes, *, encoding: str | None) -> Iterator[Parsed]:
    try:
        page = orjson.loads(line if encoding is None else line.decode(encoding))
    except (orjson.JSONDecodeError, UnicodeDecodeError) as error:
        yield number, _json_error(line, encoding or "utf-8", error)
        return
    for item in v2_page_parse(page):
        yield number, item


def _json_error(line: bytes, encoding: str, error: Exception) -> RecordInvalid:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return _encoding_error(encoding)
    detail = error.args[0] if error.args else error
    return RecordInvalid(f"JSON mal formado ({detail})")


def csv_open(handle: IO[str]) -> tuple[csv.DictReader, list[str]]:
    """A dict reader over a CSV with a header, and the header; refuses a file without one."""
    csv.field_size_limit(settings.INGESTION["MAX_LINE_BYTES"])
    reader = csv.DictReader(handle)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise FileUnreadable(f"el encabezado del CSV no se puede leer: {error}") from None
    if not header:
        raise FileUnreadable("el CSV no tiene encabezado")
    reader.fieldnames = header  # rows keyed by the trimmed names
    return reader, header


def csv_dict_rows(reader: csv.DictReader, encoding: str) -> Iterator[tuple[int, dict[str, str] | RecordInvalid]]:
    """Each row with the line it ends on; malformed rows and undecodable bytes become errors."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield reader.line_num, RecordInvalid(f"CSV mal formado: {error}")
            continue
        if None in row:
            yield reader.line_num, RecordInvalid("la fila tiene más columnas que el encabezado")
        elif any(isinstance(v, str) and _SURROGATE_RE.search(v) for v in row.values()):
            yield reader.line_num, _encoding_error(encoding)
        else:
            yield reader.line_num, row


def read_csv(handle: IO[str], encoding: str, *, legacy: bool) -> Iterator[Parsed]:
    reader, header = csv_open(handle)
    try:
        columns = {} if legacy else csv_columns_resolve(header)
    except RecordInvalid as error:
        raise FileUnreadable(str(error)) from None
    if legacy and not {"text", "id"} <= set(header):
        raise FileUnreadable("no es un archivo base_<categoría>.csv: faltan las columnas text e id")
    for line, row in csv_dict_rows(reader, encoding):
        if isinstance(row, RecordInvalid):
            yield line, row
            continue
        try:
            yield line, legacy_csv_parse(row) if legacy else csv_row_parse(row, columns=columns)
        except RecordInvalid as error:
            yield line, error


def json_array_items(handle: IO[str], encoding: str, path: Path) -> list[Any]:
    """The items of a file holding one JSON array (read whole, so size-capped)."""
    if path.stat().st_size > MAX_JSON_ARRAY_BYTES:
        raise FileUnreadable("el arreglo JSON es demasiado grande; conviértalo a JSON lines")
    text = handle.read()
    if _SURROGATE_RE.search(text):
        raise FileUnreadable(str(_encoding_error(encoding)))
    try:
        items: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileUnreadable(f"JSON mal formado en la línea {error.lineno}: {error.msg}") from None
    if not isinstance(items, list):
        raise FileUnreadable("se esperaba un arreglo JSON")
    return items


def read_legacy_json(handle: IO[str], encoding: str, path: Path) -> Iterator[Parsed]:
    for index, item in enumerate(json_array_items(handle, encoding, path), start=1):
        try:
            yield index, legacy_json_parse(item)
        except RecordInvalid as error:
            yield index, error


def text_open(path: Path, encoding: str) -> IO[str]:
    """A file (gzipped or not) as text whose undecodable bytes are kept as markers."""
    file_check(path)
    return _open_text(open(path, "rb"), path, encoding)  # noqa: SIM115 (the caller closes it)


class FileReader:
    """Streams a file's records; `position` is how many bytes of the file were read."""

    def __init__(self, *, path: Path, fmt: str, encoding: str):
        file_check(path)
        if fmt not in FORMATS:
            raise FileUnreadable(f"formato desconocido: {fmt} (use {', '.join(FORMATS)})")
        self.path, self.fmt, self.encoding = path, fmt, encoding
        self.size = path.stat().st_size
        self._raw: IO[bytes] = open(path, "rb")  # noqa: SIM115 (closed by records())

    def position(self) -> int:
        return self._raw.tell() if not self._raw.closed else self.size

    def records(self) -> Iterator[Parsed]:
        """Every record with its line number (its position, for JSON arrays)."""
        if self.fmt == "xapi":
            with self._raw, _open_binary(self._raw, self.path) as binary:
                yield from read_xapi(binary, self.encoding)
            return
        with self._raw, _open_text(self._raw, self.path, self.encoding) as handle:
            if self.fmt == "legacy-json":
                yield from read_legacy_json(handle, self.encoding, self.path)
            else:
                yield from read_csv(handle, self.encoding, legacy=self.fmt == "legacy-csv")
