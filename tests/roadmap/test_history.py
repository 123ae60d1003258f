import re

import pytest
from django.urls import reverse

from roadmap import services
from roadmap.enums import ActionStatus, AuditAction, AuthorRole, StageStatus
from roadmap.models import AuditEvent, StageComment, TrainingAction
from tests.basins.factories import UserFactory
from tests.roadmap import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalize(html):
    return " ".join(CSRF.sub("", html).split())


@pytest.fixture
def roadmap(territory):
    return factories.RoadmapFactory(basin=territory["grenoble"])


def stage_view(name, roadmap, number):
    return reverse(
        f"roadmap:{name}", kwargs={"roadmap_pk": roadmap.pk, "number": number}
    )


# --- Services record every write ------------------------------------------


@pytest.mark.django_db
def test_bulk_update_records_one_event_per_row(roadmap, member):
    actions = [
        factories.TrainingActionFactory(roadmap=roadmap, progress=progress)
        for progress in (10, 20, 30)
    ]
    queryset = TrainingAction.objects.filter(pk__in=[a.pk for a in actions])
    count = services.bulk_update_items(
        queryset=queryset,
        values={"status": ActionStatus.DONE, "progress": 100},
        user=member,
    )
    assert count == 3
    events = AuditEvent.objects.filter(action=AuditAction.BULK_UPDATE)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        str(a.pk) for a in actions
    )
    first = events.get(object_id=str(actions[0].pk))
    assert first.changes == {
        "status": ["prévue", "réalisée"],
        "progress": ["10", "100"],
    }
    assert first.user == member


@pytest.mark.django_db
def test_bulk_update_bumps_every_version(roadmap, member):
    actions = [factories.TrainingActionFactory(roadmap=roadmap) for _ in range(2)]
    services.bulk_update_items(
        queryset=TrainingAction.objects.all(), values={"progress": 50}, user=member
    )
    assert set(TrainingAction.objects.values_list("version", flat=True)) == {2}
    assert len(actions) == 2


@pytest.mark.django_db
def test_bulk_update_then_stale_form_sees_the_bulk_change(roadmap, member, lead):
    action = factories.TrainingActionFactory(roadmap=roadmap, progress=10)
    services.bulk_update_items(
        queryset=TrainingAction.objects.all(), values={"progress": 90}, user=lead
    )
    action.places = 3
    with pytest.raises(services.EditConflict) as conflict:
        services.update_item(item=action, version=1, user=member)
    assert conflict.value.changes[0]["current"] == "90"


@pytest.mark.django_db
def test_bulk_update_refused_on_a_validated_stage(roadmap, member):
    factories.TrainingActionFactory(roadmap=roadmap, progress=10)
    roadmap.stages.filter(number=3).update(status=StageStatus.VALIDATED)
    with pytest.raises(services.StageLocked):
        services.bulk_update_items(
            queryset=TrainingAction.objects.all(), values={"progress": 90}, user=member
        )
    assert TrainingAction.objects.get().progress == 10
    assert not AuditEvent.objects.filter(action=AuditAction.BULK_UPDATE).exists()


@pytest.mark.django_db
def test_deleting_an_actor_detaches_and_records_its_actions(roadmap, member):
    actor = factories.LocalActorFactory(roadmap=roadmap, name="CCI")
    action = factories.TrainingActionFactory(roadmap=roadmap, owner=actor)
    risk = factories.RiskFactory(roadmap=roadmap, owner=actor)
    services.delete_item(item=actor, version=1, user=member)
    action.refresh_from_db()
    risk.refresh_from_db()
    assert (action.owner, action.version) == (None, 2)
    assert risk.owner is None
    detached = AuditEvent.objects.get(
        model_label="roadmap.trainingaction", object_id=str(action.pk)
    )
    assert (detached.action, detached.changes) == (
        AuditAction.UPDATE,
        {"owner": ["CCI", ""]},
    )
    assert AuditEvent.objects.filter(
        model_label="roadmap.risk", action=AuditAction.UPDATE
    ).exists()


@pytest.mark.django_db
def test_deleting_an_indicator_records_its_measurements(roadmap, member):
    measurement = factories.MeasurementFactory(
        indicator=factories.IndicatorFactory(roadmap=roadmap)
    )
    services.delete_item(item=measurement.indicator, version=1, user=member)
    assert AuditEvent.objects.filter(
        model_label="roadmap.measurement",
        object_id=str(measurement.pk),
        action=AuditAction.DELETE,
    ).exists()


@pytest.mark.django_db
def test_update_without_change_writes_nothing(roadmap, member):
    skill = factories.SkillFactory(roadmap=roadmap)
    services.update_item(item=skill, version=1, user=member)
    skill.refresh_from_db()
    assert skill.version == 1
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


@pytest.mark.django_db
def test_summary_update_is_recorded(client, member, roadmap):
    client.force_login(member)
    client.post(
        stage_view("stage_summary", roadmap, 1),
        {"summary": "Tension sur les soudeurs", "version": 1},
    )
    event = AuditEvent.objects.get(model_label="roadmap.stage", action="update")
    assert event.changes == {"summary": ["", "Tension sur les soudeurs"]}
    assert event.user == member


# --- History panel --------------------------------------------------------


@pytest.mark.django_db
def test_history_panel_says_who_did_what_in_french(client, member, roadmap):
    editor = UserFactory(first_name="Alix", last_name="Bernard")
    skill = factories.SkillFactory(roadmap=roadmap, job_title="Soudeur")
    skill.job_title = "Chaudronnier"
    services.update_item(item=skill, version=1, user=editor)
    client.force_login(member)
    html = client.get(stage_view("stage", roadmap, 1)).content.decode()
    assert "Alix Bernard" in html
    assert "modification : compétence « Chaudronnier »" in html
    assert "Métier : « Soudeur » → « Chaudronnier »" in html


@pytest.mark.django_db
def test_history_lists_the_most_recent_first(client, member, roadmap):
    stage = roadmap.stages.get(number=1)
    services.update_stage_summary(stage=stage, summary="Un", version=1, user=member)
    services.update_stage_summary(stage=stage, summary="Deux", version=2, user=member)
    client.force_login(member)
    html = client.get(stage_view("stage_history", roadmap, 1), **HTMX).content.decode()
    assert html.index("Synthèse : « Un » → « Deux »") < html.index(
        "Synthèse : « Un »</li>"
    )


@pytest.mark.django_db
def test_history_is_paginated(client, member, roadmap):
    stage = roadmap.stages.get(number=1)
    for version in range(1, 26):
        services.update_stage_summary(
            stage=stage, summary=f"Version {version}", version=version, user=member
        )
    client.force_login(member)
    first = client.get(stage_view("stage_history", roadmap, 1), **HTMX)
    second = client.get(stage_view("stage_history", roadmap, 1) + "?page=2", **HTMX)
    assert "« Version 25 »" in first.content.decode()
    assert "Plus anciens" in first.content.decode()
    # 25 updates and the stage's creation: 20 on the first page, 6 on the second.
    assert second.content.decode().count('<li class="fr-mb-2w">') == 6
    assert "création" in second.content.decode()


@pytest.mark.django_db
def test_history_partial_matches_the_stage_page(client, member, roadmap):
    factories.SkillFactory(roadmap=roadmap)
    stage = roadmap.stages.get(number=1)
    services.update_stage_summary(stage=stage, summary="Texte", version=1, user=member)
    client.force_login(member)
    partial = client.get(stage_view("stage_history", roadmap, 1), **HTMX)
    full = client.get(stage_view("stage", roadmap, 1))
    assert "<html" not in partial.content.decode()
    assert normalize(partial.content.decode()) in normalize(full.content.decode())


@pytest.mark.django_db
def test_history_refreshes_on_the_change_event(client, member, roadmap):
    client.force_login(member)
    html = client.get(stage_view("stage", roadmap, 1)).content.decode()
    assert 'hx-trigger="roadmap-changed from:body"' in html


# --- Comments -------------------------------------------------------------


@pytest.mark.django_db
def test_committee_comment_is_saved_and_recorded(client, member, roadmap):
    client.force_login(member)
    response = client.post(
        stage_view("stage_comments", roadmap, 1), {"body": "À compléter"}
    )
    assert response.status_code == 302
    comment = StageComment.objects.get()
    assert (comment.author, comment.author_role) == (member, AuthorRole.COMMITTEE)
    assert AuditEvent.objects.filter(
        action=AuditAction.COMMENT, object_id=str(comment.pk), user=member
    ).exists()


@pytest.mark.django_db
def test_reviewer_comment_is_marked_prefecture(client, department_reviewer, roadmap):
    client.force_login(department_reviewer)
    response = client.post(
        stage_view("stage_comments", roadmap, 2),
        {"body": "Précisez les axes."},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Précisez les axes." in response.content.decode()
    assert "roadmap-changed" in response["HX-Trigger"]
    assert StageComment.objects.get().author_role == AuthorRole.PREFECTURE


@pytest.mark.django_db
def test_reviewer_may_comment_a_validated_stage(client, region_reviewer, roadmap):
    roadmap.stages.filter(number=1).update(status=StageStatus.VALIDATED)
    client.force_login(region_reviewer)
    response = client.post(stage_view("stage_comments", roadmap, 1), {"body": "OK"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_empty_comment_gets_422_in_french(client, member, roadmap):
    client.force_login(member)
    response = client.post(stage_view("stage_comments", roadmap, 1), {}, **HTMX)
    assert response.status_code == 422
    assert "Écrivez votre commentaire" in response.content.decode()
    assert not StageComment.objects.exists()


@pytest.mark.django_db
def test_comments_partial_matches_the_stage_page(client, member, roadmap):
    stage = roadmap.stages.get(number=1)
    services.add_comment(
        stage=stage, user=member, body="Premier avis", author_role="committee"
    )
    client.force_login(member)
    partial = client.get(stage_view("stage_comments", roadmap, 1), **HTMX)
    full = client.get(stage_view("stage", roadmap, 1))
    assert "Premier avis" in partial.content.decode()
    assert normalize(partial.content.decode()) in normalize(full.content.decode())


@pytest.mark.django_db
def test_summary_partial_matches_the_stage_page(client, member, roadmap):
    client.force_login(member)
    partial = client.get(stage_view("stage_summary", roadmap, 1), **HTMX)
    full = client.get(stage_view("stage", roadmap, 1))
    assert 'id="summary-form"' in partial.content.decode()
    assert normalize(partial.content.decode()) in normalize(full.content.decode())


@pytest.mark.django_db
def test_reviewer_cannot_edit_the_summary(client, department_reviewer, roadmap):
    client.force_login(department_reviewer)
    response = client.post(
        stage_view("stage_summary", roadmap, 1), {"summary": "x", "version": 1}
    )
    assert response.status_code == 403
    assert roadmap.stages.get(number=1).summary == ""


@pytest.mark.django_db
def test_risk_page_shows_the_roadmap_history(client, member, roadmap):
    client.force_login(member)
    client.post(
        reverse(
            "roadmap:item_create", kwargs={"roadmap_pk": roadmap.pk, "kind": "risques"}
        ),
        {
            "kind": "haste",
            "title": "Calendrier trop court",
            "likelihood": 3,
            "impact": 3,
        },
    )
    html = client.get(
        reverse("roadmap:risks", kwargs={"roadmap_pk": roadmap.pk})
    ).content.decode()
    assert "création : risque « Calendrier trop court »" in html
    assert "création : feuille de route" in html
    # Stage events stay on their stage page.
    assert "création : étape" not in html


@pytest.mark.django_db
def test_amounts_are_recorded_in_french_format(roadmap, member):
    line = factories.FundingLineFactory(roadmap=roadmap)
    line.amount_obtained = 1500000
    services.update_item(item=line, version=1, user=member)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes == {"amount_obtained": ["0,00", "1\xa0500\xa0000,00"]}


@pytest.mark.django_db
def test_comments_are_paginated_most_recent_first(client, member, roadmap):
    stage = roadmap.stages.get(number=1)
    for number in range(1, 13):
        services.add_comment(
            stage=stage, user=member, body=f"Avis n° {number}", author_role="committee"
        )
    client.force_login(member)
    url = stage_view("stage_comments", roadmap, 1)
    first = client.get(url, **HTMX).content.decode()
    second = client.get(url + "?commentaires=2", **HTMX).content.decode()
    assert first.index("Avis n° 12") < first.index("Avis n° 3")
    assert "Avis n° 2" not in first
    assert "Avis n° 2" in second
    assert "Avis n° 12" not in second
