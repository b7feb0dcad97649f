"""Mexico's 32 states as a tile grid: one square per state, placed roughly where the state lies.

A tile map needs no geographic data and gives every state the same weight, so
small states such as Tlaxcala or the capital stay visible. Positions are
(column, row), west to east and north to south.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

POSITIONS: dict[str, tuple[int, int]] = {
    "BCN": (0, 0), "SON": (1, 0), "CHH": (2, 0), "COA": (3, 0), "NLE": (4, 0),
    "BCS": (0, 1), "SIN": (1, 1), "DUR": (2, 1), "ZAC": (3, 1), "SLP": (4, 1), "TAM": (5, 1),
    "NAY": (1, 2), "JAL": (2, 2), "AGU": (3, 2), "GUA": (4, 2), "QUE": (5, 2), "HID": (6, 2), "YUC": (10, 2),
    "COL": (2, 3), "MIC": (3, 3), "MEX": (4, 3), "CMX": (5, 3), "TLA": (6, 3), "VER": (7, 3), "CAM": (9, 3),
    "ROO": (10, 3),
    "GRO": (3, 4), "MOR": (4, 4), "PUE": (5, 4), "OAX": (6, 4), "CHP": (7, 4), "TAB": (8, 4),
}
COLUMNS = 1 + max(column for column, _ in POSITIONS.values())
ROWS = 1 + max(row for _, row in POSITIONS.values())


@dataclass(frozen=True, slots=True)
class Tile(Generic[T]):
    code: str
    column: int
    row: int
    item: T


def tiles_place(items: Iterable[T], *, code_of) -> list[Tile[T]]:  # noqa: ANN001 (a function item -> state code)
    """Each item on its state's square; items of an unknown code are left out."""
    placed = []
    for item in items:
        code = code_of(item)
        if code in POSITIONS:
            column, row = POSITIONS[code]
            placed.append(Tile(code=code, column=column, row=row, item=item))
    return placed
