"""The bulletin's charts, drawn on the server as PNG: the daily rate of a series with its threshold lines, and the
states' tile map coloured by level.

Matplotlib's object API on an Agg canvas (no pyplot, no global state), so a
worker thread can draw while another does, and the PDF needs no browser. The
charts take the bulletin's numbers (`alerts.selectors.bulletins`) and nothing
else. Colour is never the only signal: each level also has its shape and its
word (in the legend, and on the map's tiles).
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import FuncFormatter

from dashboard.levels import Level
from dashboard.tiles import COLUMNS, POSITIONS, ROWS

# The site's level colours (static/discriminamometro/site.css) and, for the text on a tile, a colour that reads.
COLOURS = {Level.RED: "#c62828", Level.YELLOW: "#f2b800", Level.GREEN: "#2e7d32", Level.GREY: "#c9ccd2"}
TILE_TEXT = {Level.RED: "#ffffff", Level.YELLOW: "#1d2330", Level.GREEN: "#ffffff", Level.GREY: "#1d2330"}
# The dashboard's level shapes (dashboard/levels.py LEVEL_ICONS) as Matplotlib markers.
MARKERS = {Level.RED: "8", Level.YELLOW: "^", Level.GREEN: "o", Level.GREY: "_"}
INK, MUTED, LINE = "#1d2330", "#5b6475", "#dde2ea"
DPI = 150


def _png(figure: Figure, *, dpi: int) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # attaches itself to the figure
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def _percent(value: float | None) -> float:
    return float("nan") if value is None else value * 100


def trend_chart_png(*, series: dict[str, Any], dpi: int = DPI) -> bytes:
    """A series' daily rate (%) over the period, its yellow and red threshold lines, and its yellow and red days
    marked with their shapes. Days without scored posts are gaps in the line."""
    points: Sequence[dict[str, Any]] = series["points"]
    days = date2num([date.fromisoformat(point["date"]) for point in points])  # Matplotlib's day numbers
    figure = Figure(figsize=(7.2, 2.7), layout="constrained")
    axes = figure.add_subplot()
    axes.plot(days, [_percent(p["rate"]) for p in points], color=INK, linewidth=1.6, label=gettext("Tasa diaria"))
    axes.plot(days, [_percent(p["yellow_at"]) for p in points], color="#b08600", linewidth=1.2, linestyle="--",
              label=gettext("Umbral amarillo"))
    axes.plot(days, [_percent(p["red_at"]) for p in points], color=COLOURS[Level.RED], linewidth=1.2,
              linestyle="-.", label=gettext("Umbral rojo"))
    for level, word in ((Level.YELLOW, gettext("Día en amarillo")), (Level.RED, gettext("Día en rojo"))):
        marked = [(day, _percent(p["rate"])) for day, p in zip(days, points, strict=True) if p["level"] == level]
        if marked:
            axes.scatter([d for d, _ in marked], [r for _, r in marked], marker=MARKERS[level], s=46, zorder=3,
                         color=COLOURS[level], edgecolors=INK, linewidths=0.6, label=word)
    axes.set_title(series["name"], loc="left", fontsize=11, color=INK, fontweight="bold")
    axes.set_ylabel(gettext("% discriminatorias"), fontsize=8, color=MUTED)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g} %"))
    axes.set_ylim(bottom=0)
    if len(days):
        axes.set_xlim(days[0] - 0.5, days[-1] + 0.5)  # half a day either side
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=4, maxticks=10))
    axes.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    axes.tick_params(labelsize=8, colors=MUTED)
    axes.grid(axis="y", color=LINE, linewidth=0.8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.legend(fontsize=7, loc="outside lower center", ncols=5, frameon=False)
    return _png(figure, dpi=dpi)


def states_map_png(*, states: Sequence[dict[str, Any]], dpi: int = DPI) -> bytes:
    """The dashboard's tile map of the 32 states (`dashboard.tiles`): each tile in its level's colour, with the
    state's code and the level's shape; a legend with each level's word below."""
    by_code = {state["slug"]: state for state in states}
    figure = Figure(figsize=(7.2, 4.4), layout="constrained")
    axes = figure.add_subplot()
    for code, (column, row) in POSITIONS.items():
        level = Level(by_code.get(code, {}).get("level", Level.GREY))
        axes.add_patch(FancyBboxPatch((column + 0.06, row + 0.06), 0.88, 0.88, boxstyle="round,pad=0,rounding_size=0.12",
                                      facecolor=COLOURS[level], edgecolor="#ffffff", linewidth=1))
        axes.text(column + 0.5, row + 0.36, code, ha="center", va="center", fontsize=8.5, fontweight="bold",
                  color=TILE_TEXT[level])
        axes.scatter([column + 0.5], [row + 0.7], marker=MARKERS[level], s={Level.RED: 110, Level.GREY: 90}.get(level, 55),
                     color=TILE_TEXT[level], linewidths=2 if level == Level.GREY else 0.5, zorder=3)
    axes.set_xlim(0, COLUMNS)
    axes.set_ylim(ROWS, 0)  # rows run north to south
    axes.set_aspect("equal")
    axes.axis("off")
    handles = [
        Line2D([], [], linestyle="", marker=MARKERS[level], markersize=10, markerfacecolor=COLOURS[level],
               markeredgecolor=INK if level != Level.GREY else COLOURS[level], markeredgewidth=2 if level == Level.GREY else 0.6,
               label=str(level.label))
        for level in (Level.RED, Level.YELLOW, Level.GREEN, Level.GREY)
    ]
    figure.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False, fontsize=9)
    return _png(figure, dpi=dpi)
