"""Pinning figures of the automatic diagnostic to the shared diagnostic (stage 1).

The browser sends only a figure key: its label, value and source are taken
from the basin's current diagnostic and frozen in the pin. Every pin and
unpin records an AuditEvent, like every other write on a roadmap.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from diagnostics import selectors as diagnostic_selectors
from roadmap import pins
from roadmap.enums import AuditAction, StageKind
from roadmap.formatting import moment_text, user_name
from roadmap.models import AuditEvent, PinnedFigure, Stage
from roadmap.services.history import diff, record_event, snapshot
from roadmap.services.items import check_editable

NOTE_MAX_LENGTH = 1000


class PinError(Exception):
    """A refused pin or unpin, with a French message for the user."""

    status_code = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownFigure(PinError):
    """The key names no figure of the basin's current diagnostic."""

    status_code = 422


class AlreadyPinned(PinError):
    """The figure is already pinned to the stage."""

    status_code = 409


class PinConflict(PinError):
    """The pin changed or was removed since the user's page was loaded."""

    status_code = 409


def pin_figure(
    *, stage: Stage, key: str, user: AbstractBaseUser, note: str = ""
) -> PinnedFigure:
    """Freeze the figure ``key`` of the basin's current diagnostic on ``stage``.

    Raises UnknownFigure for a key the diagnostic does not give (a forged or
    outdated one), AlreadyPinned when the stage already holds it, and
    services.StageLocked when the stage is submitted or validated.
    """
    if stage.number != StageKind.DIAGNOSTIC:
        raise PinError(
            "Seule l'étape « Diagnostic partagé » reçoit des chiffres épinglés."
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise PinError(
            f"Le commentaire dépasse {NOTE_MAX_LENGTH} caractères : raccourcissez-le."
        )
    # Computed before taking the stage lock: on a cold cache the SIRENE
    # aggregates may take a while, and nothing here depends on the lock.
    diagnostic = diagnostic_selectors.basin_diagnostic(basin=stage.roadmap.basin)
    figure = pins.resolve(diagnostic, key)
    if figure is None:
        raise UnknownFigure(
            "Ce chiffre ne figure pas dans le diagnostic automatique actuel du "
            "bassin : rechargez la page pour voir les chiffres disponibles."
        )
    with transaction.atomic():
        # Locks the stage row: two pins of the same stage run one after the other.
        check_editable(stage)
        existing = (
            PinnedFigure.objects.filter(stage=stage, key=figure.key)
            .select_related("pinned_by")
            .first()
        )
        if existing is not None:
            raise _already_pinned(existing)
        pinned = PinnedFigure(
            stage=stage,
            key=figure.key,
            label=figure.label,
            value=figure.value,
            source=figure.source,
            note=note,
            pinned_by=user if user.is_authenticated else None,
        )
        try:
            with transaction.atomic():
                pinned.save()
        except IntegrityError:
            existing = PinnedFigure.objects.filter(stage=stage, key=figure.key).first()
            if existing is None:
                raise
            raise _already_pinned(existing) from None
        record_event(
            pinned,
            user=user,
            action=AuditAction.CREATE,
            changes=diff({}, snapshot(pinned)),
            version=pinned.version,
        )
    return pinned


def _already_pinned(existing: PinnedFigure) -> AlreadyPinned:
    author = user_name(existing.pinned_by, in_sentence=True)
    return AlreadyPinned(
        f"« {existing.label} » est déjà épinglé au diagnostic partagé "
        f"(par {author}, le {moment_text(existing.created_at)})."
    )


def unpin_figure(*, pinned: PinnedFigure, user: AbstractBaseUser, version: int):
    """Remove a pin if nobody changed it since ``version``; record it.

    Raises PinConflict when the pin changed or was removed meanwhile, and
    services.StageLocked when the stage is submitted or validated.
    """
    with transaction.atomic():
        check_editable(pinned.stage)
        current = PinnedFigure.objects.select_for_update().filter(pk=pinned.pk).first()
        if current is None:
            raise removed_conflict(stage=pinned.stage, pk=pinned.pk) or PinConflict(
                "Ce chiffre a déjà été retiré du diagnostic partagé."
            )
        if current.version != version:
            raise PinConflict(
                f"« {current.label} » a été modifié depuis l'affichage de la page "
                f"(version {current.version}, vous aviez la version {version}) : "
                "rien n'a été retiré. Vérifiez-le puis recommencez."
            )
        current.stage = pinned.stage
        event = record_event(
            current,
            user=user,
            action=AuditAction.DELETE,
            changes={name: [old, ""] for name, old in snapshot(current).items() if old},
        )
        deleted, _ = PinnedFigure.objects.filter(pk=pinned.pk, version=version).delete()
        if not deleted:
            # Unreachable under the row lock; never leave a false event behind.
            event.delete()
            raise PinConflict("Ce chiffre a changé entre-temps : rien n'a été retiré.")


def removed_conflict(*, stage: Stage, pk: int) -> PinConflict | None:
    """A 409 naming who removed pin ``pk`` of ``stage``, if it was removed."""
    event = (
        AuditEvent.objects.filter(
            stage=stage,
            model_label=PinnedFigure._meta.label_lower,
            object_id=str(pk),
            action=AuditAction.DELETE,
        )
        .select_related("user")
        .order_by("-created_at", "-pk")
        .first()
    )
    if event is None:
        return None
    name = user_name(event.user, in_sentence=True)
    return PinConflict(
        f"{name[:1].upper()}{name[1:]} a retiré « {event.object_repr} » "
        f"le {moment_text(event.created_at)} : la liste a été mise à jour."
    )
