"""A bulletin's two documents, drawn from its numbers alone: the self-contained HTML page and the A4 PDF.

Both read the same dict (`alerts.selectors.bulletins.bulletin_numbers_get`,
kept as `Bulletin.summary`) and the same chart PNGs (`alerts.charts`), so the
page, the PDF and the stored numbers cannot disagree. The PDF is ReportLab
platypus with DejaVu Sans (shipped with Matplotlib): the standard PDF fonts
have no "σ" nor "≥".
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
from django.core.files.storage import storages
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from alerts.charts import states_map_png, trend_chart_png
from alerts.models import Bulletin
from alerts.selectors.bulletins import BulletinNumbers, bulletin_urls, site_zone
from dashboard.templatetags.humanize_es import miles, pct

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
LEVEL_FILL = {"red": "#fdecea", "yellow": "#fff6d6", "green": "#e6f4ea", "grey": "#eef0f3"}
LEVEL_INK = {"red": "#8e1b1b", "yellow": "#6b5200", "green": "#1b5e20", "grey": "#4b5058"}
LEVEL_MARK = {"red": "⬣", "yellow": "▲", "green": "●", "grey": "–"}  # the shape, in the text itself
WIDTH = A4[0] - 3.6 * cm


@dataclass(frozen=True, slots=True)
class Charts:
    trends: list[tuple[str, bytes]]  # (series name, PNG), in the numbers' series order
    states_map: bytes


def charts_draw(numbers: BulletinNumbers) -> Charts:
    """The map, and a trend chart for each series with scored posts in the period (an empty one says nothing)."""
    return Charts(
        trends=[(series["name"], trend_chart_png(series=series)) for series in numbers["series"] if series["posts"]],
        states_map=states_map_png(states=numbers["states"]),
    )


def series_without_posts(numbers: BulletinNumbers) -> list[str]:
    return [series["name"] for series in numbers["series"] if not series["posts"]]


# --- Shared wording -----------------------------------------------------------------------------

def _day(value: str) -> str:
    return formats.date_format(date.fromisoformat(value), "j \\d\\e F \\d\\e Y").lower()


def _moment(value: str) -> str:
    local = datetime.fromisoformat(value).astimezone(site_zone())
    return formats.date_format(local, "j \\d\\e F \\d\\e Y, H:i").lower()


def period_text(numbers: BulletinNumbers) -> str:
    return gettext("Del %(first)s al %(last)s") % {"first": _day(numbers["first_day"]), "last": _day(numbers["last_day"])}


def window_text(numbers: BulletinNumbers) -> str:
    lights = numbers["lights"]
    return gettext("Ventana de %(hours)d horas, del %(start)s al %(end)s (hora de la Ciudad de México).") % {
        "hours": numbers["rule"]["window_hours"], "start": _moment(lights["window_start"]),
        "end": _moment(lights["window_end"]),
    }


def figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _model_rows(numbers: BulletinNumbers) -> list[dict[str, str]]:
    model = numbers.get("model") or {}
    return [
        {"name": row["name"], "precision": figure(row["precision"]), "recall": figure(row["recall"]),
         "f1": figure(row["f1"]), "roc_auc": figure(row["roc_auc"]),
         "held_out_positives": "—" if row["held_out_positives"] is None else miles(row["held_out_positives"])}
        for row in model.get("labels", [])
    ]


# --- HTML ------------------------------------------------------------------------------------------

def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def bulletin_html_render(numbers: BulletinNumbers, *, charts: Charts, urls: dict[str, str]) -> str:
    """The self-contained page (styles inline, charts as data: URIs); `urls`: site_url, list_url, pdf_url."""
    lights = numbers["lights"]
    return render_to_string("alerts/bulletin.html", {
        "b": numbers, "overall": numbers["series"][0], "lights": [lights["overall"], *lights["categories"]],
        "period_text": period_text(numbers), "window_text": window_text(numbers),
        "generated_at": _moment(numbers["generated_at"]), "model_labels": _model_rows(numbers),
        "trend_charts": [{"name": name, "src": _data_uri(png)} for name, png in charts.trends],
        "map_src": _data_uri(charts.states_map), "without_posts": series_without_posts(numbers), **urls,
    })


# --- PDF -------------------------------------------------------------------------------------------

@cache
def bulletin_page_html(*, bulletin: Bulletin) -> str:
    """A bulletin's page as it was published (the archive's file), drawn again from its numbers if the file is
    gone; "" when it has neither."""
    archive = storages["archive"]
    if bulletin.html_name and archive.exists(bulletin.html_name):
        with archive.open(bulletin.html_name, "rb") as stored:
            return stored.read().decode("utf-8")
    numbers = bulletin.summary
    if not numbers:
        return ""
    return bulletin_html_render(numbers, charts=charts_draw(numbers), urls=bulletin_urls(slug=bulletin.slug))


def _fonts() -> None:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12.5, spaceAfter=5)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=5),
        "note": ParagraphStyle("note", parent=body, fontSize=8, leading=10.5, textColor=colors.HexColor("#5b6475")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "num": ParagraphStyle("num", parent=body, fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT),
        "callout": ParagraphStyle("callout", parent=body, backColor=colors.HexColor("#fff6e0"), borderPadding=5,
                                  borderColor=colors.HexColor("#f0d9a0"), borderWidth=0.5, spaceBefore=4, spaceAfter=8),
    }


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(header: list[str], rows: list[list[Any]], *, widths: list[float], numeric: set[int],
           levels: dict[int, str] | None = None, level_column: int | None = None) -> Table:
    """A table with a grey header, the `numeric` columns right-aligned, and level cells tinted."""
    s = _styles()
    cells = [[Paragraph(_esc(h), s["num" if i in numeric else "cell"]) for i, h in enumerate(header)]]
    cells += [[Paragraph(_esc(v), s["num" if i in numeric else "cell"]) for i, v in enumerate(row)] for row in rows]
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f6")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#dde2ea")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for row, level in (levels or {}).items():
        if level_column is not None:
            style.append(("BACKGROUND", (level_column, row + 1), (level_column, row + 1), colors.HexColor(LEVEL_FILL[level])))
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _level_word(light: dict[str, Any]) -> str:
    return f"{LEVEL_MARK.get(light['level'], '')} {light['label']}"


def _image(png: bytes, *, width: float) -> Image:
    image = Image(io.BytesIO(png))
    image.drawHeight = width * image.imageHeight / image.imageWidth
    image.drawWidth = width
    return image


def _summary_part(numbers: BulletinNumbers) -> list[Flowable]:
    s, overall = _styles(), numbers["series"][0]
    lights = [numbers["lights"]["overall"], *numbers["lights"]["categories"]]
    return [
        Paragraph(gettext("Resumen del periodo"), s["h2"]),
        _table([gettext("Calificadas"), gettext("Discriminatorias"), gettext("Tasa del periodo"),
                gettext("Días en rojo"), gettext("Días en amarillo")],
               [[miles(overall["posts"]), miles(overall["discriminatory"]), pct(overall["rate"]),
                 overall["days_red"], overall["days_yellow"]]], widths=[WIDTH / 5] * 5, numeric={0, 1, 2, 3, 4}),
        Paragraph(gettext("El semáforo al cierre del periodo"), s["h2"]),
        Paragraph(_esc(window_text(numbers)), s["note"]),
        _table([gettext("Serie"), gettext("Nivel"), gettext("Tasa"), gettext("Publ."), gettext("Por qué")],
               [[light["name"], _level_word(light), pct(light["rate"]), miles(light["posts"]), light["sentence"]]
                for light in lights],
               widths=[3.4 * cm, 2.4 * cm, 1.6 * cm, 1.5 * cm, WIDTH - 8.9 * cm], numeric={2, 3},
               levels={i: light["level"] for i, light in enumerate(lights)}, level_column=1),
    ]


def _categories_part(numbers: BulletinNumbers, charts: Charts) -> list[Flowable]:
    s = _styles()
    parts: list[Flowable] = [
        Paragraph(gettext("Por categoría en el periodo"), s["h2"]),
        _table([gettext("Categoría"), gettext("Calificadas"), gettext("Discriminatorias"), gettext("Tasa"),
                gettext("Días en amarillo"), gettext("Días en rojo")],
               [[x["name"], miles(x["posts"]), miles(x["discriminatory"]), pct(x["rate"]), x["days_yellow"],
                 x["days_red"]] for x in numbers["series"]],
               widths=[WIDTH - 12.6 * cm, 2.4 * cm, 3.2 * cm, 2 * cm, 2.5 * cm, 2.5 * cm], numeric={1, 2, 3, 4, 5}),
    ]
    images: list[Flowable] = [_image(png, width=WIDTH) for _, png in charts.trends]
    heading = Paragraph(gettext("Tendencias diarias con sus umbrales"), s["h2"])
    parts.append(KeepTogether([heading, *images[:1]]))  # never a heading alone at the foot of a page
    parts += images[1:]
    if empty := series_without_posts(numbers):
        parts.append(Paragraph(_esc(gettext("Sin publicaciones calificadas en el periodo: %(names)s.")
                                    % {"names": ", ".join(empty)}), s["note"]))
    return parts


def _states_part(numbers: BulletinNumbers, charts: Charts) -> list[Flowable]:
    s, states = _styles(), numbers["states"]
    half = (len(states) + 1) // 2
    rows = []
    for left, right in zip(states[:half], [*states[half:], None], strict=False):
        row = [left["name"], _level_word(left), pct(left["rate"])]
        row += [right["name"], _level_word(right), pct(right["rate"])] if right else ["", "", ""]
        rows.append(row)
    table = _table([gettext("Estado"), gettext("Nivel"), gettext("Tasa")] * 2, rows,
                   widths=[3.3 * cm, 2.3 * cm, 1.6 * cm] * 2, numeric={2, 5})
    tints = []
    for i, (left, right) in enumerate(zip(states[:half], [*states[half:], None], strict=False)):
        tints.append(("BACKGROUND", (1, i + 1), (1, i + 1), colors.HexColor(LEVEL_FILL[left["level"]])))
        if right:
            tints.append(("BACKGROUND", (4, i + 1), (4, i + 1), colors.HexColor(LEVEL_FILL[right["level"]])))
    table.setStyle(TableStyle(tints))
    return [
        KeepTogether([Paragraph(gettext("Por estado, al cierre del periodo"), s["h2"]),
                      _image(charts.states_map, width=WIDTH * 0.85)]),
        Paragraph(gettext("Cada estado se compara con su propia historia; cada nivel tiene su forma y su palabra."), s["note"]),
        table,
    ]


def _phrases_part(numbers: BulletinNumbers) -> list[Flowable]:
    s = _styles()
    parts: list[Flowable] = [Paragraph(gettext("Lo que más se dijo"), s["h2"])]
    for key, title, prefix, minimum in (
        ("terms", gettext("Términos del diccionario"), "", numbers["term_min_posts"]),
        ("hashtags", gettext("Hashtags"), "#", numbers["hashtag_min_posts"]),
    ):
        found = numbers[key]
        if found:
            parts.append(_table([title, gettext("Publicaciones"), gettext("Tasa")],
                                [[prefix + x["text"], miles(x["posts"]), pct(x["rate"])] for x in found],
                                widths=[WIDTH - 6 * cm, 3 * cm, 3 * cm], numeric={1, 2}))
        else:
            parts.append(Paragraph(_esc(gettext("%(what)s: ninguno llegó a %(n)d publicaciones en el periodo.")
                                        % {"what": title, "n": minimum}), s["body"]))
        parts.append(Spacer(1, 6))
    return parts


def _model_part(numbers: BulletinNumbers) -> list[Flowable]:
    s, model = _styles(), numbers.get("model")
    parts: list[Flowable] = [Paragraph(gettext("El modelo"), s["h2"])]
    if not model:
        return [KeepTogether([*parts, Paragraph(gettext("No había un modelo de discriminación activo."), s["body"])])]
    parts.append(Paragraph(_esc(gettext("%(name)s, versión %(v)s.") % {"name": model["name"], "v": model["version"]}), s["body"]))
    rows = [[r["name"], r["precision"], r["recall"], r["f1"], r["roc_auc"], r["held_out_positives"]]
            for r in _model_rows(numbers)]
    parts.append(_table([gettext("Etiqueta"), gettext("Precisión"), gettext("Exhaustividad"), "F1", "ROC AUC",
                         gettext("Positivos reservados")], rows,
                        widths=[WIDTH - 12 * cm, 2.2 * cm, 2.6 * cm, 1.6 * cm, 2 * cm, 3.6 * cm], numeric={1, 2, 3, 4, 5}))
    return [KeepTogether(parts)]


def _footer(canvas: Any, document: Any, *, title: str) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(colors.HexColor("#5b6475"))
    canvas.drawString(1.8 * cm, 1.1 * cm, f"Discriminamómetro · {title}")
    canvas.drawRightString(A4[0] - 1.8 * cm, 1.1 * cm, gettext("Página %(n)d") % {"n": document.page})
    canvas.restoreState()


def bulletin_pdf_render(numbers: BulletinNumbers, *, charts: Charts) -> bytes:
    """The A4 PDF: title and period, the summary and lights, categories and trends, the map, what was said, the
    model and the methods."""
    s = _styles()
    story: list[Flowable] = [
        Paragraph(_esc(numbers["title"]), s["title"]),
        Paragraph(_esc(period_text(numbers) + " · " + gettext("Hora de la Ciudad de México")), s["note"]),
    ]
    if (numbers.get("model") or {}).get("demo"):
        story.append(Paragraph(gettext("Estas cifras vienen de un modelo de demostración, entrenado con un corpus "
                                       "sintético: sirven para conocer el boletín, no para sacar conclusiones."), s["callout"]))
    story += _summary_part(numbers) + _categories_part(numbers, charts) + _states_part(numbers, charts)
    story += _phrases_part(numbers) + _model_part(numbers)
    story.append(KeepTogether([Paragraph(gettext("Método"), s["h2"]),
                               *(Paragraph(_esc(p), s["body"]) for p in numbers["methods"])]))
    story.append(Paragraph(_esc(gettext("Generado el %(at)s.") % {"at": _moment(numbers["generated_at"])}), s["note"]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=numbers["title"], author="Discriminamómetro", lang="es",
                                 leftMargin=1.8 * cm, rightMargin=1.8 * cm, topMargin=1.6 * cm, bottomMargin=1.8 * cm)
    def footer(canvas: Any, doc: Any) -> None:
        _footer(canvas, doc, title=numbers["title"])

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
