"""The diagnostic panel of stage 1 and the pins of the printable roadmap,
rendered from hooks in templates owned by other parts of the app
(templates/roadmap/includes/stage_diagnostic.html, print_pins.html)."""

from django import template

from roadmap import selectors_pins
from roadmap.models import PinnedFigure

register = template.Library()


@register.inclusion_tag("roadmap/includes/pins_panel.html", takes_context=True)
def diagnostic_pins_panel(context, stage):
    """Figures of the automatic diagnostic and the pinned ones (stage 1)."""
    access = context["access"]
    return {
        **selectors_pins.diagnostic_panel(
            stage=stage,
            can_pin=bool(context.get("can_write")) and access.can_edit,
            alert=context.get("pin_alert", ""),
        ),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def pinned_figures_of(stage):
    """The pins of a stage with their authors, oldest first (one query)."""
    return list(
        PinnedFigure.objects.filter(stage=stage)
        .select_related("pinned_by")
        .order_by("created_at", "pk")
    )
