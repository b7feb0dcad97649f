"""Number and time formatting for Spanish pages: thousands separated by commas, as in Mexico; short ages."""
from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


@register.filter
def hace(age: timedelta | None) -> str:
    """How long ago, in the largest whole unit that fits a table cell: "hace 3 min", "hace 5 h", "hace 2 días".

    A moment slightly ahead of the server's clock (a platform's own clock) reads as just now.
    """
    if age is None:
        return "—"
    seconds = max(int(age.total_seconds()), 0)
    if seconds < 60:
        return _("hace menos de 1 min")
    if seconds < 3600:
        return _("hace %(n)d min") % {"n": seconds // 60}
    if seconds < 48 * 3600:
        return _("hace %(n)d h") % {"n": seconds // 3600}
    days = seconds // 86400
    return ngettext("hace %(n)d día", "hace %(n)d días", days) % {"n": days}
