"""Number formatting for Spanish pages: thousands separated by commas, as in Mexico."""
from django import template

register = template.Library()


@register.filter
def miles(value: int | None) -> str:
    return f"{int(value or 0):,}"
