"""The review panel of a stage page, rendered from the stage page's hook
(templates/roadmap/includes/stage_review.html)."""

from django import template

from roadmap import workflow

register = template.Library()


@register.inclusion_tag("roadmap/includes/review_panel.html", takes_context=True)
def stage_review_panel(context, stage):
    """Status, coherence gaps and the transition forms the user may use."""
    request = context["request"]
    # The stage page's Access already holds the roles (one query fewer).
    access = context.get("access")
    roles = getattr(access, "roles", None)
    return {
        **workflow.review_panel(stage=stage, user=request.user, roles=roles),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "csp_nonce": context.get("csp_nonce"),
    }
