"""Template helpers of the model pages: a figure as the tables print it, and the note a demo model's scores carry.

`{% load model_figures %}{% demo_model_note version %}` (or `{% demo_model_note task="discrimination" %}` for the
task's active version) prints nothing for a real model and, for one learnt from the demo's synthetic corpus,
a note saying so: any page that shows a model's scores can carry it.
"""
from __future__ import annotations

from typing import Any

from django import template

from classifier.label_sets import MOVIE_GENRES
from classifier.models import ModelVersion
from classifier.selectors.reports import model_version_active_get, model_version_is_demo

register = template.Library()


@register.filter
def figure(value: Any, digits: int = 3) -> str:
    """0.94087 → "0.941", a count as it is (386); a figure that could not be measured (None) → "—"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.{int(digits)}f}"


@register.filter
def is_demo(version: ModelVersion) -> bool:
    return model_version_is_demo(version=version)


@register.inclusion_tag("classifier/_demo_note.html")
def demo_model_note(version: ModelVersion | None = None, task: str = "") -> dict[str, Any]:
    if version is None and task:
        version = model_version_active_get(task=task)
    demo = version is not None and model_version_is_demo(version=version)
    return {"demo": demo, "synopses": demo and version is not None and version.task == MOVIE_GENRES}
