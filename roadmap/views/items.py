"""Roadmap editing: stage pages, generic item views, summary, comments, history.

Every view finds its roadmap through Roadmap.objects.visible_to (404 outside
the user's territory), then checks the user's role on the basin for writes
(403 with a French message when the role may see but not act).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import reswap, retarget, trigger_client_event

from basins.enums import Role
from basins.models import Basin
from basins.selectors import committee_roles_on, is_reviewer, sits_on_a_committee
from roadmap import selectors, services
from roadmap.enums import ActionStatus, AuditAction, AuthorRole
from roadmap.forms import (
    BulkStatusForm,
    CommentForm,
    RoadmapForm,
    StageSummaryForm,
    item_form_class,
)
from roadmap.fragments import cached_fragment
from roadmap.models import AuditEvent, Roadmap
from roadmap.models.registry import PAGE_SIZE, get_item_type, types_of_stage

HISTORY_PAGE_SIZE = 20
COMMENTS_PAGE_SIZE = 10
CHANGED_EVENT = "roadmap-changed"

NOT_COMMITTEE = (
    "Seuls les membres du comité de bassin peuvent modifier cette feuille de route."
)
NOT_COMMENTER = (
    "Seuls le comité de bassin et les référents de la préfecture peuvent "
    "commenter cette étape."
)


@dataclass(frozen=True)
class Access:
    can_edit: bool
    can_review: bool
    # The basin's lead: submits stages (selectors.review_roles' can_submit).
    can_submit: bool = False

    @property
    def can_comment(self):
        return self.can_edit or self.can_review

    @property
    def roles(self):
        """The flags of selectors.review_roles(), without its query."""
        return {"can_submit": self.can_submit, "can_review": self.can_review}


def _access(user, basin):
    """The user's roles on ``basin``.

    The committee roles come from the user's memberships, which the header
    reads anyway (basins.selectors.user_memberships: one query for both);
    only a prefecture reviewer's role needs a query of its own, over the
    basin's departments and regions.
    """
    reviews = (
        _reviews_some_basin(user)
        and Basin.objects.reviewable_by(user).filter(pk=basin.pk).exists()
    )
    return _access_on(user, basin.pk, reviews=reviews)


def _reviews_some_basin(user):
    """Whether the user's review role needs checking on a basin (no query)."""
    return not user.is_superuser and is_reviewer(user=user)


def _access_on(user, basin_id, *, reviews):
    roles = committee_roles_on(user=user, basin_id=basin_id)
    return Access(
        can_edit=bool(roles),
        can_review=user.is_superuser or reviews,
        can_submit=Role.LEAD in roles,
    )


def _roadmap(request, pk):
    return get_object_or_404(
        Roadmap.objects.visible_to(request.user).select_related("basin"), pk=pk
    )


def _stage(roadmap, number):
    stage = get_object_or_404(roadmap.stages.all(), number=number)
    stage.roadmap = roadmap
    return stage


def _write_refusal(access, stage):
    """Why the user may not change the stage's content, or None."""
    if not access.can_edit:
        return NOT_COMMITTEE
    if stage is not None and not stage.is_editable:
        return (
            f"Cette étape est {stage.get_status_display()} : le comité ne peut plus "
            "la modifier, sauf si la préfecture la renvoie."
        )
    return None


def _forbidden(request, message):
    return render(request, "roadmap/forbidden.html", {"message": message}, status=403)


def _partial(request, template, name):
    if request.htmx and not request.htmx.boosted:
        return f"{template}#{name}"
    return template


def _posted(request):
    """The POST data to bind a form to, even when empty (then it is invalid)."""
    return request.POST if request.method == "POST" else None


def _changed(response, **detail):
    return trigger_client_event(response, CHANGED_EVENT, detail)


def _user_name(user):
    if user is None:
        return "Utilisateur supprimé"
    return user.get_full_name() or user.get_username()


# --- Context builders -----------------------------------------------------


def _section(
    *, item_type, roadmap, stage, access, page_number=None, alert=None, conflict=None
):
    page = Paginator(item_type.queryset(roadmap=roadmap), PAGE_SIZE).get_page(
        page_number
    )
    return {
        "item_type": item_type,
        "page": page,
        "rows": [(item, item_type.cells(item)) for item in page],
        "can_write": _write_refusal(access, stage) is None,
        "list_url": item_type.url("item_list", roadmap),
        "create_url": item_type.url("item_create", roadmap),
        "alert": alert,
        "conflict": conflict,
        "bulk": item_type.bulk_editable and _write_refusal(access, stage) is None,
        "bulk_url": (
            item_type.url("item_bulk", roadmap) if item_type.bulk_editable else ""
        ),
        "statuses": ActionStatus.choices,
    }


def _history(*, stage=None, roadmap=None, page_number=None):
    """A page of a stage's events, or of the roadmap's own (risks, creation)."""
    if stage is not None:
        events = stage.events.all()
    else:
        events = roadmap.events.filter(stage__isnull=True)
    events = events.select_related("user").order_by("-created_at", "-pk")
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(page_number)
    for event in page:
        event.author_name = _user_name(event.user)
    return page


def _stage_context(
    request, *, roadmap, stage, access, stamp=None, stages=None, **overrides
):
    """The stage page's context, its sections rendered (and mostly cached).

    ``stamp`` and ``stages`` come from stage_detail, whose stage is one of
    the stages cached under that stamp: then the summary section, built from
    the stage, is cached under it too. The other views read the stage before
    the stamp (a write in between would cache the old stage under the new
    stamp): they render the summary afresh.
    """
    stage_after_stamp = stages is not None
    stamp = stamp or selectors.roadmap_stamp(roadmap=roadmap)
    if stages is None:
        stages = selectors.stages_with_progress(roadmap=roadmap, stamp=stamp)
    can_write = _write_refusal(access, stage) is None
    context = {
        "roadmap": roadmap,
        "stage": stage,
        "stages": stages,
        "stamp": stamp,
        "progress": next(s.progress for s in stages if s.pk == stage.pk),
        "access": access,
        "lists": _stage_lists(
            request, roadmap=roadmap, stage=stage, access=access, stamp=stamp
        ),
        "summary_form": StageSummaryForm(instance=stage),
        "can_write": can_write,
        "summary_conflict": None,
        "comment_form": CommentForm(),
    }
    context.update(overrides)
    context["summary_html"] = _summary_html(
        request, context=context, cacheable=stage_after_stamp
    )
    context["comments_html"] = _comments_html(
        request,
        roadmap=roadmap,
        stage=stage,
        access=access,
        stamp=stamp,
        form=context["comment_form"],
    )
    return context


def _summary_html(request, *, context, cacheable):
    """The stage's summary section, rendered.

    Cached under the stamp and the write capability (form or text) when
    ``cacheable`` and the form is a fresh one: the user's own text, its
    errors and a conflict are never shared.
    """
    names = ("roadmap", "stage", "can_write", "summary_form", "summary_conflict")
    fragment = {name: context[name] for name in names}
    html, _ = cached_fragment(
        request,
        template="roadmap/stage.html#summary",
        share=cacheable
        and not context["summary_form"].is_bound
        and not context["summary_conflict"],
        parts=[
            context["stamp"],
            "summary",
            str(context["stage"].number),
            f"write={context['can_write']}",
        ],
        build=lambda: fragment,
    )
    return html


def _stage_lists(request, *, roadmap, stage, access, stamp):
    """The stage's item lists and history, rendered and cached.

    Their markup depends on the data (the roadmap's stamp, which every write,
    transition, comment and pin changes), on whether the user may write to
    the stage (edit, delete and bulk buttons) and on the history page.
    """
    can_write = _write_refusal(access, stage) is None
    page_number = request.GET.get("page", "")

    def build():
        return {
            "roadmap": roadmap,
            "stage": stage,
            "sections": [
                _section(
                    item_type=item_type, roadmap=roadmap, stage=stage, access=access
                )
                for item_type in types_of_stage(stage.number)
            ],
            "history": _history(stage=stage, page_number=page_number),
        }

    lists, _ = cached_fragment(
        request,
        template="roadmap/stage.html#lists",
        parts=[
            stamp,
            str(stage.number),
            f"write={can_write}",
            f"page={page_number}",
        ],
        build=build,
    )
    return lists


def _comments_html(request, *, roadmap, stage, access, stamp, form):
    """The stage's comments section, rendered; cached unless the form is bound.

    Its markup depends on the comments (adding one records an event, so
    changes the roadmap's stamp), on whether the user may comment (the form)
    and on the comments page.
    """
    page_number = request.GET.get("commentaires", "")

    def build():
        return {
            "roadmap": roadmap,
            "stage": stage,
            "access": access,
            "comments": _comments(stage, page_number),
            "comment_form": form,
        }

    html, _ = cached_fragment(
        request,
        template="roadmap/stage.html#comments",
        # The user's text and its errors: never shared.
        share=not form.is_bound,
        parts=[
            stamp,
            "comments",
            str(stage.number),
            f"comment={access.can_comment}",
            f"page={page_number}",
        ],
        build=build,
    )
    return html


def _comments(stage, page_number=None):
    """A page of the stage's comments, most recent first."""
    comments = stage.comments.select_related("author").order_by("-created_at", "-pk")
    page = Paginator(comments, COMMENTS_PAGE_SIZE).get_page(page_number)
    for comment in page:
        comment.author_name = _user_name(comment.author)
    return page


# --- Basin roadmaps -------------------------------------------------------


@require_GET
def basin_roadmaps(request, code):
    basin = get_object_or_404(Basin.objects.visible_to(request.user), code=code)
    access = _access(request.user, basin)
    roadmaps = basin.roadmaps.order_by("-period_start")
    page = Paginator(roadmaps, PAGE_SIZE).get_page(request.GET.get("page"))
    template = _partial(request, "roadmap/basin_roadmaps.html", "results")
    return render(request, template, {"basin": basin, "page": page, "access": access})


@require_http_methods(["GET", "POST"])
def roadmap_create(request, code):
    basin = get_object_or_404(Basin.objects.visible_to(request.user), code=code)
    access = _access(request.user, basin)
    if not access.can_edit:
        return _forbidden(
            request,
            "Seuls les membres du comité de bassin peuvent créer une feuille de route.",
        )
    form = RoadmapForm(_posted(request), basin=basin)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                roadmap = services.create_roadmap(
                    basin=basin,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    title=form.cleaned_data["title"],
                    user=request.user,
                )
            except IntegrityError:
                form.add_error(
                    None,
                    "Une feuille de route vient d'être créée pour cette période : "
                    "rechargez la liste.",
                )
            else:
                messages.success(request, f"« {roadmap} » a été créée.")
                return redirect(roadmap.get_absolute_url())
        status = 422
    return render(
        request,
        "roadmap/roadmap_create.html",
        {"basin": basin, "form": form},
        status=status,
    )


# --- Stage page -----------------------------------------------------------


def _roadmap_with_access(request, pk):
    """The visible roadmap and the user's roles on its basin, in one query.

    A member of the basin's committee sees it (the first case of
    Basin.objects.visible_to()): the roadmap is read by its key alone, and
    the roles come from the memberships the header reads anyway. Anyone
    else (reviewers, admins, other basins) goes through
    Roadmap.objects.visible_to(), with the reviewer's role annotated.
    """
    user = request.user
    reviewer = _reviews_some_basin(user)
    if not reviewer and sits_on_a_committee(user=user):
        roadmap = Roadmap.objects.select_related("basin").filter(pk=pk).first()
        if roadmap is not None and committee_roles_on(
            user=user, basin_id=roadmap.basin_id
        ):
            return roadmap, _access_on(user, roadmap.basin_id, reviews=False)
    roadmaps = Roadmap.objects.visible_to(user).select_related("basin")
    if reviewer:
        roadmaps = roadmaps.annotate(
            user_reviews=Exists(
                Basin.objects.reviewable_by(user).filter(pk=OuterRef("basin_id"))
            )
        )
    roadmap = get_object_or_404(roadmaps, pk=pk)
    reviews = reviewer and roadmap.user_reviews
    return roadmap, _access_on(user, roadmap.basin_id, reviews=reviews)


@require_GET
def stage_detail(request, roadmap_pk, number):
    roadmap, access = _roadmap_with_access(request, roadmap_pk)
    # The stages come from the cache (under the roadmap's stamp): the page's
    # stage is taken from them rather than read again.
    stamp = selectors.roadmap_stamp(roadmap=roadmap)
    stages = selectors.stages_with_progress(roadmap=roadmap, stamp=stamp)
    stage = next((stage for stage in stages if stage.number == number), None)
    if stage is None:
        raise Http404("Étape introuvable")
    context = _stage_context(
        request, roadmap=roadmap, stage=stage, access=access, stamp=stamp, stages=stages
    )
    return render(request, "roadmap/stage.html", context)


@require_GET
def stage_history(request, roadmap_pk, number):
    roadmap = _roadmap(request, roadmap_pk)
    stage = _stage(roadmap, number)
    if request.htmx and not request.htmx.boosted:
        history = _history(stage=stage, page_number=request.GET.get("page"))
        return render(
            request,
            "roadmap/stage.html#history",
            {"roadmap": roadmap, "stage": stage, "history": history},
        )
    access = _access(request.user, roadmap.basin)
    context = _stage_context(request, roadmap=roadmap, stage=stage, access=access)
    return render(request, "roadmap/stage.html", context)


@require_http_methods(["GET", "POST"])
def stage_summary(request, roadmap_pk, number):
    roadmap = _roadmap(request, roadmap_pk)
    stage = _stage(roadmap, number)
    access = _access(request.user, roadmap.basin)
    context = {
        "roadmap": roadmap,
        "stage": stage,
        "summary_form": StageSummaryForm(instance=stage),
        "can_write": _write_refusal(access, stage) is None,
        "summary_conflict": None,
    }
    status = 200
    if request.method == "POST":
        refusal = _write_refusal(access, stage)
        if refusal:
            return _forbidden(request, refusal)
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
                return _summary_conflict(request, context, conflict, form)
            except services.StageLocked:
                stage.refresh_from_db()
                return _forbidden(request, _write_refusal(access, stage))
            if not request.htmx:
                messages.success(request, "La synthèse a été enregistrée.")
                return redirect(stage.get_absolute_url())
            stage.roadmap = roadmap
            context.update(stage=stage, summary_form=StageSummaryForm(instance=stage))
            response = render(request, "roadmap/stage.html#summary", context)
            return _changed(response, kind="synthese", stage=stage.number)
        context["summary_form"] = form
        status = 422
    if request.htmx and not request.htmx.boosted:
        return render(request, "roadmap/stage.html#summary", context, status=status)
    full = _stage_context(
        request,
        roadmap=roadmap,
        stage=stage,
        access=access,
        summary_form=context["summary_form"],
    )
    return render(request, "roadmap/stage.html", full, status=status)


def _summary_conflict(request, context, conflict, posted_form):
    current = conflict.current
    current.roadmap = context["roadmap"]
    context.update(
        stage=current,
        summary_form=StageSummaryForm(instance=current),
        summary_conflict=_conflict_context(
            conflict, {"summary": posted_form.cleaned_data["summary"]}
        ),
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, "roadmap/stage.html#summary", context, status=409)
    access = _access(request.user, current.roadmap.basin)
    full = _stage_context(
        request,
        roadmap=current.roadmap,
        stage=current,
        access=access,
        summary_form=context["summary_form"],
        summary_conflict=context["summary_conflict"],
    )
    return render(request, "roadmap/stage.html", full, status=409)


def _conflict_context(conflict, mine=None):
    """What a 409 shows: who changed what since the user's version."""
    mine = mine or {}
    return {
        "authors": ", ".join(conflict.authors) or "une autre personne",
        "deleted": conflict.deleted,
        "changes": [
            {**change, "mine": mine.get(change["field"], "")}
            for change in conflict.changes
        ],
        "has_mine": bool(mine),
    }


@require_http_methods(["GET", "POST"])
def stage_comments(request, roadmap_pk, number):
    roadmap = _roadmap(request, roadmap_pk)
    stage = _stage(roadmap, number)
    access = _access(request.user, roadmap.basin)
    form = CommentForm(_posted(request))
    status = 200
    if request.method == "POST":
        if not access.can_comment:
            return _forbidden(request, NOT_COMMENTER)
        if form.is_valid():
            services.add_comment(
                stage=stage,
                user=request.user,
                body=form.cleaned_data["body"],
                author_role=(
                    AuthorRole.COMMITTEE if access.can_edit else AuthorRole.PREFECTURE
                ),
            )
            if not request.htmx:
                messages.success(request, "Votre commentaire a été publié.")
                return redirect(stage.get_absolute_url())
            response = render(
                request,
                "roadmap/stage.html#comments",
                {
                    "roadmap": roadmap,
                    "stage": stage,
                    "access": access,
                    "comments": _comments(stage),
                    "comment_form": CommentForm(),
                },
            )
            return _changed(response, kind="commentaires", stage=stage.number)
        status = 422
    if request.htmx and not request.htmx.boosted:
        context = {
            "roadmap": roadmap,
            "stage": stage,
            "access": access,
            "comments": _comments(stage, request.GET.get("commentaires")),
            "comment_form": form,
        }
        return render(request, "roadmap/stage.html#comments", context, status=status)
    context = _stage_context(
        request, roadmap=roadmap, stage=stage, access=access, comment_form=form
    )
    return render(request, "roadmap/stage.html", context, status=status)


# --- Risk register --------------------------------------------------------


@require_GET
def risks(request, roadmap_pk):
    roadmap = _roadmap(request, roadmap_pk)
    access = _access(request.user, roadmap.basin)
    item_type = get_item_type("risques")
    section = _section(item_type=item_type, roadmap=roadmap, stage=None, access=access)
    return render(
        request,
        "roadmap/risks.html",
        {
            "roadmap": roadmap,
            "stages": selectors.stages_with_progress(roadmap=roadmap),
            "section": section,
            "history": _history(roadmap=roadmap, page_number=request.GET.get("page")),
        },
    )


# --- Generic item views ---------------------------------------------------


def _item_scope(request, roadmap_pk, kind):
    roadmap = _roadmap(request, roadmap_pk)
    item_type = get_item_type(kind)
    stage = None
    if item_type.stage_number is not None:
        stage = _stage(roadmap, item_type.stage_number)
    return roadmap, item_type, stage, _access(request.user, roadmap.basin)


def _item_context(*, roadmap, item_type, stage, form, item=None, conflict=None):
    return {
        "roadmap": roadmap,
        "stage": stage,
        "item_type": item_type,
        "item": item,
        "form": form,
        "conflict": conflict,
        "page_url": item_type.page_url(roadmap),
        "list_url": item_type.url("item_list", roadmap),
        "action_url": (
            item_type.url("item_edit", roadmap, item)
            if item
            else item_type.url("item_create", roadmap)
        ),
    }


def _written(request, *, roadmap, item_type, stage, access, message):
    """After a write: the updated list for HTMX, a redirect otherwise."""
    if not request.htmx:
        messages.success(request, message)
        return HttpResponseRedirect(item_type.page_url(roadmap))
    section = _section(item_type=item_type, roadmap=roadmap, stage=stage, access=access)
    response = render(
        request,
        "roadmap/item_list.html#section",
        {"roadmap": roadmap, "stage": stage, "section": section},
    )
    response = retarget(response, f"#section-{item_type.slug}")
    response = reswap(response, "outerHTML")
    return _changed(
        response, kind=item_type.slug, stage=stage.number if stage else None
    )


def _vanished(request, *, roadmap, item_type, stage, access, pk):
    """409 when the item was deleted meanwhile (and recorded so); else 404."""
    deletion = (
        AuditEvent.objects.filter(
            roadmap=roadmap,
            model_label=item_type.model._meta.label_lower,
            object_id=str(pk),
            action=AuditAction.DELETE,
        )
        .select_related("user")
        .first()
    )
    if deletion is None:
        return None
    alert = (
        f"{_user_name(deletion.user)} a supprimé « {deletion.object_repr} » "
        "pendant que vous le consultiez : rien n'a été enregistré."
    )
    section = _section(
        item_type=item_type, roadmap=roadmap, stage=stage, access=access, alert=alert
    )
    context = {"roadmap": roadmap, "stage": stage, "section": section}
    if request.htmx and not request.htmx.boosted:
        response = render(
            request, "roadmap/item_list.html#section", context, status=409
        )
        response = retarget(response, f"#section-{item_type.slug}")
        return reswap(response, "outerHTML")
    return render(request, "roadmap/item_list.html", context, status=409)


@require_GET
def item_list(request, roadmap_pk, kind):
    roadmap, item_type, stage, access = _item_scope(request, roadmap_pk, kind)
    section = _section(
        item_type=item_type,
        roadmap=roadmap,
        stage=stage,
        access=access,
        page_number=request.GET.get("page"),
    )
    template = _partial(request, "roadmap/item_list.html", "section")
    return render(
        request, template, {"roadmap": roadmap, "stage": stage, "section": section}
    )


@require_http_methods(["GET", "POST"])
def item_create(request, roadmap_pk, kind):
    roadmap, item_type, stage, access = _item_scope(request, roadmap_pk, kind)
    refusal = _write_refusal(access, stage)
    if refusal:
        return _forbidden(request, refusal)
    item = item_type.new_item(roadmap=roadmap, stage=stage)
    form = item_form_class(item_type)(_posted(request), instance=item, roadmap=roadmap)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.create_item(
                    item=form.instance, user=request.user, m2m=form.m2m_data
                )
            except services.StageLocked:
                stage.refresh_from_db()
                return _forbidden(request, _write_refusal(access, stage))
            return _written(
                request,
                roadmap=roadmap,
                item_type=item_type,
                stage=stage,
                access=access,
                message=f"« {form.instance} » a été ajouté.",
            )
        status = 422
    context = _item_context(
        roadmap=roadmap, item_type=item_type, stage=stage, form=form
    )
    template = _partial(request, "roadmap/item_form.html", "form")
    return render(request, template, context, status=status)


def _writable_item(request, roadmap, item_type, stage, access, pk):
    """(item, None), or (None, response) when it vanished or may not be written.

    A POST on an item someone deleted meanwhile gets the 409 of _vanished();
    otherwise a missing item is a 404, and a refused write a 403.
    """
    item = item_type.queryset(roadmap=roadmap).filter(pk=pk).first()
    if item is None:
        if request.method == "POST":
            response = _vanished(
                request,
                roadmap=roadmap,
                item_type=item_type,
                stage=stage,
                access=access,
                pk=pk,
            )
            if response is not None:
                return None, response
        raise Http404("Élément introuvable")
    refusal = _write_refusal(access, stage)
    if refusal:
        return None, _forbidden(request, refusal)
    return item, None


@require_http_methods(["GET", "POST"])
def item_edit(request, roadmap_pk, kind, pk):
    roadmap, item_type, stage, access = _item_scope(request, roadmap_pk, kind)
    item, refused = _writable_item(request, roadmap, item_type, stage, access, pk)
    if refused is not None:
        return refused
    form = item_form_class(item_type)(_posted(request), instance=item, roadmap=roadmap)
    status = 200
    conflict = None
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_item(
                    item=form.instance,
                    version=form.cleaned_data["version"],
                    user=request.user,
                    m2m=form.m2m_data,
                )
            except services.EditConflict as error:
                if error.current is None:
                    response = _vanished(
                        request,
                        roadmap=roadmap,
                        item_type=item_type,
                        stage=stage,
                        access=access,
                        pk=pk,
                    )
                    if response is not None:
                        return response
                    raise
                mine = services.snapshot(form.instance, m2m=form.m2m_data)
                conflict = _conflict_context(error, mine)
                item = error.current
                # Fields the other person changed show their value; the user's
                # other edits stay in the form, to be saved again knowingly.
                theirs = {change["field"] for change in error.changes}
                kept = {
                    name: value
                    for name, value in form.cleaned_data.items()
                    if name not in theirs and name != "version"
                }
                form = item_form_class(item_type)(
                    instance=item, roadmap=roadmap, initial=kept
                )
                status = 409
            except services.StageLocked:
                stage.refresh_from_db()
                return _forbidden(request, _write_refusal(access, stage))
            else:
                return _written(
                    request,
                    roadmap=roadmap,
                    item_type=item_type,
                    stage=stage,
                    access=access,
                    message=f"« {form.instance} » a été enregistré.",
                )
        else:
            status = 422
    context = _item_context(
        roadmap=roadmap,
        item_type=item_type,
        stage=stage,
        form=form,
        item=item,
        conflict=conflict,
    )
    template = _partial(request, "roadmap/item_form.html", "form")
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def item_delete(request, roadmap_pk, kind, pk):
    roadmap, item_type, stage, access = _item_scope(request, roadmap_pk, kind)
    item, refused = _writable_item(request, roadmap, item_type, stage, access, pk)
    if refused is not None:
        return refused
    context = {
        "roadmap": roadmap,
        "stage": stage,
        "item_type": item_type,
        "item": item,
        "page_url": item_type.page_url(roadmap),
        "conflict": None,
        "error": None,
    }
    if request.method == "GET":
        return render(request, "roadmap/item_confirm_delete.html", context)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        context["error"] = "La version de l'élément manque : rechargez la page."
        return render(request, "roadmap/item_confirm_delete.html", context, status=422)
    try:
        services.delete_item(item=item, version=version, user=request.user)
    except services.EditConflict as error:
        if error.current is None:
            response = _vanished(
                request,
                roadmap=roadmap,
                item_type=item_type,
                stage=stage,
                access=access,
                pk=pk,
            )
            if response is not None:
                return response
            raise
        conflict = _conflict_context(error)
        if request.htmx and not request.htmx.boosted:
            section = _section(
                item_type=item_type,
                roadmap=roadmap,
                stage=stage,
                access=access,
                conflict=conflict,
            )
            response = render(
                request,
                "roadmap/item_list.html#section",
                {"roadmap": roadmap, "stage": stage, "section": section},
                status=409,
            )
            response = retarget(response, f"#section-{item_type.slug}")
            return reswap(response, "outerHTML")
        context.update(item=error.current, conflict=conflict)
        return render(request, "roadmap/item_confirm_delete.html", context, status=409)
    except services.StageLocked:
        stage.refresh_from_db()
        return _forbidden(request, _write_refusal(access, stage))
    return _written(
        request,
        roadmap=roadmap,
        item_type=item_type,
        stage=stage,
        access=access,
        message=f"« {item} » a été supprimé.",
    )


@require_POST
def item_bulk(request, roadmap_pk, kind):
    """Set the status (and progress) of the selected action items at once."""
    roadmap, item_type, stage, access = _item_scope(request, roadmap_pk, kind)
    if not item_type.bulk_editable:
        raise Http404("Pas de mise à jour groupée pour ce type d'élément")
    refusal = _write_refusal(access, stage)
    if refusal:
        return _forbidden(request, refusal)
    form = BulkStatusForm(request.POST, queryset=item_type.queryset(roadmap=roadmap))
    if form.is_valid():
        selected = item_type.model.objects.filter(
            pk__in=[item.pk for item in form.cleaned_data["items"]]
        )
        try:
            count = services.bulk_update_items(
                queryset=selected, values=form.values, user=request.user
            )
        except services.StageLocked:
            stage.refresh_from_db()
            return _forbidden(request, _write_refusal(access, stage))
        return _written(
            request,
            roadmap=roadmap,
            item_type=item_type,
            stage=stage,
            access=access,
            message=f"{count} élément{'s' if count > 1 else ''} mis à jour.",
        )
    alert = " ".join(error for errors in form.errors.values() for error in errors)
    section = _section(
        item_type=item_type, roadmap=roadmap, stage=stage, access=access, alert=alert
    )
    context = {"roadmap": roadmap, "stage": stage, "section": section}
    if request.htmx and not request.htmx.boosted:
        response = render(
            request, "roadmap/item_list.html#section", context, status=422
        )
        response = retarget(response, f"#section-{item_type.slug}")
        return reswap(response, "outerHTML")
    return render(request, "roadmap/item_list.html", context, status=422)
