"""French number formats for the diagnostic: percentages and quotients."""

from django import template
from django.utils.formats import number_format

register = template.Library()

DASH = "—"


@register.filter
def percent(value, digits=1):
    """0.1234 -> "12,3 %"; None -> "—"."""
    if value is None or value == "":
        return DASH
    return f"{number_format(100 * float(value), int(digits))}\u202f%"


@register.filter
def decimal(value, digits=2):
    """1.2345 -> "1,23"; None -> "—"."""
    if value is None or value == "":
        return DASH
    return number_format(float(value), int(digits))


@register.filter
def whole(value):
    """Rounded, with French thousands separators; None -> "—"."""
    if value is None or value == "":
        return DASH
    return number_format(round(float(value)), 0, force_grouping=True)
