"""The semáforo's levels for templates: each level's value, word and shape, for legends drawn like the badges."""
from __future__ import annotations

from django import template

from dashboard.levels import LEVEL_ICONS, Level

register = template.Library()


@register.simple_tag
def levels_legend() -> list[dict[str, str]]:
    """Red, yellow, green and grey, each with its word and the shape `_icon.html` draws for it."""
    return [{"level": level.value, "label": str(level.label), "icon": LEVEL_ICONS[level]} for level in Level]
