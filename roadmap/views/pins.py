"""Stage 1: pin figures of the automatic diagnostic to the shared diagnostic.

The panel sits on the stage 1 page (roadmap.selectors.stage.StagePage.pins).
Writes are for the basin committee on an editable stage; HTMX requests get
the panel back, others a redirect (or the full stage page with the error).
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from basins.roles import BasinRoles
from roadmap.enums import StageKind
from roadmap.models import PinnedFigure, Roadmap, Stage
from roadmap.selectors import pins as selectors_pins
from roadmap.services import pins as services_pins
from roadmap.views.common import (
    changed,
    check_writable,
    refusals,
    roadmap_and_access,
    stage_or_404,
    wants_part,
    write_refusal,
)
from roadmap.views.stage import render_stage

PANEL_TEMPLATE = "roadmap/includes/pins_panel.html"
ANCHOR = "#stage-pins"


class PinForm(forms.Form):
    key = forms.CharField(max_length=60)
    note = forms.CharField(
        max_length=services_pins.NOTE_MAX_LENGTH, required=False, strip=True
    )

    error_messages = {
        "key": "Choisissez un chiffre du diagnostic automatique à épingler.",
        "note": (
            f"Le commentaire dépasse {services_pins.NOTE_MAX_LENGTH} caractères : "
            "raccourcissez-le."
        ),
    }

    def message(self):
        return " ".join(
            self.error_messages.get(name, "Saisie invalide.") for name in self.errors
        )


@dataclass
class Panel:
    """The pins panel of one roadmap's stage 1, for one request."""

    request: HttpRequest
    roadmap: Roadmap
    stage: Stage
    access: BasinRoles

    def render(self, *, alert="", status=200):
        """The panel alone for HTMX, the whole stage page otherwise."""
        if wants_part(self.request):
            panel = selectors_pins.diagnostic_panel(
                stage=self.stage,
                can_pin=write_refusal(self.access, self.stage) is None,
                alert=alert,
            )
            return render(self.request, PANEL_TEMPLATE, {"panel": panel}, status=status)
        return render_stage(
            self.request,
            roadmap=self.roadmap,
            access=self.access,
            number=self.stage.number,
            status=status,
            pin_alert=alert,
        )

    def refused(self, error):
        return self.render(alert=error.message, status=error.status_code)

    def done(self, message):
        if not self.request.htmx:
            messages.success(self.request, message)
            return redirect(self.stage.get_absolute_url() + ANCHOR)
        return changed(self.render(), kind="chiffres-epingles", stage=self.stage.number)


def _panel(request, roadmap_pk) -> Panel:
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    return Panel(request, roadmap, stage_or_404(roadmap, StageKind.DIAGNOSTIC), access)


@require_GET
def pins_panel(request, roadmap_pk):
    return _panel(request, roadmap_pk).render()


@require_POST
@refusals
def pin_create(request, roadmap_pk):
    panel = _panel(request, roadmap_pk)
    check_writable(panel.access, panel.stage)
    form = PinForm(request.POST)
    if not form.is_valid():
        return panel.render(alert=form.message(), status=422)
    try:
        pinned = services_pins.pin_figure(
            stage=panel.stage,
            key=form.cleaned_data["key"],
            user=request.user,
            note=form.cleaned_data["note"],
        )
    except services_pins.PinError as error:
        return panel.refused(error)
    return panel.done(f"« {pinned.label} » a été épinglé au diagnostic partagé.")


@require_POST
@refusals
def pin_delete(request, roadmap_pk, pk):
    panel = _panel(request, roadmap_pk)
    pinned = PinnedFigure.objects.filter(stage=panel.stage, pk=pk).first()
    if pinned is None:
        conflict = services_pins.removed_conflict(stage=panel.stage, pk=pk)
        if conflict is None:
            raise Http404("Chiffre épinglé introuvable")
    check_writable(panel.access, panel.stage)
    if pinned is None:
        return panel.refused(conflict)
    pinned.stage = panel.stage
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return panel.render(
            alert="La version du chiffre épinglé manque : rechargez la page.",
            status=422,
        )
    try:
        services_pins.unpin_figure(pinned=pinned, user=request.user, version=version)
    except services_pins.PinError as error:
        return panel.refused(error)
    return panel.done(f"« {pinned.label} » a été retiré du diagnostic partagé.")
