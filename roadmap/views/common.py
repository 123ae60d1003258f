"""What every roadmap view shares: the roadmap (or basin) with the user's
roles on it, refusals, partial templates, the HTMX change event.

A roadmap outside the user's territory is a 404; a role that may see it but
not act gets a 403 with a French message.
"""

from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django_htmx.http import trigger_client_event

from basins.models import Basin
from basins.roles import BasinRoles
from roadmap import exports
from roadmap.models import Roadmap, Stage
from roadmap.services import StageLocked

CHANGED_EVENT = "roadmap-changed"

NOT_COMMITTEE = (
    "Seuls les membres du comité de bassin peuvent modifier cette feuille de route."
)


def roadmap_and_access(request, pk) -> tuple[Roadmap, BasinRoles]:
    """The roadmap and the user's roles on its basin, in one query (plus the
    user's memberships, which the header reads anyway)."""
    roles = request.roles
    roadmap = (
        Roadmap.objects.select_related("basin")
        .annotate(user_reviews=roles.reviews("basin_id"))
        .filter(pk=pk)
        .first()
    )
    access = (
        roles.on(roadmap.basin_id, reviews=roadmap.user_reviews) if roadmap else None
    )
    if access is None or not access.can_see:
        raise Http404("Feuille de route introuvable")
    return roadmap, access


def visible_roadmap(request, pk) -> Roadmap:
    """The roadmap, when the user may see it, in one query: for downloads,
    which show no header (so read no memberships) and need no role."""
    return get_object_or_404(
        Roadmap.objects.visible_to(request.user).select_related("basin"), pk=pk
    )


def basin_and_access(request, code) -> tuple[Basin, BasinRoles]:
    roles = request.roles
    basin = (
        Basin.objects.annotate(user_reviews=roles.reviews()).filter(code=code).first()
    )
    if basin is None:
        raise Http404("Bassin introuvable")
    access = roles.on(basin.pk, reviews=basin.user_reviews)
    if not access.can_see:
        raise Http404("Bassin introuvable")
    return basin, access


def stage_or_404(roadmap, number) -> Stage:
    stage = get_object_or_404(roadmap.stages.all(), number=number)
    stage.roadmap = roadmap
    return stage


def locked_message(stage: Stage) -> str:
    return (
        f"Cette étape est {stage.get_status_display()} : le comité ne peut plus "
        "la modifier, sauf si la préfecture la renvoie."
    )


def write_refusal(access: BasinRoles, stage: Stage | None) -> str | None:
    """Why the user may not change the stage's content, or None."""
    if not access.can_edit:
        return NOT_COMMITTEE
    if stage is not None and not stage.is_editable:
        return locked_message(stage)
    return None


class Refused(Exception):
    """An action the user may not take: a 403 with ``message`` (refusals)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_writable(access: BasinRoles, stage: Stage | None) -> None:
    """Refuse (Refused) a change of the stage's content the user may not make."""
    refusal = write_refusal(access, stage)
    if refusal:
        raise Refused(refusal)


def refusals(view):
    """The 403 page for a Refused action, and for a write that found its stage
    submitted or validated meanwhile (services.StageLocked)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return forbidden(request, refused.message)
        except StageLocked as locked:
            locked.stage.refresh_from_db()
            return forbidden(request, locked_message(locked.stage))

    return wrapper


def forbidden(request, message):
    return render(request, "roadmap/forbidden.html", {"message": message}, status=403)


def wants_part(request) -> bool:
    """An HTMX request for a part of a page (a boosted one wants the page)."""
    return bool(request.htmx) and not request.htmx.boosted


def partial_template(request, template, name):
    """``template#name`` for an HTMX request (not boosted), else the page."""
    return f"{template}#{name}" if wants_part(request) else template


def posted(request):
    """The POST data to bind a form to, even when empty (then it is invalid)."""
    return request.POST if request.method == "POST" else None


def changed(response, **detail):
    """Tell the page (panels listening to CHANGED_EVENT) that data changed."""
    return trigger_client_event(response, CHANGED_EVENT, detail)


def conflict_context(conflict, mine=None):
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


def spreadsheet(tables, *, filename):
    """roadmap.exports tables as an XLSX workbook or a CSV file (with its
    BOM, for Excel), by ``filename``'s extension."""
    if filename.endswith(".csv"):
        content = exports.with_bom(exports.csv_text(tables))
        return attachment(content, content_type=exports.CSV_TYPE, filename=filename)
    content = exports.xlsx_bytes(tables)
    return attachment(content, content_type=exports.XLSX_TYPE, filename=filename)


def attachment(content, *, content_type, filename):
    """A file download, never stored by a shared cache."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
