"""Number formatting for Spanish pages: thousands separated by commas, as in Mexico."""
from django import template

register = template.Library()


@register.filter
def miles(value: int | None) -> str:
    return f"{int(value or 0):,}"


@register.filter
def pct(rate: float | None) -> str:
    """A share as a percentage with one decimal and a point, as written in Mexico: 0.031 → "3.1 %"."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


@register.filter
def veces(change: float | None) -> str:
    """The window's rate over the usual one: 2.71 → "×2.7"."""
    return "—" if change is None else f"×{change:.1f}"
