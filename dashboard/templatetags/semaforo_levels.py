"""The semáforo's levels for templates: each level's value, word and shape, for legends drawn like the badges.

`{% level_icon icon size x y %}` draws the same SVG as `dashboard/_icon.html` (which other apps include) from a
string made once per shape and size: a page draws some eighty of them, and an include each cost more than the
rest of the row.
"""
from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from dashboard.levels import LEVEL_ICONS, Level, level_word

register = template.Library()

_SHAPES = {
    "octagon": '<polygon points="6,1 14,1 19,6 19,14 14,19 6,19 1,14 1,6"/>',
    "triangle": '<polygon points="10,1 19,18 1,18"/>',
    "circle": '<circle cx="10" cy="10" r="9"/>',
}
_DASH = '<rect x="2" y="8" width="16" height="4" rx="2"/>'


@register.simple_tag
def levels_legend() -> list[dict[str, str]]:
    """Red, yellow, green and grey, each with its word and the shape `_icon.html` draws for it."""
    return [{"level": level.value, "label": level_word(level), "icon": LEVEL_ICONS[level]} for level in Level]


@register.simple_tag
def light_words() -> dict[str, str]:
    """The words of a light's card (`_light.html`), translated once per language rather than once per card."""
    return _light_words(get_language())


@lru_cache(maxsize=16)
def _light_words(language: str | None) -> dict[str, str]:
    return {"rate": gettext("Tasa"), "posts": gettext("Publicaciones"), "discriminatory": gettext("Discriminatorias"),
            "usual": gettext("Frente a lo habitual")}


@register.simple_tag
def level_icon(icon: str, size: object = 20, x: object = "", y: object = "") -> SafeString:
    """A level's shape as `_icon.html` draws it (`size` in pixels, 20 by default; `x` and `y` inside an SVG)."""
    return _icon_markup(str(icon), str(size or 20), str(x or ""), str(y or ""))


@lru_cache(maxsize=64)
def _icon_markup(icon: str, size: str, x: str, y: str) -> SafeString:
    size, x, y = escape(size), escape(x), escape(y)
    place = f' x="{x}" y="{y}"' if x else ""
    return mark_safe(  # noqa: S308 (fixed shapes; the three values are escaped above)
        f'<svg class="level-icon" viewBox="0 0 20 20" width="{size}" height="{size}"{place} aria-hidden="true" '
        f'focusable="false">{_SHAPES.get(icon, _DASH)}</svg>\n')
