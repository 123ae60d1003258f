"""Review workflow of a stage: the committee lead submits, the prefecture
validates or returns it with a comment.

Allowed transitions, and nothing else:

- draft → submitted, returned → submitted: the committee lead;
- submitted → validated: a prefecture reviewer of the basin (or an admin);
- submitted → returned: the same, with a required comment.

Every transition is a conditional update on the stage's ``version`` (a stale
page gets a 409, nothing is overwritten), and records a StageTransition and an
AuditEvent in the same database transaction. A return comment is also posted
as a StageComment, so the committee reads it on the stage page.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from basins.roles import BasinRoles, Roles
from roadmap import selectors
from roadmap.coherence import Gap, find_gaps
from roadmap.enums import AuditAction, AuthorRole, StageStatus
from roadmap.formatting import STATUS_BADGES, moment_text, yes_no
from roadmap.models import Stage, StageTransition
from roadmap.services.history import changes_since, record_event
from roadmap.services.roadmaps import add_comment

COMMENT_MAX_LENGTH = 5000


class WorkflowError(Exception):
    """A refused transition, with a French message for the user."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionForbidden(WorkflowError):
    """The user's role does not allow this transition on this basin."""

    status_code = 403


class IllegalTransition(WorkflowError):
    """The stage is not in a status this transition starts from."""

    status_code = 409


class StaleStage(WorkflowError):
    """Someone changed the stage since the user's page was loaded."""

    status_code = 409


class CommentRequired(WorkflowError):
    """Returning a stage needs a comment for the committee."""

    status_code = 422


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    # "lead" or "reviewer".
    actor: str
    label: str
    comment_required: bool = False


TRANSITIONS = {
    transition.action: transition
    for transition in (
        Transition(
            action="submit",
            sources=frozenset({StageStatus.DRAFT, StageStatus.RETURNED}),
            target=StageStatus.SUBMITTED,
            actor="lead",
            label="soumettre à la préfecture",
        ),
        Transition(
            action="validate",
            sources=frozenset({StageStatus.SUBMITTED}),
            target=StageStatus.VALIDATED,
            actor="reviewer",
            label="valider",
        ),
        Transition(
            action="return",
            sources=frozenset({StageStatus.SUBMITTED}),
            target=StageStatus.RETURNED,
            actor="reviewer",
            label="renvoyer au comité",
            comment_required=True,
        ),
    )
}


def stage_gaps(*, stage: Stage, cached: bool = False) -> list[Gap]:
    """Coherence gaps of the roadmap that concern this stage, as of today
    (``cached``: from facts cached under the roadmap's stamp, for display)."""
    facts = (
        selectors.cached_coherence_facts(roadmap=stage.roadmap)
        if cached
        else selectors.coherence_facts(roadmap=stage.roadmap)
    )
    return find_gaps(facts=facts, today=timezone.localdate(), stage_number=stage.number)


def allowed_actions(*, stage: Stage, access: BasinRoles) -> list[str]:
    """Actions the user may take on the stage now, given their roles."""
    permitted = {"lead": access.can_submit, "reviewer": access.can_review}
    return [
        action
        for action, transition in TRANSITIONS.items()
        if stage.status in transition.sources and permitted[transition.actor]
    ]


def review_panel(*, stage: Stage, access: BasinRoles) -> dict:
    """What the review panel of a stage page shows to a user with ``access``
    on its basin: the actions they may take, the coherence gaps before a
    submission, the status history."""
    actions = allowed_actions(stage=stage, access=access)
    # The lead sees the gaps before submitting; the reviewer while deciding.
    gaps = stage_gaps(stage=stage, cached=True) if actions else []
    transitions = list(
        stage.transitions.select_related("user").order_by("-created_at", "-pk")[:10]
    )
    return {
        "stage": stage,
        "badge_class": STATUS_BADGES.get(stage.status, ""),
        "can_submit": "submit" in actions,
        "can_validate": "validate" in actions,
        "can_return": "return" in actions,
        "gaps": gaps,
        "transitions": transitions,
        # Filled by the view when a transition was refused.
        "error": "",
        "error_action": "",
        "comment": "",
    }


def _status_label(status: str) -> str:
    return StageStatus(status).label


def _check_role(*, transition: Transition, access: BasinRoles) -> None:
    if transition.actor == "lead" and not access.can_submit:
        raise TransitionForbidden(
            "Seul le pilote du comité de bassin peut soumettre une étape "
            "à la préfecture."
        )
    if transition.actor == "reviewer" and not access.can_review:
        raise TransitionForbidden(
            "Seul un référent de la préfecture peut valider ou renvoyer une étape."
        )


def _quoted(text: str, length: int = 80) -> str:
    """« text », shortened to ``length`` characters, or (vide)."""
    text = " ".join(str(text or "").split())
    if not text:
        return "(vide)"
    return f"« {text if len(text) <= length else text[: length - 1] + '…'} »"


def _stale_message(stage: Stage, *, seen_version: int) -> str:
    """What changed on the stage since the user's page, and by whom."""
    changes, authors = changes_since(stage, version=seen_version)
    text = (
        "Cette étape a été modifiée depuis l'affichage de la page"
        + (f" par {', '.join(authors)}" if authors else "")
        + f" : elle est maintenant « {stage.get_status_display()} »"
        f" (version {stage.version}, modifiée le "
        f"{moment_text(stage.updated_at)})."
    )
    if changes:
        text += " Changements : " + " ; ".join(
            f"{change['label']} : {_quoted(change['seen'])} → "
            f"{_quoted(change['current'])}"
            for change in changes
        )
        text += "."
    return text + " Rechargez la page avant d'agir."


@transaction.atomic
def transition_stage(
    *,
    stage: Stage,
    user: AbstractBaseUser,
    action: str,
    version: int | None,
    comment: str = "",
    access: BasinRoles | None = None,
) -> Stage:
    """Apply one allowed transition to the stage, or raise a WorkflowError.

    ``version`` is the stage version the user's page showed; ``access`` the
    user's roles on the basin, when the caller has them (request.roles).
    Returns the stage reloaded from the database.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError("Action inconnue sur le statut de l'étape.")
    if access is None:
        access = Roles(user).on_basin(stage.roadmap.basin)
    _check_role(transition=transition, access=access)
    comment = (comment or "").strip()
    if version is None:
        raise WorkflowError(
            "La version de l'étape manque au formulaire : rechargez la page."
        )
    if version != stage.version:
        raise StaleStage(_stale_message(stage, seen_version=version))
    if stage.status not in transition.sources:
        raise IllegalTransition(
            f"Impossible de {transition.label} : l'étape est "
            f"« {stage.get_status_display()} »."
        )
    if transition.comment_required and not comment:
        raise CommentRequired(
            "Un commentaire est obligatoire pour renvoyer l'étape au comité : "
            "expliquez ce qui doit être repris."
        )
    if len(comment) > COMMENT_MAX_LENGTH:
        raise WorkflowError(
            f"Le commentaire dépasse {COMMENT_MAX_LENGTH} caractères ({len(comment)})."
        )

    now = timezone.now()
    # History values are French display texts, as services.snapshot() writes.
    changes = {
        "status": [_status_label(stage.status), _status_label(transition.target)]
    }
    fields = {"status": transition.target, "version": F("version") + 1}
    if action == "submit":
        gaps = stage_gaps(stage=stage)
        fields.update(
            submitted_at=now, submitted_with_gaps=bool(gaps), reviewed_at=None
        )
        if stage.submitted_with_gaps != bool(gaps):
            changes["submitted_with_gaps"] = [
                yes_no(stage.submitted_with_gaps),
                yes_no(bool(gaps)),
            ]
    else:
        fields["reviewed_at"] = now
    # updated_at is auto_now, which update() does not touch.
    fields["updated_at"] = now
    updated = Stage.objects.filter(
        pk=stage.pk, version=version, status=stage.status
    ).update(**fields)
    if not updated:
        # Someone else moved the stage between our read and our write.
        stage.refresh_from_db()
        raise StaleStage(_stale_message(stage, seen_version=version))

    StageTransition.objects.create(
        stage=stage,
        from_status=stage.status,
        to_status=transition.target,
        user=user,
        comment=comment,
    )
    record_event(
        stage,
        user=user,
        action=AuditAction.TRANSITION,
        changes=changes,
        version=version + 1,
    )
    if comment:
        add_comment(
            stage=stage,
            user=user,
            body=comment,
            author_role=(
                AuthorRole.PREFECTURE
                if transition.actor == "reviewer"
                else AuthorRole.COMMITTEE
            ),
        )
    stage.refresh_from_db()
    return stage


def submit_stage(*, stage: Stage, user: AbstractBaseUser, version: int | None) -> Stage:
    """The committee lead sends a draft or returned stage to the prefecture."""
    return transition_stage(stage=stage, user=user, action="submit", version=version)


def validate_stage(
    *, stage: Stage, user: AbstractBaseUser, version: int | None, comment: str = ""
) -> Stage:
    """A prefecture reviewer (or an admin) validates a submitted stage."""
    return transition_stage(
        stage=stage, user=user, action="validate", version=version, comment=comment
    )


def return_stage(
    *, stage: Stage, user: AbstractBaseUser, version: int | None, comment: str
) -> Stage:
    """A prefecture reviewer (or an admin) returns a submitted stage, with a
    comment that the committee sees on the stage page."""
    return transition_stage(
        stage=stage, user=user, action="return", version=version, comment=comment
    )
