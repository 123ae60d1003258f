"""French number formats for the diagnostic, and links to its imports."""

import re

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

DASH = "—"
# How a source sentence names an import (diagnostics.selectors.Source.text).
IMPORT_REFERENCE = re.compile(r"import n° (\d{1,12})")


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


@register.filter(needs_autoescape=True)
def linked_imports(text, autoescape=True):
    """Escape a source sentence and link each "import n° 12" to its page.

    For sources frozen as text (pinned figures): the import's number is all
    they keep, and every signed-in user may read an import's page.
    """
    escape = conditional_escape if autoescape else str
    text = str(text)
    parts, end = [], 0
    for match in IMPORT_REFERENCE.finditer(text):
        url = reverse("diagnostics:import_detail", kwargs={"pk": int(match[1])})
        parts += [
            escape(text[end : match.start()]),
            format_html(
                '<a class="fr-link fr-text--xs" href="{}">{}</a>', url, match[0]
            ),
        ]
        end = match.end()
    parts.append(escape(text[end:]))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - escaped
