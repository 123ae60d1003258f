"""The lists of items of a roadmap (skills, axes, projects, risks...): one
set of generic views over the registry (roadmap.models.registry)."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import reswap, retarget

from roadmap import selectors, services
from roadmap.enums import AuditAction
from roadmap.formatting import user_name
from roadmap.forms import BulkStatusForm, item_form_class
from roadmap.models import AuditEvent
from roadmap.models.registry import get_item_type
from roadmap.selectors.stage import Section, history
from roadmap.views.common import (
    changed,
    conflict_context,
    forbidden,
    partial_template,
    posted,
    roadmap_and_access,
    stage_or_404,
    write_refusal,
)

# --- Risk register --------------------------------------------------------


@require_GET
def risks(request, roadmap_pk):
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    section = Section(get_item_type("risques"), roadmap, None, access)
    return render(
        request,
        "roadmap/risks.html",
        {
            "roadmap": roadmap,
            "stages": selectors.stages_with_progress(roadmap=roadmap),
            "section": section,
            "history": history(roadmap=roadmap, page_number=request.GET.get("page")),
        },
    )


# --- Generic item views ---------------------------------------------------


def _item_scope(request, roadmap_pk, kind):
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    item_type = get_item_type(kind)
    stage = None
    if item_type.stage_number is not None:
        stage = stage_or_404(roadmap, item_type.stage_number)
    return roadmap, item_type, stage, access


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
    section = Section(item_type, roadmap, stage, access)
    response = render(
        request,
        "roadmap/item_list.html#section",
        {"roadmap": roadmap, "stage": stage, "section": section},
    )
    response = retarget(response, f"#section-{item_type.slug}")
    response = reswap(response, "outerHTML")
    return changed(response, kind=item_type.slug, stage=stage.number if stage else None)


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
        f"{user_name(deletion.user)} a supprimé « {deletion.object_repr} » "
        "pendant que vous le consultiez : rien n'a été enregistré."
    )
    section = Section(item_type, roadmap, stage, access, alert=alert)
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
    section = Section(
        item_type,
        roadmap,
        stage,
        access,
        page_number=request.GET.get("page"),
    )
    template = partial_template(request, "roadmap/item_list.html", "section")
    return render(
        request, template, {"roadmap": roadmap, "stage": stage, "section": section}
    )


@require_http_methods(["GET", "POST"])
def item_create(request, roadmap_pk, kind):
    roadmap, item_type, stage, access = _item_scope(request, roadmap_pk, kind)
    refusal = write_refusal(access, stage)
    if refusal:
        return forbidden(request, refusal)
    item = item_type.new_item(roadmap=roadmap, stage=stage)
    form = item_form_class(item_type)(posted(request), instance=item, roadmap=roadmap)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.create_item(
                    item=form.instance, user=request.user, m2m=form.m2m_data
                )
            except services.StageLocked:
                stage.refresh_from_db()
                return forbidden(request, write_refusal(access, stage))
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
    template = partial_template(request, "roadmap/item_form.html", "form")
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
    refusal = write_refusal(access, stage)
    if refusal:
        return None, forbidden(request, refusal)
    return item, None


@require_http_methods(["GET", "POST"])
def item_edit(request, roadmap_pk, kind, pk):
    roadmap, item_type, stage, access = _item_scope(request, roadmap_pk, kind)
    item, refused = _writable_item(request, roadmap, item_type, stage, access, pk)
    if refused is not None:
        return refused
    form = item_form_class(item_type)(posted(request), instance=item, roadmap=roadmap)
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
                conflict = conflict_context(error, mine)
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
                return forbidden(request, write_refusal(access, stage))
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
    template = partial_template(request, "roadmap/item_form.html", "form")
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
        conflict = conflict_context(error)
        if request.htmx and not request.htmx.boosted:
            section = Section(
                item_type,
                roadmap,
                stage,
                access,
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
        return forbidden(request, write_refusal(access, stage))
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
    refusal = write_refusal(access, stage)
    if refusal:
        return forbidden(request, refusal)
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
            return forbidden(request, write_refusal(access, stage))
        return _written(
            request,
            roadmap=roadmap,
            item_type=item_type,
            stage=stage,
            access=access,
            message=f"{count} élément{'s' if count > 1 else ''} mis à jour.",
        )
    alert = " ".join(error for errors in form.errors.values() for error in errors)
    section = Section(item_type, roadmap, stage, access, alert=alert)
    context = {"roadmap": roadmap, "stage": stage, "section": section}
    if request.htmx and not request.htmx.boosted:
        response = render(
            request, "roadmap/item_list.html#section", context, status=422
        )
        response = retarget(response, f"#section-{item_type.slug}")
        return reswap(response, "outerHTML")
    return render(request, "roadmap/item_list.html", context, status=422)
