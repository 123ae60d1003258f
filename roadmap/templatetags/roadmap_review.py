"""The review panel of a stage page, rendered from the stage page's hook
(templates/roadmap/includes/stage_review.html)."""

from django import template

from roadmap import selectors, workflow
from roadmap.fragments import cached_fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def stage_review_panel(context, stage):
    """Status, coherence gaps and the transition forms the user may use.

    Cached under the roadmap's stamp (a transition records an event) and the
    user's roles, which decide the forms shown.
    """
    request = context["request"]
    # The stage page's Access already holds the roles (one query fewer).
    roles = getattr(context.get("access"), "roles", None)
    if roles is None:
        roles = selectors.review_roles(user=request.user, basin=stage.roadmap.basin)
    stamp = context.get("stamp") or selectors.roadmap_stamp(roadmap=stage.roadmap)
    html, _ = cached_fragment(
        request,
        template="roadmap/includes/review_panel.html",
        parts=[
            stamp,
            "review-panel",
            str(stage.number),
            f"submit={roles['can_submit']}",
            f"review={roles['can_review']}",
        ],
        build=lambda: workflow.review_panel(
            stage=stage, user=request.user, roles=roles
        ),
    )
    return html
