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
    # number_format() cuts digits off; round first.
    digits = int(digits)
    return f"{number_format(round(100 * float(value), digits), digits)}\u202f%"


@register.filter
def decimal(value, digits=2):
    """1.2345 -> "1,23"; None -> "—"."""
    if value is None or value == "":
        return DASH
    digits = int(digits)
    return number_format(round(float(value), digits), digits)


@register.filter
def whole(value):
    """Rounded, with French thousands separators; None -> "—"."""
    if value is None or value == "":
        return DASH
    return number_format(round(float(value)), 0, force_grouping=True)
