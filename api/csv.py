"""Rows of plain dicts written as CSV or JSON lines: to a file, or as a download.

Every file the project hands out goes through here: the dashboard's tables, the
labeling reports and exports, and the `export_annotations` and
`export_predictions` commands. It sits in `api/`, the bottom floor every app
already imports its shared plumbing from and which imports no app; the project
package (`discriminamometro/`) would not do, because its URL map imports every
app, so a helper there would sit on the top floor and the bottom one at once.

One way to write a cell everywhere: a list is its items joined by "|", a
boolean is `true` or `false` (as in JSON), None is an empty cell.

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, and posts and
comments are written by strangers. Such a text cell is written with a single
quote in front (`'=HYPERLINK(...)`), which the spreadsheet shows as text. Only
text is neutralised: numbers the code writes as numbers (an int or a float such
as -3.5) stay numbers, so scores and counts still sum; a number that arrives as
text ("-3.5" typed by a person) is text and gets the quote. JSON lines are data,
not a spreadsheet, and are written as they are.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse

FORMATS = ("csv", "jsonl")
CONTENT_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson"}
CRLF = "\r\n"  # the csv module's own line end (RFC 4180), kept for the downloads
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TextOutput(Protocol):
    def write(self, text: str, /) -> Any: ...


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return _text_cell("|".join(str(item) for item in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _text_cell(value)
    return value


def _text_cell(text: str) -> str:
    """The text with a quote in front when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows_serialize(
    rows: Iterable[dict[str, Any]], *, fmt: str, header: Sequence[str] | None = None, line_end: str = CRLF
) -> Iterator[str]:
    """Each row as text, one piece per row: CSV (its header first) or JSON lines.

    Without `header` the CSV columns are the first row's keys and no rows make an
    empty file; with it, the header is written even when there are no rows.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {FORMATS}")
    if fmt == "jsonl":
        yield from (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        return
    buffer = io.StringIO()
    writer = None if header is None else _csv_writer(buffer, header, line_end=line_end)
    for row in rows:
        if writer is None:
            writer = _csv_writer(buffer, list(row), line_end=line_end)
        writer.writerow({key: _cell(value) for key, value in row.items()})
        yield _taken(buffer)
    if header is not None and buffer.tell():  # a header and no rows
        yield _taken(buffer)


def _csv_writer(buffer: io.StringIO, fieldnames: Sequence[str], *, line_end: str) -> csv.DictWriter[str]:
    writer = csv.DictWriter(buffer, fieldnames=list(fieldnames), lineterminator=line_end)
    writer.writeheader()
    return writer


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def rows_write(
    rows: Iterable[dict[str, Any]], *, output: TextOutput, fmt: str, header: Sequence[str] | None = None,
    line_end: str = CRLF,
) -> int:
    """Write the rows to `output` (a file, a command's stdout) as CSV or JSON lines; returns how many rows."""
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for piece in rows_serialize(counted(), fmt=fmt, header=header, line_end=line_end):
        output.write(piece)
    return count


def rows_download(rows: Iterable[dict[str, Any]], *, filename: str, fmt: str = "csv", stream: bool = False) -> HttpResponseBase:
    """The rows as a file to download, named `filename`.

    `stream=True` for exports of any size: rows are read and sent a piece at a
    time, so a large campaign never sits whole in memory. Small tables already
    in memory go whole, as an ordinary response.
    """
    pieces = rows_serialize(rows, fmt=fmt)
    content_type = f"{CONTENT_TYPES[fmt]}; charset=utf-8"
    response: HttpResponseBase
    if stream:
        response = StreamingHttpResponse(pieces, content_type=content_type)
    else:
        response = HttpResponse("".join(pieces), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
