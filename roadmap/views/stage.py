"""The stage page: its summary, comments and history.

The page is roadmap.selectors.stage.StagePage rendered by stage.html, whose
blocks are cached under the roadmap's stamp; HTMX requests get one block.
"""

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
    posted,
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


def _block(request, name):
    """The block an HTMX request (not boosted) asks for, else the page."""
    return name if wants_part(request) else ""


def _written(request, *, roadmap, access, stage, block, kind, message):
    """After a write: the block again for HTMX (and the change event that
    refreshes the history, the progress bar and the review panel), else a
    redirect to the page."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(stage.get_absolute_url())
    response = render_stage(
        request, roadmap=roadmap, access=access, number=stage.number, block=block
    )
    return changed(response, kind=kind, stage=stage.number)


@require_GET
def stage_detail(request, roadmap_pk, number):
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    return render_stage(request, roadmap=roadmap, access=access, number=number)


@require_GET
def stage_block(request, roadmap_pk, number, block):
    """One block of the page refreshed after each write (the history, the
    progress bar: roadmap/urls.py names it), or the page."""
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    return render_stage(
        request,
        roadmap=roadmap,
        access=access,
        number=number,
        block=_block(request, block),
    )


@require_http_methods(["GET", "POST"])
@refusals
def stage_summary(request, roadmap_pk, number):
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    block = _block(request, "summary")
    form = None
    status = 200
    if request.method == "POST":
        stage = stage_or_404(roadmap, number)
        check_writable(access, stage)
        form = StageSummaryForm(request.POST)
        if form.is_valid():
            try:
                stage = services.update_stage_summary(
                    stage=stage,
                    summary=form.cleaned_data["summary"],
                    version=form.cleaned_data["version"],
                    user=request.user,
                )
            except services.EditConflict as conflict:
                return render_stage(
                    request,
                    roadmap=roadmap,
                    access=access,
                    number=number,
                    status=409,
                    block=block,
                    summary_form=StageSummaryForm(instance=conflict.current),
                    summary_conflict=conflict_context(
                        conflict, {"summary": form.cleaned_data["summary"]}
                    ),
                )
            return _written(
                request,
                roadmap=roadmap,
                access=access,
                stage=stage,
                block=block,
                kind="synthese",
                message="La synthèse a été enregistrée.",
            )
        status = 422
    return render_stage(
        request,
        roadmap=roadmap,
        access=access,
        number=number,
        status=status,
        block=block,
        summary_form=form,
    )


@require_http_methods(["GET", "POST"])
@refusals
def stage_comments(request, roadmap_pk, number):
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    block = _block(request, "comments")
    form = None
    status = 200
    if request.method == "POST":
        stage = stage_or_404(roadmap, number)
        if not access.can_comment:
            raise Refused(NOT_COMMENTER)
        form = CommentForm(posted(request))
        if form.is_valid():
            services.add_comment(
                stage=stage,
                user=request.user,
                body=form.cleaned_data["body"],
                author_role=(
                    AuthorRole.COMMITTEE if access.can_edit else AuthorRole.PREFECTURE
                ),
            )
            return _written(
                request,
                roadmap=roadmap,
                access=access,
                stage=stage,
                block=block,
                kind="commentaires",
                message="Votre commentaire a été publié.",
            )
        status = 422
    return render_stage(
        request,
        roadmap=roadmap,
        access=access,
        number=number,
        status=status,
        block=block,
        comment_form=form,
    )
