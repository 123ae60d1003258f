"""Stage 1: pin figures of the automatic diagnostic to the shared diagnostic.

The panel sits on the stage 1 page (roadmap.selectors.stage.StagePage.pins).
Writes are for the basin committee on an editable stage; HTMX requests get
the panel back, others a redirect (or the full stage page with the error).
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from roadmap import services
from roadmap.enums import StageKind
from roadmap.models import PinnedFigure
from roadmap.selectors import pins as selectors_pins
from roadmap.services import pins as services_pins
from roadmap.views.common import (
    changed,
    forbidden,
    roadmap_and_access,
    stage_or_404,
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


def _scope(request, roadmap_pk):
    roadmap, access = roadmap_and_access(request, roadmap_pk)
    return roadmap, stage_or_404(roadmap, StageKind.DIAGNOSTIC), access


def _panel(request, *, roadmap, stage, access, alert="", status=200):
    """The panel alone for HTMX, the whole stage page otherwise."""
    if request.htmx and not request.htmx.boosted:
        panel = selectors_pins.diagnostic_panel(
            stage=stage,
            can_pin=write_refusal(access, stage) is None,
            alert=alert,
        )
        return render(request, PANEL_TEMPLATE, {"panel": panel}, status=status)
    return render_stage(
        request,
        roadmap=roadmap,
        access=access,
        number=stage.number,
        status=status,
        pin_alert=alert,
    )


def _done(request, *, roadmap, stage, access, message):
    if not request.htmx:
        messages.success(request, message)
        return redirect(stage.get_absolute_url() + ANCHOR)
    response = _panel(request, roadmap=roadmap, stage=stage, access=access)
    return changed(response, kind="chiffres-epingles", stage=stage.number)


def _write(request, *, roadmap, stage, access, change, message):
    """Run ``change()`` (a pin service call, returning the figure) and
    answer: ``message`` with the figure's label, or the refusal."""
    try:
        pinned = change()
    except services.StageLocked:
        stage.refresh_from_db()
        return forbidden(request, write_refusal(access, stage))
    except services_pins.PinError as error:
        return _panel(
            request,
            roadmap=roadmap,
            stage=stage,
            access=access,
            alert=error.message,
            status=error.status_code,
        )
    return _done(
        request,
        roadmap=roadmap,
        stage=stage,
        access=access,
        message=message.format(label=pinned.label),
    )


@require_GET
def pins_panel(request, roadmap_pk):
    roadmap, stage, access = _scope(request, roadmap_pk)
    return _panel(request, roadmap=roadmap, stage=stage, access=access)


@require_POST
def pin_create(request, roadmap_pk):
    roadmap, stage, access = _scope(request, roadmap_pk)
    refusal = write_refusal(access, stage)
    if refusal:
        return forbidden(request, refusal)
    form = PinForm(request.POST)
    if not form.is_valid():
        return _panel(
            request,
            roadmap=roadmap,
            stage=stage,
            access=access,
            alert=form.message(),
            status=422,
        )
    return _write(
        request,
        roadmap=roadmap,
        stage=stage,
        access=access,
        change=lambda: services_pins.pin_figure(
            stage=stage,
            key=form.cleaned_data["key"],
            user=request.user,
            note=form.cleaned_data["note"],
        ),
        message="« {label} » a été épinglé au diagnostic partagé.",
    )


@require_POST
def pin_delete(request, roadmap_pk, pk):
    roadmap, stage, access = _scope(request, roadmap_pk)
    pinned = PinnedFigure.objects.filter(stage=stage, pk=pk).first()
    if pinned is None:
        conflict = services_pins.removed_conflict(stage=stage, pk=pk)
        if conflict is None:
            raise Http404("Chiffre épinglé introuvable")
    refusal = write_refusal(access, stage)
    if refusal:
        return forbidden(request, refusal)
    if pinned is None:
        return _panel(
            request,
            roadmap=roadmap,
            stage=stage,
            access=access,
            alert=conflict.message,
            status=conflict.status_code,
        )
    pinned.stage = stage
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _panel(
            request,
            roadmap=roadmap,
            stage=stage,
            access=access,
            alert="La version du chiffre épinglé manque : rechargez la page.",
            status=422,
        )

    def unpin():
        services_pins.unpin_figure(pinned=pinned, user=request.user, version=version)
        return pinned

    return _write(
        request,
        roadmap=roadmap,
        stage=stage,
        access=access,
        change=unpin,
        message="« {label} » a été retiré du diagnostic partagé.",
    )
