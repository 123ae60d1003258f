"""Review workflow, overview, print view and exports of a roadmap."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from roadmap import exports, selectors, workflow
from roadmap.fragments import cached_fragment
from roadmap.models import Roadmap, Stage

SUCCESS_MESSAGES = {
    "submit": "L'étape a été soumise à la préfecture.",
    "validate": "L'étape a été validée.",
    "return": "L'étape a été renvoyée au comité avec votre commentaire.",
}


def _roadmap(request, pk):
    return get_object_or_404(
        Roadmap.objects.visible_to(request.user).select_related("basin"), pk=pk
    )


def _stage(request, roadmap_pk, number):
    return get_object_or_404(
        Stage.objects.visible_to(request.user).select_related("roadmap__basin"),
        roadmap_id=roadmap_pk,
        number=number,
    )


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _transition(request, roadmap_pk, number, action):
    stage = _stage(request, roadmap_pk, number)
    comment = request.POST.get("comment", "")
    try:
        stage = workflow.transition_stage(
            stage=stage,
            user=request.user,
            action=action,
            version=_version(request),
            comment=comment,
        )
    except workflow.WorkflowError as error:
        stage.refresh_from_db()
        context = {
            **workflow.review_panel(stage=stage, user=request.user),
            "error": error.message,
            "error_action": action,
            "comment": comment,
        }
        template = "roadmap/transition.html"
        if request.htmx and not request.htmx.boosted:
            template = "roadmap/includes/review_panel.html"
        return render(request, template, context, status=error.status_code)
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
    stage = _stage(request, roadmap_pk, number)
    template = "roadmap/transition.html"
    if request.htmx and not request.htmx.boosted:
        template = "roadmap/includes/review_panel.html"
    return render(
        request, template, workflow.review_panel(stage=stage, user=request.user)
    )


@require_GET
def overview(request, pk):
    """The overview's body is the same for every reader of the roadmap: it is
    cached under the roadmap's stamp and the day (the charts show today)."""
    roadmap = _roadmap(request, pk)
    today = timezone.localdate()
    stamp = selectors.roadmap_stamp(roadmap=roadmap)
    body, context = cached_fragment(
        request,
        template="roadmap/overview.html#body",
        parts=[stamp, today.isoformat()],
        build=lambda: {
            "overview": selectors.roadmap_overview(
                roadmap=roadmap, today=today, stamp=stamp
            )
        },
    )
    return render(
        request,
        "roadmap/overview.html",
        {**(context or {}), "roadmap": roadmap, "body": body},
    )


@require_GET
def roadmap_print(request, pk):
    roadmap = _roadmap(request, pk)
    data = selectors.roadmap_print(roadmap=roadmap, today=timezone.localdate())
    return render(request, "roadmap/print.html", {"document": data})


def _attachment(content, *, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def export_xlsx(request, pk):
    roadmap = _roadmap(request, pk)
    return _attachment(
        exports.roadmap_xlsx(roadmap=roadmap),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        filename=exports.export_filename(roadmap=roadmap, extension="xlsx"),
    )


@require_GET
def export_csv(request, pk):
    roadmap = _roadmap(request, pk)
    # A BOM, so that spreadsheets open the UTF-8 file with its accents.
    return _attachment(
        "\ufeff" + exports.roadmap_csv(roadmap=roadmap),
        content_type="text/csv; charset=utf-8",
        filename=exports.export_filename(roadmap=roadmap, extension="csv"),
    )
