"""Review workflow: services, then the views that call them."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from basins.enums import Role
from roadmap import workflow
from roadmap.enums import AuditAction, AuthorRole, StageKind, StageStatus
from roadmap.models import AuditEvent, Stage, StageComment, StageTransition
from tests.basins.factories import MembershipFactory
from tests.roadmap.factories import (
    AxisFactory,
    IndicatorFactory,
    InvestmentProjectFactory,
    LocalActorFactory,
    MeasurementFactory,
    RoadmapFactory,
    SkillFactory,
    TrainingActionFactory,
)


@pytest.fixture
def roadmap(territory):
    return RoadmapFactory(basin=territory["grenoble"], period_start=2026)


@pytest.fixture
def stage(roadmap):
    return roadmap.stages.get(number=StageKind.DIAGNOSTIC)


def _set_status(stage, status):
    Stage.objects.filter(pk=stage.pk).update(status=status)
    stage.refresh_from_db()
    return stage


def _complete_diagnostic(roadmap):
    SkillFactory(roadmap=roadmap)
    LocalActorFactory(roadmap=roadmap)


# --- Allowed transitions ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("start", [StageStatus.DRAFT, StageStatus.RETURNED])
def test_lead_submits_a_draft_or_returned_stage(stage, lead, start):
    _set_status(stage, start)
    before = stage.version
    stage = workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    assert stage.status == StageStatus.SUBMITTED
    assert stage.version == before + 1
    assert stage.submitted_at is not None
    assert stage.reviewed_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("reviewer", ["department_reviewer", "region_reviewer"])
def test_prefecture_reviewer_validates_a_submitted_stage(stage, reviewer, request):
    user = request.getfixturevalue(reviewer)
    _set_status(stage, StageStatus.SUBMITTED)
    stage = workflow.validate_stage(stage=stage, user=user, version=stage.version)
    assert stage.status == StageStatus.VALIDATED
    assert stage.reviewed_at is not None


@pytest.mark.django_db
def test_reviewer_returns_a_submitted_stage_with_a_comment(stage, department_reviewer):
    _set_status(stage, StageStatus.SUBMITTED)
    stage = workflow.return_stage(
        stage=stage,
        user=department_reviewer,
        version=stage.version,
        comment="  Précisez les besoins en logement.  ",
    )
    assert stage.status == StageStatus.RETURNED
    assert stage.reviewed_at is not None
    transition = StageTransition.objects.get(stage=stage)
    assert transition.comment == "Précisez les besoins en logement."


@pytest.mark.django_db
def test_admin_may_act_as_reviewer(stage, admin_user):
    _set_status(stage, StageStatus.SUBMITTED)
    stage = workflow.validate_stage(stage=stage, user=admin_user, version=stage.version)
    assert stage.status == StageStatus.VALIDATED


@pytest.mark.django_db
def test_reviewer_of_a_basin_spanning_two_departments_may_review(territory):
    ain_reviewer = MembershipFactory(
        role=Role.REVIEWER, basin=None, department=territory["ain"]
    ).user
    roadmap = RoadmapFactory(basin=territory["cross"], period_start=2026)
    stage = _set_status(roadmap.stages.get(number=1), StageStatus.SUBMITTED)
    stage = workflow.validate_stage(
        stage=stage, user=ain_reviewer, version=stage.version
    )
    assert stage.status == StageStatus.VALIDATED


# --- Forbidden transitions: wrong role ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user", ["member", "department_reviewer", "region_reviewer", "admin_user"]
)
def test_only_the_lead_may_submit(stage, user, request):
    with pytest.raises(workflow.TransitionForbidden) as error:
        workflow.submit_stage(
            stage=stage, user=request.getfixturevalue(user), version=stage.version
        )
    assert error.value.status_code == 403
    assert "pilote" in error.value.message
    stage.refresh_from_db()
    assert stage.status == StageStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["validate", "return"])
@pytest.mark.parametrize("user", ["member", "lead", "outsider"])
def test_committee_may_not_review(stage, user, action, request):
    _set_status(stage, StageStatus.SUBMITTED)
    with pytest.raises(workflow.TransitionForbidden):
        workflow.transition_stage(
            stage=stage,
            user=request.getfixturevalue(user),
            action=action,
            version=stage.version,
            comment="Vu.",
        )
    stage.refresh_from_db()
    assert stage.status == StageStatus.SUBMITTED


@pytest.mark.django_db
def test_reviewer_of_another_region_may_not_review(territory):
    indre_reviewer = MembershipFactory(
        role=Role.REVIEWER, basin=None, department=territory["indre"]
    ).user
    roadmap = RoadmapFactory(basin=territory["grenoble"], period_start=2026)
    stage = _set_status(roadmap.stages.get(number=1), StageStatus.SUBMITTED)
    with pytest.raises(workflow.TransitionForbidden):
        workflow.validate_stage(stage=stage, user=indre_reviewer, version=stage.version)


@pytest.mark.django_db
def test_lead_of_another_basin_may_not_submit(territory, stage):
    other_lead = MembershipFactory(role=Role.LEAD, basin=territory["oyonnax"]).user
    with pytest.raises(workflow.TransitionForbidden):
        workflow.submit_stage(stage=stage, user=other_lead, version=stage.version)


# --- Forbidden transitions: wrong state ---------------------------------------


FORBIDDEN_BY_STATE = [
    ("submit", StageStatus.SUBMITTED, "lead"),
    ("submit", StageStatus.VALIDATED, "lead"),
    ("validate", StageStatus.DRAFT, "department_reviewer"),
    ("validate", StageStatus.RETURNED, "department_reviewer"),
    ("validate", StageStatus.VALIDATED, "department_reviewer"),
    ("return", StageStatus.DRAFT, "department_reviewer"),
    ("return", StageStatus.RETURNED, "department_reviewer"),
    ("return", StageStatus.VALIDATED, "department_reviewer"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status", "user"), FORBIDDEN_BY_STATE)
def test_transition_from_a_wrong_status_is_refused(
    stage, action, status, user, request
):
    _set_status(stage, status)
    version = stage.version
    with pytest.raises(workflow.IllegalTransition) as error:
        workflow.transition_stage(
            stage=stage,
            user=request.getfixturevalue(user),
            action=action,
            version=version,
            comment="Commentaire",
        )
    assert error.value.status_code == 409
    assert f"l'étape est « {StageStatus(status).label} »" in error.value.message
    stage.refresh_from_db()
    assert (stage.status, stage.version) == (status, version)
    assert not StageTransition.objects.exists()


@pytest.mark.django_db
def test_unknown_action_is_refused(stage, lead):
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.transition_stage(
            stage=stage, user=lead, action="draft", version=stage.version
        )
    assert error.value.status_code == 400
    assert error.value.message == "Action inconnue sur le statut de l'étape."


def test_transition_table_lists_only_the_agreed_moves():
    moves = {
        (source, transition.target)
        for transition in workflow.TRANSITIONS.values()
        for source in transition.sources
    }
    assert moves == {
        (StageStatus.DRAFT, StageStatus.SUBMITTED),
        (StageStatus.RETURNED, StageStatus.SUBMITTED),
        (StageStatus.SUBMITTED, StageStatus.VALIDATED),
        (StageStatus.SUBMITTED, StageStatus.RETURNED),
    }


# --- Return comment, versions -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("comment", ["", "   \n  "])
def test_return_requires_a_comment(stage, department_reviewer, comment):
    _set_status(stage, StageStatus.SUBMITTED)
    with pytest.raises(workflow.CommentRequired) as error:
        workflow.return_stage(
            stage=stage,
            user=department_reviewer,
            version=stage.version,
            comment=comment,
        )
    assert error.value.message.startswith("Un commentaire est obligatoire")
    stage.refresh_from_db()
    assert stage.status == StageStatus.SUBMITTED
    assert not StageComment.objects.exists()


@pytest.mark.django_db
def test_stale_version_is_refused_and_names_the_other_change(
    stage, lead, department_reviewer
):
    seen = stage.version
    workflow.submit_stage(stage=stage, user=lead, version=seen)
    stage.refresh_from_db()
    with pytest.raises(workflow.StaleStage) as error:
        workflow.submit_stage(stage=stage, user=lead, version=seen)
    assert error.value.status_code == 409
    message = error.value.message
    assert "modifiée depuis l'affichage de la page" in message
    assert "« soumise à la préfecture »" in message
    assert "« brouillon » → « soumise à la préfecture »" in message
    assert lead.get_full_name() in message
    assert StageTransition.objects.count() == 1


@pytest.mark.django_db
def test_stale_version_detected_at_write_time(stage, lead):
    """A concurrent write between our read and our update is not overwritten."""
    stale = Stage.objects.get(pk=stage.pk)
    Stage.objects.filter(pk=stage.pk).update(version=stage.version + 1)
    # ``stale`` still shows the old version: the conditional update must miss.
    with pytest.raises(workflow.StaleStage):
        workflow.transition_stage(
            stage=stale, user=lead, action="submit", version=stale.version + 1
        )


@pytest.mark.django_db
def test_missing_version_is_refused(stage, lead):
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.submit_stage(stage=stage, user=lead, version=None)
    assert error.value.status_code == 400
    stage.refresh_from_db()
    assert stage.status == StageStatus.DRAFT


# --- Records ----------------------------------------------------------------------


@pytest.mark.django_db
def test_transition_is_logged_with_an_audit_event(stage, lead):
    stage = workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    transition = StageTransition.objects.get(stage=stage)
    assert (transition.from_status, transition.to_status, transition.user) == (
        StageStatus.DRAFT,
        StageStatus.SUBMITTED,
        lead,
    )
    event = AuditEvent.objects.get(stage=stage, action=AuditAction.TRANSITION)
    assert event.user == lead
    assert event.model_label == "roadmap.stage"
    assert event.changes["status"] == ["brouillon", "soumise à la préfecture"]
    assert event.object_version == stage.version == 2


@pytest.mark.django_db
def test_return_comment_is_posted_for_the_committee(stage, region_reviewer):
    _set_status(stage, StageStatus.SUBMITTED)
    workflow.return_stage(
        stage=stage,
        user=region_reviewer,
        version=stage.version,
        comment="Il manque les acteurs locaux.",
    )
    comment = StageComment.objects.get(stage=stage)
    assert comment.body == "Il manque les acteurs locaux."
    assert comment.author == region_reviewer
    assert comment.author_role == AuthorRole.PREFECTURE
    assert AuditEvent.objects.filter(
        stage=stage, action=AuditAction.COMMENT, user=region_reviewer
    ).exists()


@pytest.mark.django_db
def test_submission_with_gaps_is_flagged(stage, lead):
    stage = workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    assert stage.submitted_with_gaps is True
    event = AuditEvent.objects.get(stage=stage, action=AuditAction.TRANSITION)
    assert event.changes["submitted_with_gaps"] == ["non", "oui"]


@pytest.mark.django_db
def test_submission_without_gaps_is_not_flagged(roadmap, stage, lead):
    _complete_diagnostic(roadmap)
    stage = workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    assert stage.submitted_with_gaps is False


@pytest.mark.django_db
def test_resubmission_clears_the_gap_flag_once_filled(roadmap, stage, lead):
    _set_status(stage, StageStatus.RETURNED)
    Stage.objects.filter(pk=stage.pk).update(submitted_with_gaps=True)
    stage.refresh_from_db()
    _complete_diagnostic(roadmap)
    stage = workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    assert stage.submitted_with_gaps is False


@pytest.mark.django_db
def test_monitoring_stage_gaps_use_the_last_12_months(roadmap, lead, time_today):
    monitoring = roadmap.stages.get(number=StageKind.MONITORING)
    monitoring.indicators.all().delete()
    indicator = IndicatorFactory(
        roadmap=roadmap, target=Decimal("50"), target_date=date(2030, 1, 1)
    )
    MeasurementFactory(indicator=indicator, measured_on=time_today)
    gaps = workflow.stage_gaps(stage=monitoring)
    assert gaps == []


@pytest.mark.django_db
def test_strategy_stage_gaps_list_unlinked_axes(roadmap):
    axis = AxisFactory(roadmap=roadmap, title="Hydrogène vert")
    TrainingActionFactory(roadmap=roadmap, axis=axis)
    strategy = roadmap.stages.get(number=StageKind.STRATEGY)
    assert [gap.message for gap in workflow.stage_gaps(stage=strategy)] == [
        "L'axe « Hydrogène vert » n'a aucun projet d'investissement rattaché."
    ]
    InvestmentProjectFactory(roadmap=roadmap, axis=axis)
    assert workflow.stage_gaps(stage=strategy) == []


@pytest.fixture
def time_today():
    return timezone.localdate()
