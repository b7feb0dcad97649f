"""Template filters of the labeling pages."""
from __future__ import annotations

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Guidelines written in Markdown, as HTML with anything but formatting removed (no scripts, no styles)."""
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"])
    return mark_safe(nh3.clean(html))  # noqa: S308 (sanitised by nh3 just above)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key)
