"""The stage page: its summary, comments and history.

The page is roadmap.selectors.stage.StagePage rendered by stage.html, whose
blocks are cached under the roadmap's stamp; HTMX requests get one block.
"""

from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from roadmap import services
from roadmap.enums import AuthorRole
from roadmap.forms import CommentForm, StageSummaryForm
from roadmap.selectors.stage import StagePage
from roadmap.views.common import (
    Refused,
    changed,
    check_writable,
    conflict_context,
    refusals,
    roadmap_and_access,
    stage_or_404,
    wants_part,
)

NOT_COMMENTER = (
    "Seuls le comité de bassin et les référents de la préfecture peuvent "
    "commenter cette étape."
)


def stage_context(
    request, *, roadmap, access, number, summary_form=None, comment_form=None, **state
):
    """The stage page's context; ``summary_form`` and ``comment_form`` are the
    user's own (bound, or after a conflict): their blocks are not shared."""
    page = StagePage(
        roadmap=roadmap,
        number=number,
        access=access,
        history_page=request.GET.get("page", ""),
        comments_page=request.GET.get("commentaires", ""),
        pin_alert=state.pop("pin_alert", ""),
    )
    if page.stage is None:
        raise Http404("Étape introuvable")
    summary_conflict = state.pop("summary_conflict", None)
    return {
        "page": page,
        "roadmap": roadmap,
        "stage": page.stage,
        "stages": page.stages,
        "progress": page.progress,
        "access": access,
        "summary_form": summary_form or StageSummaryForm(instance=page.stage),
        "summary_conflict": summary_conflict,
        "summary_shared": summary_form is None and summary_conflict is None,
        "comment_form": comment_form or CommentForm(),
        "comments_shared": comment_form is None,
        **state,
    }


def render_stage(request, *, roadmap, access, number, status=200, block="", **state):
    """The stage page, or one of its blocks (``stage.html#block``)."""
    context = stage_context(
        request, roadmap=roadmap, access=access, number=number, **state
    )
    template = f"roadmap/stage.html#{block}" if block else "roadmap/stage.html"
    return render(request, template, context, status=status)


def _page(request, roadmap_pk, number, block=""):
    """(roadmap, access, render): ``render(**state)`` answers with the stage
    page, or with ``block`` for an HTMX request that is not boosted."""
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    page = partial(
        render_stage,
        request,
        roadmap=roadmap,
        access=access,
        number=number,
        block=block if wants_part(request) else "",
    )
    return roadmap, access, page


def _written(request, page, *, stage, kind, message):
    """After a write: the block again for HTMX (and the change event that
    refreshes the history, the progress bar and the review panel), else a
    redirect to the page."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(stage.get_absolute_url())
    return changed(page(), kind=kind, stage=stage.number)


@require_GET
def stage_detail(request, roadmap_pk, number):
    _, _, page = _page(request, roadmap_pk, number)
    return page()


@require_GET
def stage_block(request, roadmap_pk, number, block):
    """One block of the page refreshed after each write (the history, the
    progress bar: roadmap/urls.py names it), or the page."""
    _, _, page = _page(request, roadmap_pk, number, block)
    return page()


@require_http_methods(["GET", "POST"])
@refusals
def stage_summary(request, roadmap_pk, number):
    roadmap, access, page = _page(request, roadmap_pk, number, "summary")
    if request.method == "GET":
        return page()
    stage = stage_or_404(roadmap, number)
    check_writable(access, stage)
    form = StageSummaryForm(request.POST)
    if not form.is_valid():
        return page(status=422, summary_form=form)
    try:
        stage = services.update_stage_summary(
            stage=stage,
            summary=form.cleaned_data["summary"],
            version=form.cleaned_data["version"],
            user=request.user,
        )
    except services.EditConflict as conflict:
        mine = {"summary": form.cleaned_data["summary"]}
        return page(
            status=409,
            summary_form=StageSummaryForm(instance=conflict.current),
            summary_conflict=conflict_context(conflict, mine),
        )
    return _written(
        request,
        page,
        stage=stage,
        kind="synthese",
        message="La synthèse a été enregistrée.",
    )


@require_http_methods(["GET", "POST"])
@refusals
def stage_comments(request, roadmap_pk, number):
    roadmap, access, page = _page(request, roadmap_pk, number, "comments")
    if request.method == "GET":
        return page()
    stage = stage_or_404(roadmap, number)
    if not access.can_comment:
        raise Refused(NOT_COMMENTER)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return page(status=422, comment_form=form)
    services.add_comment(
        stage=stage,
        user=request.user,
        body=form.cleaned_data["body"],
        author_role=AuthorRole.COMMITTEE if access.can_edit else AuthorRole.PREFECTURE,
    )
    return _written(
        request,
        page,
        stage=stage,
        kind="commentaires",
        message="Votre commentaire a été publié.",
    )
