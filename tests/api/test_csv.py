"""`api/csv.py`: the one CSV writer neutralises spreadsheet formulas in every export."""
from __future__ import annotations

import csv
import io

from api.csv import rows_download, rows_serialize

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_text_cells_that_start_a_formula_get_a_quote_in_front():
    rows = [{"texto": text} for text in HOSTILE]
    written = _read("".join(rows_serialize(rows, fmt="csv")))
    assert [row["texto"] for row in written] == ["'" + text for text in HOSTILE]


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    rows = [{"score": -3.5, "count": -2, "texto": "hola - adiós", "etiquetas": ["=a", "b"], "ok": True}]
    (written,) = _read("".join(rows_serialize(rows, fmt="csv")))
    assert written == {"score": "-3.5", "count": "-2", "texto": "hola - adiós", "etiquetas": "'=a|b", "ok": "true"}


def test_json_lines_are_written_as_they_are():
    (line,) = rows_serialize([{"texto": "=1+1"}], fmt="jsonl")
    assert line == '{"texto": "=1+1"}\n'


def test_a_download_carries_the_neutralised_cells():
    response = rows_download([{"texto": "=cmd|' /C calc'!A0"}], filename="x.csv")
    assert _read(response.content.decode())[0]["texto"] == "'=cmd|' /C calc'!A0"
