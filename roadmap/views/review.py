"""The review workflow of a stage: the lead submits, the prefecture validates
or returns it (roadmap.services.workflow)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from roadmap.services import workflow
from roadmap.views.common import roadmap_and_access, stage_or_404, wants_part

SUCCESS_MESSAGES = {
    "submit": "L'étape a été soumise à la préfecture.",
    "validate": "L'étape a été validée.",
    "return": "L'étape a été renvoyée au comité avec votre commentaire.",
}
PANEL = "roadmap/includes/review_panel.html"


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _panel_template(request):
    """The panel alone for HTMX, else the status page around it."""
    if wants_part(request):
        return PANEL
    return "roadmap/transition.html"


def _transition(request, roadmap_pk, number, action):
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    stage = stage_or_404(roadmap, number)
    comment = request.POST.get("comment", "")
    try:
        stage = workflow.transition_stage(
            stage=stage,
            user=request.user,
            action=action,
            version=_version(request),
            comment=comment,
            access=access,
        )
    except workflow.WorkflowError as error:
        stage.refresh_from_db()
        context = {
            **workflow.review_panel(stage=stage, access=access),
            "error": error.message,
            "error_action": action,
            "comment": comment,
        }
        return render(
            request, _panel_template(request), context, status=error.status_code
        )
    messages.success(request, SUCCESS_MESSAGES[action])
    # The whole stage page changes (editable or not): reload it.
    if request.htmx:
        return HttpResponseClientRedirect(stage.get_absolute_url())
    return redirect(stage.get_absolute_url())


@require_POST
def stage_submit(request, roadmap_pk, number):
    return _transition(request, roadmap_pk, number, "submit")


@require_POST
def stage_validate(request, roadmap_pk, number):
    return _transition(request, roadmap_pk, number, "validate")


@require_POST
def stage_return(request, roadmap_pk, number):
    return _transition(request, roadmap_pk, number, "return")


@require_GET
def stage_review(request, roadmap_pk, number):
    """The review panel alone (HTMX refresh after an edit), or as a page."""
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    stage = stage_or_404(roadmap, number)
    return render(
        request,
        _panel_template(request),
        workflow.review_panel(stage=stage, access=access),
    )
