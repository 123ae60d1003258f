"""The lists of items of a roadmap (skills, axes, projects, risks...): one
set of generic views over the registry (roadmap.models.registry)."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import reswap, retarget

from basins.roles import BasinRoles
from roadmap import selectors, services
from roadmap.enums import AuditAction
from roadmap.formatting import user_name
from roadmap.forms import BulkStatusForm, item_form_class
from roadmap.models import AuditEvent, Roadmap, Stage
from roadmap.models.registry import ItemType, get_item_type
from roadmap.selectors.stage import Section, history
from roadmap.views.common import (
    changed,
    check_writable,
    conflict_context,
    partial_template,
    posted,
    refusals,
    roadmap_and_access,
    stage_or_404,
    wants_part,
)

ITEM_MISSING = "Élément introuvable"

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


@dataclass
class Scope:
    """The items of one type in one roadmap, and the user's roles on it."""

    roadmap: Roadmap
    item_type: ItemType
    stage: Stage | None
    access: BasinRoles

    def section(self, **state) -> Section:
        return Section(self.item_type, self.roadmap, self.stage, self.access, **state)

    def item(self, pk):
        return self.item_type.queryset(roadmap=self.roadmap).filter(pk=pk).first()

    def form(self, *args, **kwargs):
        return item_form_class(self.item_type)(*args, roadmap=self.roadmap, **kwargs)


def _scope(request, roadmap_pk, kind) -> Scope:
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    item_type = get_item_type(kind)
    stage = None
    if item_type.stage_number is not None:
        stage = stage_or_404(roadmap, item_type.stage_number)
    return Scope(roadmap, item_type, stage, access)


def _form_page(request, scope, *, form, item=None, conflict=None, status=200):
    """The item's form: alone for HTMX, else in its page."""
    item_type, roadmap = scope.item_type, scope.roadmap
    context = {
        "roadmap": roadmap,
        "stage": scope.stage,
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
    template = partial_template(request, "roadmap/item_form.html", "form")
    return render(request, template, context, status=status)


def _list(request, scope, *, status=200, partial=None, **state):
    """The item list: for HTMX its section alone, put in place of the one on
    the page (whatever the request targeted); else the list's page."""
    if partial is None:
        partial = wants_part(request)
    context = {"roadmap": scope.roadmap, "stage": scope.stage}
    context["section"] = scope.section(**state)
    if not partial:
        return render(request, "roadmap/item_list.html", context, status=status)
    response = render(request, "roadmap/item_list.html#section", context, status=status)
    return reswap(retarget(response, f"#section-{scope.item_type.slug}"), "outerHTML")


def _written(request, scope, message):
    """After a write: the updated list for HTMX, a redirect otherwise."""
    if not request.htmx:
        messages.success(request, message)
        return HttpResponseRedirect(scope.item_type.page_url(scope.roadmap))
    response = _list(request, scope, partial=True)
    stage = scope.stage.number if scope.stage else None
    return changed(response, kind=scope.item_type.slug, stage=stage)


def _vanished(request, scope, pk, *, otherwise: Exception):
    """409 when the item was deleted meanwhile (and recorded so); else
    ``otherwise`` is raised."""
    deletion = (
        AuditEvent.objects.filter(
            roadmap=scope.roadmap,
            model_label=scope.item_type.model._meta.label_lower,
            object_id=str(pk),
            action=AuditAction.DELETE,
        )
        .select_related("user")
        .first()
    )
    if deletion is None:
        raise otherwise
    alert = (
        f"{user_name(deletion.user)} a supprimé « {deletion.object_repr} » "
        "pendant que vous le consultiez : rien n'a été enregistré."
    )
    return _list(request, scope, status=409, alert=alert)


@require_GET
def item_list(request, roadmap_pk, kind):
    scope = _scope(request, roadmap_pk, kind)
    section = scope.section(page_number=request.GET.get("page"))
    template = partial_template(request, "roadmap/item_list.html", "section")
    context = {"roadmap": scope.roadmap, "stage": scope.stage, "section": section}
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@refusals
def item_create(request, roadmap_pk, kind):
    scope = _scope(request, roadmap_pk, kind)
    check_writable(scope.access, scope.stage)
    item = scope.item_type.new_item(roadmap=scope.roadmap, stage=scope.stage)
    form = scope.form(posted(request), instance=item)
    if request.method == "GET":
        return _form_page(request, scope, form=form)
    if not form.is_valid():
        return _form_page(request, scope, form=form, status=422)
    services.create_item(item=form.instance, user=request.user, m2m=form.m2m_data)
    return _written(request, scope, f"« {form.instance} » a été ajouté.")


def _writable_item(request, scope, pk):
    """The item the user may change. A POST on an item someone deleted
    meanwhile gets the 409 of _vanished() (as ``(None, response)``); else a
    missing item is a 404 and a refused write a 403 (Refused)."""
    item = scope.item(pk)
    if item is None:
        if request.method != "POST":
            raise Http404(ITEM_MISSING)
        return None, _vanished(request, scope, pk, otherwise=Http404(ITEM_MISSING))
    check_writable(scope.access, scope.stage)
    return item, None


@require_http_methods(["GET", "POST"])
@refusals
def item_edit(request, roadmap_pk, kind, pk):
    scope = _scope(request, roadmap_pk, kind)
    item, vanished = _writable_item(request, scope, pk)
    if vanished:
        return vanished
    form = scope.form(posted(request), instance=item)
    if request.method == "GET":
        return _form_page(request, scope, form=form, item=item)
    if not form.is_valid():
        return _form_page(request, scope, form=form, item=item, status=422)
    try:
        services.update_item(
            item=form.instance,
            version=form.cleaned_data["version"],
            user=request.user,
            m2m=form.m2m_data,
        )
    except services.EditConflict as error:
        if error.current is None:
            return _vanished(request, scope, pk, otherwise=error)
        mine = services.snapshot(form.instance, m2m=form.m2m_data)
        # Fields the other person changed show their value; the user's other
        # edits stay in the form, to be saved again knowingly.
        theirs = {change["field"] for change in error.changes}
        kept = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in theirs and name != "version"
        }
        return _form_page(
            request,
            scope,
            form=scope.form(instance=error.current, initial=kept),
            item=error.current,
            conflict=conflict_context(error, mine),
            status=409,
        )
    return _written(request, scope, f"« {form.instance} » a été enregistré.")


@require_http_methods(["GET", "POST"])
@refusals
def item_delete(request, roadmap_pk, kind, pk):
    scope = _scope(request, roadmap_pk, kind)
    item, vanished = _writable_item(request, scope, pk)
    if vanished:
        return vanished
    context = {
        "roadmap": scope.roadmap,
        "stage": scope.stage,
        "item_type": scope.item_type,
        "item": item,
        "page_url": scope.item_type.page_url(scope.roadmap),
        "conflict": None,
        "error": None,
    }
    template = "roadmap/item_confirm_delete.html"
    if request.method == "GET":
        return render(request, template, context)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        context["error"] = "La version de l'élément manque : rechargez la page."
        return render(request, template, context, status=422)
    try:
        services.delete_item(item=item, version=version, user=request.user)
    except services.EditConflict as error:
        if error.current is None:
            return _vanished(request, scope, pk, otherwise=error)
        conflict = conflict_context(error)
        if wants_part(request):
            return _list(request, scope, status=409, conflict=conflict)
        context.update(item=error.current, conflict=conflict)
        return render(request, template, context, status=409)
    return _written(request, scope, f"« {item} » a été supprimé.")


@require_POST
@refusals
def item_bulk(request, roadmap_pk, kind):
    """Set the status (and progress) of the selected action items at once."""
    scope = _scope(request, roadmap_pk, kind)
    if not scope.item_type.bulk_editable:
        raise Http404("Pas de mise à jour groupée pour ce type d'élément")
    check_writable(scope.access, scope.stage)
    items = scope.item_type.queryset(roadmap=scope.roadmap)
    form = BulkStatusForm(request.POST, queryset=items)
    if not form.is_valid():
        alert = " ".join(error for errors in form.errors.values() for error in errors)
        return _list(request, scope, status=422, alert=alert)
    selected = scope.item_type.model.objects.filter(
        pk__in=[item.pk for item in form.cleaned_data["items"]]
    )
    count = services.bulk_update_items(
        queryset=selected, values=form.values, user=request.user
    )
    return _written(
        request, scope, f"{count} élément{'s' if count > 1 else ''} mis à jour."
    )
