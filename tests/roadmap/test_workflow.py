"""Review workflow: services, then the views that call them."""

import re
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from basins.enums import Role
from roadmap import services
from roadmap.enums import AuditAction, AuthorRole, StageKind, StageStatus
from roadmap.models import AuditEvent, Stage, StageComment, StageTransition
from roadmap.services import workflow
from roadmap.views.common import CHANGED_EVENT
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


# --- Views -------------------------------------------------------------------------


def _post_action(client, name, stage, data=None, htmx=False):
    url = reverse(name, kwargs={"roadmap_pk": stage.roadmap_id, "number": stage.number})
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data or {}, headers=headers)


@pytest.mark.django_db
def test_lead_submits_through_the_view(client, lead, stage):
    client.force_login(lead)
    response = _post_action(
        client, "roadmap:stage_submit", stage, {"version": stage.version}
    )
    assert response.status_code == 302
    assert response["Location"] == stage.get_absolute_url()
    stage.refresh_from_db()
    assert stage.status == StageStatus.SUBMITTED


@pytest.mark.django_db
def test_htmx_submission_reloads_the_stage_page(client, lead, stage):
    client.force_login(lead)
    response = _post_action(
        client, "roadmap:stage_submit", stage, {"version": stage.version}, htmx=True
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == stage.get_absolute_url()


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["member", "department_reviewer", "admin_user"])
def test_submit_view_refuses_other_roles_with_403(client, stage, user, request):
    client.force_login(request.getfixturevalue(user))
    response = _post_action(
        client, "roadmap:stage_submit", stage, {"version": stage.version}
    )
    assert response.status_code == 403
    assert "Seul le pilote du comité" in response.content.decode()
    stage.refresh_from_db()
    assert stage.status == StageStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["roadmap:stage_validate", "roadmap:stage_return"])
def test_review_views_refuse_the_committee_with_403(client, lead, stage, name):
    _set_status(stage, StageStatus.SUBMITTED)
    client.force_login(lead)
    response = _post_action(
        client, name, stage, {"version": stage.version, "comment": "ok"}
    )
    assert response.status_code == 403
    stage.refresh_from_db()
    assert stage.status == StageStatus.SUBMITTED


@pytest.mark.django_db
def test_other_basin_stage_is_404(client, lead, territory):
    other = RoadmapFactory(basin=territory["chateauroux"], period_start=2026)
    stage = other.stages.get(number=1)
    client.force_login(lead)
    response = _post_action(
        client, "roadmap:stage_submit", stage, {"version": stage.version}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_reviewer_of_another_region_gets_404(client, territory, stage):
    indre_reviewer = MembershipFactory(
        role=Role.REVIEWER, basin=None, department=territory["indre"]
    ).user
    _set_status(stage, StageStatus.SUBMITTED)
    client.force_login(indre_reviewer)
    response = _post_action(
        client, "roadmap:stage_validate", stage, {"version": stage.version}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_validating_a_draft_is_a_409_with_a_french_message(
    client, department_reviewer, stage
):
    client.force_login(department_reviewer)
    response = _post_action(
        client, "roadmap:stage_validate", stage, {"version": stage.version}
    )
    assert response.status_code == 409
    assert "Impossible de valider : l&#x27;étape est « brouillon »." in (
        response.content.decode()
    )
    stage.refresh_from_db()
    assert stage.status == StageStatus.DRAFT


@pytest.mark.django_db
def test_return_without_comment_is_a_422_showing_the_form_again(
    client, department_reviewer, stage
):
    _set_status(stage, StageStatus.SUBMITTED)
    client.force_login(department_reviewer)
    response = _post_action(
        client,
        "roadmap:stage_return",
        stage,
        {"version": stage.version, "comment": "  "},
        htmx=True,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Un commentaire est obligatoire" in html
    assert 'class="fr-error-text"' in html
    # The HTMX answer is the panel alone, ready to swap.
    assert "<html" not in html
    stage.refresh_from_db()
    assert stage.status == StageStatus.SUBMITTED


@pytest.mark.django_db
def test_stale_submission_is_a_409_naming_the_other_change(client, lead, member, stage):
    seen = stage.version
    services.update_stage_summary(
        stage=stage, summary="Synthèse du collègue", version=seen, user=member
    )
    client.force_login(lead)
    response = _post_action(client, "roadmap:stage_submit", stage, {"version": seen})
    assert response.status_code == 409
    html = response.content.decode()
    assert "modifiée depuis l&#x27;affichage de la page" in html
    assert member.get_full_name() in html
    assert "synthèse : (vide) → « Synthèse du collègue »" in html
    stage.refresh_from_db()
    assert stage.status == StageStatus.DRAFT


@pytest.mark.django_db
def test_missing_version_is_a_400(client, lead, stage):
    client.force_login(lead)
    response = _post_action(client, "roadmap:stage_submit", stage, {"version": "x"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_transition_views_refuse_get(client, lead, stage):
    client.force_login(lead)
    url = reverse(
        "roadmap:stage_submit",
        kwargs={"roadmap_pk": stage.roadmap_id, "number": stage.number},
    )
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_returned_comment_is_visible_to_the_committee(
    client, department_reviewer, member, stage
):
    _set_status(stage, StageStatus.SUBMITTED)
    client.force_login(department_reviewer)
    response = _post_action(
        client,
        "roadmap:stage_return",
        stage,
        {"version": stage.version, "comment": "Ajoutez les besoins en logement."},
    )
    assert response.status_code == 302
    client.force_login(member)
    html = client.get(stage.get_absolute_url()).content.decode()
    assert "Ajoutez les besoins en logement." in html
    assert "renvoyée" in html


@pytest.mark.django_db
def test_review_panel_page_shows_history(client, member, lead, stage):
    workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    client.force_login(member)
    url = reverse(
        "roadmap:stage_review",
        kwargs={"roadmap_pk": stage.roadmap_id, "number": stage.number},
    )
    html = client.get(url).content.decode()
    assert "Historique des statuts" in html
    assert "« brouillon » → « soumise à la préfecture »" in html
    # A member sees the status but no form.
    assert "Soumettre à la préfecture" not in html
    assert "Valider l'étape" not in html


def _without_csrf(html):
    # The masked CSRF token differs on every response.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


@pytest.mark.django_db
def test_review_panel_htmx_swap_matches_the_full_page(client, lead, stage):
    client.force_login(lead)
    url = reverse(
        "roadmap:stage_review",
        kwargs={"roadmap_pk": stage.roadmap_id, "number": stage.number},
    )
    full = _without_csrf(client.get(url).content.decode())
    partial = _without_csrf(
        client.get(url, headers={"HX-Request": "true"}).content.decode()
    )
    assert "<html" not in partial
    assert "Soumettre à la préfecture" in partial
    assert partial.strip() in full


@pytest.mark.django_db
def test_lead_sees_gaps_and_submit_button(client, lead, stage):
    client.force_login(lead)
    url = reverse(
        "roadmap:stage_review",
        kwargs={"roadmap_pk": stage.roadmap_id, "number": stage.number},
    )
    html = client.get(url).content.decode()
    assert "Diagnostic vide : aucun métier n&#x27;est recensé." in html
    assert "Soumettre à la préfecture malgré les incohérences" in html
    assert f'name="version" value="{stage.version}"' in html


@pytest.mark.django_db
def test_reviewer_sees_validate_and_return_on_a_submitted_stage(
    client, region_reviewer, stage
):
    _set_status(stage, StageStatus.SUBMITTED)
    client.force_login(region_reviewer)
    url = reverse(
        "roadmap:stage_review",
        kwargs={"roadmap_pk": stage.roadmap_id, "number": stage.number},
    )
    html = client.get(url).content.decode()
    assert "Valider l'étape" in html
    assert "Renvoyer au comité" in html
    assert "Soumettre" not in html
    # The reviewer also sees today's coherence gaps of the stage.
    assert "Diagnostic vide : aucun acteur local n&#x27;est recensé." in html


@pytest.mark.django_db
def test_history_survives_a_deleted_user(client, member, lead, stage):
    workflow.submit_stage(stage=stage, user=lead, version=stage.version)
    lead.delete()
    client.force_login(member)
    url = reverse(
        "roadmap:stage_review",
        kwargs={"roadmap_pk": stage.roadmap_id, "number": stage.number},
    )
    html = client.get(url).content.decode()
    assert "utilisateur supprimé" in html


@pytest.mark.django_db
def test_panel_refreshes_after_edits_on_the_stage_page(client, lead, stage):
    client.force_login(lead)
    html = client.get(stage.get_absolute_url()).content.decode()
    # The event the stage page's writes send (roadmap/views.py).
    assert f'hx-trigger="{CHANGED_EVENT} from:body"' in html
    assert 'id="stage-status"' in html


@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_apply_exactly_one_transition(territory):
    """Reviewers validating and returning the same stage at once: one wins."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    reviewer = MembershipFactory(
        role=Role.REVIEWER, basin=None, department=territory["isere"]
    ).user
    roadmap = RoadmapFactory(basin=territory["grenoble"], period_start=2026)
    stage = _set_status(roadmap.stages.get(number=1), StageStatus.SUBMITTED)
    outcomes = []
    barrier = threading.Barrier(6)

    def review(action):
        mine = Stage.objects.select_related("roadmap__basin").get(pk=stage.pk)
        barrier.wait()
        try:
            workflow.transition_stage(
                stage=mine,
                user=reviewer,
                action=action,
                version=mine.version,
                comment="Relu.",
            )
            outcomes.append(("done", action))
        except workflow.StaleStage:
            outcomes.append(("stale", action))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=review, args=(action,))
        for action in ["validate", "return"] * 3
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [action for outcome, action in outcomes if outcome == "done"]
    assert len(done) == 1
    assert len(outcomes) == 6
    stage.refresh_from_db()
    expected = StageStatus.VALIDATED if done[0] == "validate" else StageStatus.RETURNED
    assert (stage.status, stage.version) == (expected, 2)
    assert StageTransition.objects.filter(stage=stage).count() == 1
    assert (
        AuditEvent.objects.filter(stage=stage, action=AuditAction.TRANSITION).count()
        == 1
    )


def _queries_of(client, url):
    # Cold cache: the factories below record no AuditEvent (the cache stamp).
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_review_panel_queries_do_not_grow_with_the_roadmap(client, lead, roadmap):
    """The lead's stage page runs the coherence check: still a fixed cost."""
    client.force_login(lead)
    strategy = roadmap.stages.get(number=StageKind.STRATEGY)
    AxisFactory(roadmap=roadmap)
    few = _queries_of(client, strategy.get_absolute_url())
    for _ in range(10):
        axis = AxisFactory(roadmap=roadmap)
        TrainingActionFactory(roadmap=roadmap, axis=axis)
        indicator = IndicatorFactory(roadmap=roadmap)
        MeasurementFactory(indicator=indicator)
    assert _queries_of(client, strategy.get_absolute_url()) == few
